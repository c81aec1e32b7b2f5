// Regular expressions: the portable subset documented in app/forms/expression/regex.py,
// translated to an explicit JavaScript form (compiled with the u flag, so that . and classes
// take whole code points, and without m, so that ^ and $ mean the whole value).
import { ExpressionError, isDigit } from './common.js';

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

export function compileRegex(pattern) {
  let regex = regexCache.get(pattern);
  if (regex === undefined) {
    regex = new RegExp(new RegexTranslator(pattern).translate(), 'u');
    if (regexCache.size >= 256) regexCache.clear(); // patterns built from field values are rare
    regexCache.set(pattern, regex);
  }
  return regex;
}
