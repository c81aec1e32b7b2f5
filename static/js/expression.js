// The form expression language: an XLSForm / ODK XPath subset, for skip logic, constraints
// and calculations in the browser (also offline). app/forms/expression.py is the server's
// twin and its module docstring states the value semantics both follow; the shared cases in
// survey_forms/expression_vectors.json prove that the two give the same answers.
// Expressions are parsed to an AST and interpreted; nothing is ever passed to eval().
//
// Where JavaScript differs from Python the code works around it on purpose:
// - source text, strings and positions are handled as Unicode code points, not UTF-16 units;
// - regular expressions are translated to an explicit form and compiled with the u flag;
// - numbers print without exponents, and integers exactly (through BigInt).

import { check as checkId } from './idcard.js';

export const MESSAGES = {
  expr_syntax: { zh: '表达式语法错误', en: 'Expression syntax error' },
  expr_unknown_function: { zh: '表达式使用了未知的函数', en: 'Unknown function in expression' },
  expr_arity: { zh: '函数的参数个数不对', en: 'Wrong number of arguments to a function' },
  expr_argument: {
    zh: 'count() 的参数必须是重复组引用，例如 ${members}',
    en: 'The argument of count() must be a repeat reference such as ${members}',
  },
  expr_regex: {
    zh: '正则表达式无效或使用了不支持的写法',
    en: 'Invalid or unsupported regular expression',
  },
  expr_value: { zh: '字段值的类型不受支持', en: 'Unsupported field value type' },
};

/** A bad expression (or field value). `code` is stable; `position` counts code points. */
export class ExpressionError extends Error {
  constructor(code, detail, position = null) {
    super(position === null ? detail : `${detail} (at character ${position})`);
    this.name = 'ExpressionError';
    this.code = code;
    this.detail = detail;
    this.position = position;
  }
}

/** A calendar date, held as whole days since 1970-01-01 (no time zone can shift it). */
export class DateValue {
  constructor(days) {
    this.days = days;
  }

  toString() {
    return isoFromDays(this.days);
  }
}

// ---------------------------------------------------------------------------------------------
// AST: {type: 'literal', value} | {type: 'ref', name} | {type: 'current'} |
//      {type: 'negate', operand} | {type: 'binary', op, left, right} | {type: 'call', name, args}

/** Names of the fields the expression reads through ${name}, as a Set. */
export function references(ast) {
  const names = new Set();
  const pending = [ast]; // a loop, not recursion: a long a or b or ... chain is a deep tree
  while (pending.length) {
    const node = pending.pop();
    if (node.type === 'ref') names.add(node.name);
    else if (node.type === 'negate') pending.push(node.operand);
    else if (node.type === 'binary') pending.push(node.left, node.right);
    else if (node.type === 'call') pending.push(...node.args);
  }
  return names;
}

// ---------------------------------------------------------------------------------------------
// Tokenizer

const WHITESPACE = ' \t\r\n'; // XPath's whitespace; anything else outside a string is an error
const OPERATORS = ['!=', '<=', '>=', '=', '<', '>', '+', '-', '*', '(', ')', ','];

const isDigit = (char) => char !== undefined && char >= '0' && char <= '9';
const isNameStart = (char) =>
  char !== undefined && ((char >= 'a' && char <= 'z') || (char >= 'A' && char <= 'Z') || char === '_');
const isNameChar = (char) => isNameStart(char) || isDigit(char) || char === '.' || char === '-';

function startsWithAt(chars, i, text) {
  return [...text].every((char, k) => chars[i + k] === char);
}

function tokenize(source) {
  const chars = Array.from(source); // code points, so that positions match Python's
  const slice = (start, end) => chars.slice(start, end).join('');
  const tokens = [];
  const push = (kind, value, position, text) => tokens.push({ kind, value, position, text });
  let i = 0;
  while (i < chars.length) {
    const char = chars[i];
    if (WHITESPACE.includes(char)) {
      i += 1;
    } else if (startsWithAt(chars, i, '${')) {
      const end = chars.indexOf('}', i);
      const name = end === -1 ? '' : slice(i + 2, end);
      if (!(name && isNameStart(name[0]) && [...name].every(isNameChar))) {
        throw new ExpressionError('expr_syntax', 'malformed field reference, expected ${name}', i);
      }
      push('ref', name, i, slice(i, end + 1));
      i = end + 1;
    } else if (isDigit(char) || (char === '.' && isDigit(chars[i + 1]))) {
      let end = i;
      while (isDigit(chars[end])) end += 1;
      if (chars[end] === '.') {
        end += 1;
        while (isDigit(chars[end])) end += 1;
      }
      push('num', Number(slice(i, end)), i, slice(i, end));
      i = end;
    } else if (char === '.') {
      push('dot', '.', i, '.');
      i += 1;
    } else if (char === "'" || char === '"') {
      const end = chars.indexOf(char, i + 1);
      if (end === -1) throw new ExpressionError('expr_syntax', 'unterminated string', i);
      push('str', slice(i + 1, end), i, slice(i, end + 1));
      i = end + 1;
    } else if (isNameStart(char)) {
      let end = i + 1;
      while (isNameChar(chars[end])) end += 1;
      push('name', slice(i, end), i, slice(i, end));
      i = end;
    } else {
      const op = OPERATORS.find((candidate) => startsWithAt(chars, i, candidate));
      if (op === undefined) {
        throw new ExpressionError('expr_syntax', `unexpected character '${char}'`, i);
      }
      push('op', op, i, op);
      i += op.length;
    }
  }
  push('end', '', chars.length, '');
  return tokens;
}

// ---------------------------------------------------------------------------------------------
// Parser: recursive descent, XPath 1.0 precedence from loosest to tightest.

const LEVELS = [['or'], ['and'], ['=', '!='], ['<', '<=', '>', '>='], ['+', '-'], ['*', 'div', 'mod']];
const MAX_DEPTH = 40; // the same limit as the server, which must keep within Python's stack

const isOp = (token, op) => token.kind === 'op' && token.value === op;

function unexpected(token, hint = '') {
  const what = token.kind === 'end' ? 'end of expression' : token.text;
  return new ExpressionError('expr_syntax', `unexpected ${what}${hint ? `, ${hint}` : ''}`, token.position);
}

class Parser {
  constructor(source) {
    this.tokens = tokenize(source);
    this.index = 0;
    this.depth = 0;
  }

  parse() {
    const node = this.binary(0);
    if (this.peek().kind !== 'end') throw unexpected(this.peek());
    return node;
  }

  peek() {
    return this.tokens[this.index];
  }

  advance() {
    const token = this.tokens[this.index];
    this.index += 1;
    return token;
  }

  expect(op) {
    const token = this.advance();
    if (!isOp(token, op)) throw unexpected(token, `expected '${op}'`);
  }

  nest(token) {
    this.depth += 1;
    if (this.depth > MAX_DEPTH) {
      throw new ExpressionError('expr_syntax', 'expression nested too deeply', token.position);
    }
  }

  binary(level) {
    if (level === LEVELS.length) return this.unary();
    let node = this.binary(level + 1);
    // Operator names (and, or, div, mod) are operators wherever an operator may stand.
    while (['op', 'name'].includes(this.peek().kind) && LEVELS[level].includes(this.peek().value)) {
      const op = this.advance().value;
      node = { type: 'binary', op, left: node, right: this.binary(level + 1) };
    }
    return node;
  }

  unary() {
    const token = this.peek();
    if (isOp(token, '-')) {
      this.advance();
      this.nest(token);
      const node = { type: 'negate', operand: this.unary() };
      this.depth -= 1;
      return node;
    }
    return this.primary();
  }

  primary() {
    const token = this.advance();
    if (token.kind === 'num' || token.kind === 'str') return { type: 'literal', value: token.value };
    if (token.kind === 'ref') return { type: 'ref', name: token.value };
    if (token.kind === 'dot') return { type: 'current' };
    if (isOp(token, '(')) {
      this.nest(token);
      const node = this.binary(0);
      this.expect(')');
      this.depth -= 1;
      return node;
    }
    if (token.kind === 'name' && isOp(this.peek(), '(')) return this.call(token);
    if (token.kind === 'name') {
      throw new ExpressionError(
        'expr_syntax',
        `unexpected name '${token.value}'; fields are written \${name}`,
        token.position,
      );
    }
    throw unexpected(token);
  }

  call(nameToken) {
    const name = nameToken.value;
    const fn = Object.hasOwn(FUNCTIONS, name) ? FUNCTIONS[name] : undefined;
    if (fn === undefined) {
      throw new ExpressionError('expr_unknown_function', `unknown function ${name}()`, nameToken.position);
    }
    this.nest(nameToken);
    this.expect('(');
    const args = [];
    if (!isOp(this.peek(), ')')) {
      args.push(this.binary(0));
      while (isOp(this.peek(), ',')) {
        this.advance();
        args.push(this.binary(0));
      }
    }
    this.expect(')');
    this.depth -= 1;
    if (args.length < fn.min || (fn.max !== null && args.length > fn.max)) {
      throw new ExpressionError('expr_arity', `wrong number of arguments to ${name}()`, nameToken.position);
    }
    if (name === 'count' && args[0].type !== 'ref') {
      throw new ExpressionError('expr_argument', 'count() takes a repeat reference', nameToken.position);
    }
    if (name === 'regex' && args[1].type === 'literal' && typeof args[1].value === 'string') {
      // Report a bad literal pattern when the form is loaded, not when someone types.
      try {
        compileRegex(args[1].value);
      } catch (error) {
        throw new ExpressionError(error.code, error.detail, nameToken.position);
      }
    }
    return { type: 'call', name, args };
  }
}

export function parse(source) {
  return new Parser(source).parse();
}

// ---------------------------------------------------------------------------------------------
// Values and conversions. Values are strings, numbers, booleans and DateValue.

const MIN_DAYS = daysFromCivil(1, 1, 1);
const MAX_DAYS = daysFromCivil(9999, 12, 31);
const NUMBER_TEXT = /^[ \t\r\n]*-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[ \t\r\n]*$/;
const ISO_DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;

// Days since 1970-01-01 of a proleptic Gregorian date, and back: the era-based algorithms
// from Howard Hinnant's "chrono-Compatible Low-Level Date Algorithms". Built-in Date objects
// are avoided because they carry a time zone.
function daysFromCivil(year, month, day) {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

function civilFromDays(days) {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const dayOfEra = z - era * 146097;
  const leapCorrection = Math.floor(dayOfEra / 1460) - Math.floor(dayOfEra / 36524) + Math.floor(dayOfEra / 146096);
  const yearOfEra = Math.floor((dayOfEra - leapCorrection) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shiftedMonth = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * shiftedMonth + 2) / 5) + 1;
  const month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
  return [yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day];
}

const pad = (number, width) => String(number).padStart(width, '0');

function isoFromDays(days) {
  const [year, month, day] = civilFromDays(days);
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

function parseIsoDate(text) {
  const match = ISO_DATE.exec(text);
  if (match === null) return null;
  const [year, month, day] = match.slice(1).map(Number);
  const days = daysFromCivil(year, month, day);
  // An impossible date (2023-02-29, month 13) does not survive the round trip.
  if (year < 1 || month < 1 || month > 12 || isoFromDays(days) !== text) return null;
  return new DateValue(days);
}

function fromDays(days) {
  if (!Number.isFinite(days)) return null;
  const whole = Math.floor(days);
  return whole >= MIN_DAYS && whole <= MAX_DAYS ? new DateValue(whole) : null;
}

export function toNumber(value) {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return value;
  if (value instanceof DateValue) return value.days;
  if (NUMBER_TEXT.test(value)) return Number(value);
  const date = parseIsoDate(value);
  return date === null ? NaN : date.days;
}

export function toString(value) {
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return formatNumber(value);
  if (value instanceof DateValue) return value.toString();
  return value;
}

export function toBoolean(value) {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return !(value === 0 || Number.isNaN(value));
  if (value instanceof DateValue) return true;
  return value !== '';
}

/** A date from a date, a YYYY-MM-DD string or a number of days since 1970-01-01. */
export function toDate(value) {
  if (value instanceof DateValue) return value;
  if (typeof value === 'boolean') return null;
  if (typeof value === 'number') return fromDays(value);
  return parseIsoDate(value);
}

// String(x) splits into digits and an exponent; the exponent form appears only below 1e-6
// for non-integers (integers are printed through BigInt).
const EXPONENT_FORM = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/;

function formatNumber(value) {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
  if (Number.isInteger(value)) return BigInt(value).toString();
  const text = String(value);
  const match = EXPONENT_FORM.exec(text);
  if (match === null) return text;
  const [, sign, whole, fraction = '', exponent] = match;
  return `${sign}0.${'0'.repeat(-Number(exponent) - whole.length)}${whole}${fraction}`;
}

function fromJson(value, name) {
  if (Array.isArray(value)) return value.map((item) => toString(scalarFromJson(item, name))).join(' ');
  return scalarFromJson(value, name);
}

function scalarFromJson(value, name) {
  if (value === null || value === undefined) return '';
  if (typeof value === 'boolean' || typeof value === 'string' || typeof value === 'number') return value;
  throw new ExpressionError('expr_value', `field ${name} holds an unsupported ${typeof value} value`);
}

// ---------------------------------------------------------------------------------------------
// Regular expressions: the portable subset documented in app/forms/expression.py, translated
// to an explicit JavaScript form (compiled with the u flag, so that . and classes take whole
// code points, and without m, so that ^ and $ mean the whole value).

const REGEX_SYNTAX = '^$\\.*+?()[]{}|/-';
const CLASS_ESCAPES = { d: '0-9', w: 'A-Za-z0-9_', s: ' \\t\\n\\r\\f\\v' };
const CHAR_ESCAPES = { t: '\t', n: '\n', r: '\r' };
const MAX_REPEAT = 1000;
const HEX4 = /^[0-9a-fA-F]{4}$/;

// Escape a literal for the u flag, which allows escaping syntax characters only.
const escapeOutside = (char) => ('^$\\.*+?()[]{}|/'.includes(char) ? `\\${char}` : char);
const escapeInside = (char) => ('\\]^-['.includes(char) ? `\\${char}` : char);

class RegexTranslator {
  constructor(pattern) {
    this.pattern = pattern;
    this.chars = Array.from(pattern);
    this.i = 0;
  }

  fail(reason) {
    return new ExpressionError('expr_regex', `regular expression '${this.pattern}': ${reason} at ${this.i}`);
  }

  peek() {
    return this.chars[this.i] ?? '';
  }

  take() {
    const char = this.peek();
    if (!char) throw this.fail('unexpected end');
    this.i += 1;
    return char;
  }

  translate() {
    const out = this.alternation();
    if (this.i < this.chars.length) throw this.fail('unbalanced )');
    return out;
  }

  alternation() {
    const parts = [this.sequence()];
    while (this.peek() === '|') {
      this.i += 1;
      parts.push(this.sequence());
    }
    return parts.join('|');
  }

  sequence() {
    let out = '';
    while (!['', '|', ')'].includes(this.peek())) {
      const char = this.peek();
      if (char === '^' || char === '$') {
        this.i += 1;
        out += char;
      } else {
        out += this.atom() + this.quantifier();
      }
    }
    return out;
  }

  atom() {
    const char = this.take();
    if (char === '.') return '[^\\n]'; // JavaScript's . would also refuse \r, U+2028 and U+2029
    if (char === '(') {
      if (this.peek() === '?') {
        if (this.chars[this.i + 1] !== ':') throw this.fail('only (?: ) groups are supported');
        this.i += 2;
      }
      const inner = this.alternation();
      if (this.take() !== ')') throw this.fail('missing )');
      return `(?:${inner})`;
    }
    if (char === '[') return this.charClass();
    if (char === '\\') {
      const [kind, text] = this.escape();
      if (kind === 'set') return `[${text}]`;
      if (kind === 'negated set') return `[^${text}]`;
      return escapeOutside(text);
    }
    if ('*+?{'.includes(char)) throw this.fail('nothing to repeat');
    if (')]}'.includes(char)) throw this.fail(`unescaped ${char}`);
    return escapeOutside(char);
  }

  escape() {
    const char = this.take();
    if (Object.hasOwn(CLASS_ESCAPES, char)) return ['set', CLASS_ESCAPES[char]];
    const lower = char.toLowerCase();
    if (Object.hasOwn(CLASS_ESCAPES, lower)) return ['negated set', CLASS_ESCAPES[lower]];
    if (Object.hasOwn(CHAR_ESCAPES, char)) return ['char', CHAR_ESCAPES[char]];
    if (char === 'u') {
      const digits = this.chars.slice(this.i, this.i + 4).join('');
      if (!HEX4.test(digits)) throw this.fail('\\u needs four hex digits');
      const code = parseInt(digits, 16);
      if (code >= 0xd800 && code <= 0xdfff) throw this.fail('\\u cannot name a surrogate');
      this.i += 4;
      return ['char', String.fromCodePoint(code)];
    }
    if (REGEX_SYNTAX.includes(char)) return ['char', char];
    throw this.fail(`unsupported escape \\${char}`);
  }

  quantifier() {
    const char = this.peek();
    let out;
    if (char === '*' || char === '+' || char === '?') {
      this.i += 1;
      out = char;
    } else if (char === '{') {
      this.i += 1;
      const low = this.bound();
      let high = low;
      if (this.peek() === ',') {
        this.i += 1;
        high = this.peek() !== '}' ? this.bound() : null;
      }
      if (this.take() !== '}') throw this.fail('malformed {n,m}');
      if (high !== null && high < low) throw this.fail('{n,m} with m < n');
      out = high === low ? `{${low}}` : `{${low},${high === null ? '' : high}}`;
    } else {
      return '';
    }
    if (this.peek() === '?') {
      this.i += 1;
      out += '?';
    }
    if (['*', '+', '?', '{'].includes(this.peek())) throw this.fail('quantifier follows a quantifier');
    return out;
  }

  bound() {
    const start = this.i;
    while (isDigit(this.peek())) this.i += 1;
    const text = this.chars.slice(start, this.i).join('');
    if (text === '' || text.length > 4 || Number(text) > MAX_REPEAT) {
      throw this.fail(`repeat counts must be 0 to ${MAX_REPEAT}`);
    }
    return Number(text);
  }

  charClass() {
    const negated = this.peek() === '^';
    if (negated) this.i += 1;
    const items = [];
    while (this.peek() !== ']') {
      const [kind, low] = this.classItem();
      if (kind === 'set') {
        items.push(low);
        continue;
      }
      // A "-" between two characters is a range; first, last or after a range it is literal.
      if (this.peek() === '-' && !['', ']'].includes(this.chars[this.i + 1] ?? '')) {
        this.i += 1;
        const [highKind, high] = this.classItem();
        if (highKind !== 'char' || high.codePointAt(0) < low.codePointAt(0)) {
          throw this.fail('bad range in [...]');
        }
        items.push(`${escapeInside(low)}-${escapeInside(high)}`);
      } else {
        items.push(escapeInside(low));
      }
    }
    this.i += 1;
    if (items.length === 0) throw this.fail('empty [...]');
    return `[${negated ? '^' : ''}${items.join('')}]`;
  }

  classItem() {
    const char = this.take();
    if (char !== '\\') return ['char', char];
    const [kind, text] = this.escape();
    if (kind === 'negated set') throw this.fail('\\D, \\W and \\S cannot stand inside [...]');
    return [kind, text];
  }
}

const regexCache = new Map();

function compileRegex(pattern) {
  let regex = regexCache.get(pattern);
  if (regex === undefined) {
    regex = new RegExp(new RegexTranslator(pattern).translate(), 'u');
    if (regexCache.size >= 256) regexCache.clear(); // patterns built from field values are rare
    regexCache.set(pattern, regex);
  }
  return regex;
}

// ---------------------------------------------------------------------------------------------
// Evaluation

function localToday() {
  const now = new Date();
  return new DateValue(daysFromCivil(now.getFullYear(), now.getMonth() + 1, now.getDate()));
}

class Evaluation {
  constructor(ctx) {
    this.values = ctx.values ?? {};
    this.repeat = ctx.repeat ?? null;
    this.repeats = ctx.repeats ?? {};
    this.current = ctx.current;
    this.today = ctx.today ? parseIsoDate(ctx.today) : localToday();
    if (this.today === null) throw new TypeError(`ctx.today must be YYYY-MM-DD, not ${ctx.today}`);
  }

  eval(node) {
    switch (node.type) {
      case 'literal':
        return node.value;
      case 'ref':
        return this.lookup(node.name);
      case 'current':
        return fromJson(this.current, '.');
      case 'negate':
        return -toNumber(this.eval(node.operand));
      case 'binary':
        return this.chain(node);
      case 'call': {
        const fn = FUNCTIONS[node.name];
        return fn.lazy ? fn.impl(this, node.args) : fn.impl(this, node.args.map((arg) => this.eval(arg)));
      }
      default:
        throw new TypeError(`not an expression node: ${JSON.stringify(node)}`);
    }
  }

  lookup(name) {
    if (this.repeat !== null && Object.hasOwn(this.repeat, name)) return fromJson(this.repeat[name], name);
    return fromJson(Object.hasOwn(this.values, name) ? this.values[name] : null, name);
  }

  chain(node) {
    // A chain such as a or b or c ... parses into a left-deep tree as deep as the chain is
    // long; folding along its left spine in a loop keeps long chains off the stack.
    const spine = [];
    let link = node;
    for (; link.type === 'binary'; link = link.left) spine.push(link);
    let value = this.eval(link);
    for (const { op, right } of spine.reverse()) value = this.binary(op, value, right);
    return value;
  }

  binary(op, a, right) {
    // and / or short-circuit, like if(): the other side may not even be computable.
    if (op === 'and') return toBoolean(a) && toBoolean(this.eval(right));
    if (op === 'or') return toBoolean(a) || toBoolean(this.eval(right));
    const b = this.eval(right);
    if (op === '=') return equals(a, b);
    if (op === '!=') return !equals(a, b);
    if (op === '+' || op === '-') return addOrSubtract(op, a, b);
    return NUMERIC_OPERATORS[op](toNumber(a), toNumber(b));
  }
}

function equals(a, b) {
  if (typeof a === 'boolean' || typeof b === 'boolean') return toBoolean(a) === toBoolean(b);
  const numeric = (value) => typeof value === 'number' || value instanceof DateValue;
  if (numeric(a) || numeric(b)) return toNumber(a) === toNumber(b);
  return a === b;
}

/** In + and -, dates and YYYY-MM-DD strings are dates; numbers are days, not dates. */
function asDateOperand(value) {
  if (value instanceof DateValue) return value;
  if (typeof value === 'string') return parseIsoDate(value);
  return null;
}

function addOrSubtract(op, a, b) {
  const dateA = asDateOperand(a);
  const dateB = asDateOperand(b);
  if (dateA && !dateB) {
    const shift = op === '+' ? toNumber(b) : -toNumber(b);
    return fromDays(dateA.days + shift) ?? '';
  }
  if (op === '+' && dateB && !dateA) return fromDays(dateB.days + toNumber(a)) ?? '';
  const x = toNumber(a);
  const y = toNumber(b);
  return op === '+' ? x + y : x - y;
}

const NUMERIC_OPERATORS = {
  '<': (x, y) => x < y,
  '<=': (x, y) => x <= y,
  '>': (x, y) => x > y,
  '>=': (x, y) => x >= y,
  '*': (x, y) => x * y,
  div: (x, y) => x / y, // IEEE division already gives Infinity and NaN as specified
  mod: (x, y) => x % y, // truncated remainder, NaN for a zero divisor
};

// ---------------------------------------------------------------------------------------------
// Functions: name -> {min, max (null: no limit), impl, lazy (impl gets argument nodes)}

const FUNCTIONS = Object.create(null);

function define(name, arity, impl, lazy = false) {
  const [min, max] = typeof arity === 'number' ? [arity, arity] : arity;
  FUNCTIONS[name] = { min, max, impl, lazy };
}

define('if', 3, (ev, args) => (toBoolean(ev.eval(args[0])) ? ev.eval(args[1]) : ev.eval(args[2])), true);
const instances = (ev, repeat) => (Object.hasOwn(ev.repeats, repeat) ? ev.repeats[repeat] ?? [] : []);
define('count', 1, (ev, [repeat]) => instances(ev, repeat.name).length, true);
define('true', 0, () => true);
define('false', 0, () => false);
define('not', 1, (ev, [value]) => !toBoolean(value));
define('boolean', 1, (ev, [value]) => toBoolean(value));
define('number', 1, (ev, [value]) => toNumber(value));
define('string', 1, (ev, [value]) => toString(value));
define('int', 1, (ev, [value]) => Math.trunc(toNumber(value)));

// Round to n decimals (default 0), half towards +Infinity as XPath does, on the number as
// written: round(1.005, 2) is 1.01 although the double 1.005 lies just below it.
define('round', [1, 2], (ev, args) => {
  const value = toNumber(args[0]);
  let digits = args.length > 1 ? toNumber(args[1]) : 0;
  if (Number.isNaN(digits)) return NaN;
  if (!Number.isFinite(value)) return value;
  digits = Math.trunc(Math.max(-400, Math.min(400, digits))); // beyond 400 places no double changes
  // Shift the decimal point in the shortest round-trip text, exactly, before rounding.
  const [mantissa, exponent = '0'] = String(value).split('e');
  const shifted = Number(`${mantissa}e${Number(exponent) + digits}`);
  if (!Number.isFinite(shifted)) return value;
  let whole = Math.floor(shifted);
  if (shifted - whole >= 0.5) whole += 1;
  return Number(`${BigInt(whole)}e${-digits}`);
});

const selection = (value) => toString(value).split(/[ \t\r\n]+/).filter((item) => item !== '');
const trimXPath = (text) => text.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');

define('selected', 2, (ev, [list, choice]) => selection(list).includes(trimXPath(toString(choice))));
define('count-selected', 1, (ev, [list]) => selection(list).length);
define('string-length', 1, (ev, [value]) => Array.from(toString(value)).length); // '𠀀' is one
define('regex', 2, (ev, [value, pattern]) => compileRegex(toString(pattern)).test(toString(value)));
define('concat', [1, null], (ev, args) => args.map(toString).join(''));
define('coalesce', 2, (ev, [first, second]) => (toString(first) !== '' ? first : second));
define('today', 0, (ev) => ev.today);
define('date', 1, (ev, [value]) => toDate(value) ?? '');

// Whole years completed on the reference date (default today); someone born on 29 February
// turns a year older on 1 March in common years.
define('age', [1, 2], (ev, args) => {
  const birth = toDate(args[0]);
  const on = args.length > 1 ? toDate(args[1]) : ev.today;
  if (birth === null || on === null) return '';
  const [birthYear, birthMonth, birthDay] = civilFromDays(birth.days);
  const [year, month, day] = civilFromDays(on.days);
  const beforeBirthday = month < birthMonth || (month === birthMonth && day < birthDay);
  return year - birthYear - (beforeBirthday ? 1 : 0);
});

// %Y %y %m %n %d %e as in ODK (%n and %e without zero padding); other text is copied.
define('format-date', 2, (ev, [value, format]) => {
  const date = toDate(value);
  if (date === null) return '';
  const [year, month, day] = civilFromDays(date.days);
  const fields = {
    Y: pad(year, 4),
    y: pad(year % 100, 2),
    m: pad(month, 2),
    n: String(month),
    d: pad(day, 2),
    e: String(day),
  };
  return toString(format).replace(/%([Yymnde])/g, (match, letter) => fields[letter]);
});

const idCheck = (ev, value) => checkId(toString(value), { today: ev.today.toString() });
define('id-valid', 1, (ev, [value]) => idCheck(ev, value).valid);
define('id-birthdate', 1, (ev, [value]) => idCheck(ev, value).birthDate ?? '');
define('id-sex', 1, (ev, [value]) => idCheck(ev, value).sex ?? '');

/**
 * Evaluate an expression (source text or a parsed AST) against a form's values.
 * ctx: {values, repeat, repeats, today: 'YYYY-MM-DD' (default: the device's date), current}
 */
export function evaluate(astOrSource, ctx = {}) {
  const node = typeof astOrSource === 'string' ? parse(astOrSource) : astOrSource;
  return new Evaluation(ctx).eval(node);
}
