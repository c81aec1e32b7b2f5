// The form expression language: an XLSForm / ODK XPath subset, for skip logic, constraints
// and calculations in the browser (also offline). app/forms/expression.py is the server's
// twin and its package docstring states the value semantics both follow; the shared cases in
// survey_forms/expression_vectors.json prove that the two give the same answers.
// Expressions are parsed to an AST and interpreted; nothing is ever passed to eval().
//
// Where JavaScript differs from Python the code works around it on purpose:
// - source text, strings and positions are handled as Unicode code points, not UTF-16 units;
// - regular expressions are translated to an explicit form and compiled with the u flag;
// - numbers print without exponents, and integers exactly (through BigInt).


import { check as checkId } from './idcard.js';
import { ExpressionError, isDigit } from './expression/common.js';
import { compileRegex } from './expression/regex.js';
import {
  DateValue, civilFromDays, daysFromCivil, fromDays, fromJson, pad, parseIsoDate, toBoolean, toDate, toNumber,
  toString,
} from './expression/values.js';

export { ExpressionError, MESSAGES } from './expression/common.js';
export { DateValue, toBoolean, toDate, toNumber, toString } from './expression/values.js';

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
