"""The form expression language: an XLSForm / ODK XPath subset.

Used in the relevant, constraint, calculation and choice_filter columns of a form. The browser
runs static/js/expression.js; the server re-runs this module on every submission, and the
shared cases in survey_forms/expression_vectors.json prove the two give the same answers.
Expressions are parsed to an AST and interpreted; nothing is ever passed to eval().

Value semantics (identical in both implementations):

- Values are strings, numbers (IEEE doubles), booleans and dates. Field values come from JSON:
  null or a missing field is the empty string, a JSON array (select_multiple) is its items
  joined with spaces; objects are rejected (`expr_value`).
- Conversions follow XPath 1.0. To boolean: "" and 0 and NaN are false, every date is true.
  To number: strict XPath decimals (no exponent, no "+"), else NaN; a date, or a string that
  is exactly a valid YYYY-MM-DD date, is its count of days since 1970-01-01. To string:
  integers without a decimal point, other numbers as the shortest round-trip decimal without
  an exponent, NaN / Infinity / -Infinity, dates as YYYY-MM-DD.
- `=` and `!=` compare as booleans if either side is boolean, as numbers if either side is a
  number or a date, else as strings. `<` `<=` `>` `>=` always compare numbers, so NaN (for
  example an empty field) makes them false.
- Date arithmetic: date + number and date - number give a date (whole days, rounded down);
  date - date gives the number of days; every other arithmetic is on numbers. A date outside
  0001-01-01..9999-12-31, or one that cannot be read, is the empty string.
- `div` by zero gives Infinity, -Infinity or NaN; `mod` is the truncated remainder (the sign
  follows the dividend) and NaN when dividing by zero.
- String lengths and error positions count Unicode code points, not UTF-16 units.
- regex(value, pattern) is true when the pattern matches anywhere in the value; anchor with
  ^ and $ to test the whole value. Only a portable subset of regular expressions is accepted
  (see _RegexTranslator) so that Python `re` and JavaScript `RegExp` agree.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache

from app.clock import CHINA_TZ
from app.common import idcard

MESSAGES = {
    "expr_syntax": {"zh": "表达式语法错误", "en": "Expression syntax error"},
    "expr_unknown_function": {"zh": "表达式使用了未知的函数", "en": "Unknown function in expression"},
    "expr_arity": {"zh": "函数的参数个数不对", "en": "Wrong number of arguments to a function"},
    "expr_argument": {
        "zh": "count() 的参数必须是重复组引用，例如 ${members}",
        "en": "The argument of count() must be a repeat reference such as ${members}",
    },
    "expr_regex": {
        "zh": "正则表达式无效或使用了不支持的写法",
        "en": "Invalid or unsupported regular expression",
    },
    "expr_value": {"zh": "字段值的类型不受支持", "en": "Unsupported field value type"},
}


class ExpressionError(ValueError):
    """A bad expression (or field value). `code` is stable; `position` counts code points."""

    def __init__(self, code: str, detail: str, position: int | None = None):
        super().__init__(detail if position is None else f"{detail} (at character {position})")
        self.code = code
        self.detail = detail
        self.position = position


# ---------------------------------------------------------------------------------------------
# AST


@dataclass(frozen=True)
class Literal:
    value: str | float


@dataclass(frozen=True)
class Ref:
    name: str


@dataclass(frozen=True)
class Current:
    """`.`: the value of the field the constraint belongs to."""


@dataclass(frozen=True)
class Negate:
    operand: Node


@dataclass(frozen=True)
class Binary:
    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Node, ...]


Node = Literal | Ref | Current | Negate | Binary | Call


def references(node: Node) -> set[str]:
    """Names of the fields the expression reads through ${name}."""
    names: set[str] = set()
    pending = [node]  # a loop, not recursion: a long a or b or ... chain is a deep tree
    while pending:
        match pending.pop():
            case Ref(name):
                names.add(name)
            case Negate(operand):
                pending.append(operand)
            case Binary(_, left, right):
                pending += (left, right)
            case Call(_, args):
                pending += args
    return names


# ---------------------------------------------------------------------------------------------
# Tokenizer


@dataclass(frozen=True)
class _Token:
    kind: str  # num, str, ref, name, op, dot, end
    value: str | float
    position: int
    text: str  # as written, for error messages


_WHITESPACE = " \t\r\n"  # XPath's whitespace; anything else outside a string is an error
_OPERATORS = ("!=", "<=", ">=", "=", "<", ">", "+", "-", "*", "(", ")", ",")


def _is_digit(char: str) -> bool:
    return "0" <= char <= "9"


def _is_name_start(char: str) -> bool:
    return "a" <= char <= "z" or "A" <= char <= "Z" or char == "_"


def _is_name_char(char: str) -> bool:
    return _is_name_start(char) or _is_digit(char) or char in ".-"


def _tokenize(source: str) -> list[_Token]:
    tokens = []
    i = 0
    while i < len(source):
        char = source[i]
        if char in _WHITESPACE:
            i += 1
        elif source.startswith("${", i):
            end = source.find("}", i)
            name = source[i + 2:end] if end != -1 else ""
            if not (name and _is_name_start(name[0]) and all(map(_is_name_char, name))):
                raise ExpressionError("expr_syntax", "malformed field reference, expected ${name}", i)
            tokens.append(_Token("ref", name, i, source[i:end + 1]))
            i = end + 1
        elif _is_digit(char) or (char == "." and _is_digit(source[i + 1:i + 2])):
            end = i
            while end < len(source) and _is_digit(source[end]):
                end += 1
            if source[end:end + 1] == ".":
                end += 1
                while end < len(source) and _is_digit(source[end]):
                    end += 1
            tokens.append(_Token("num", float(source[i:end]), i, source[i:end]))
            i = end
        elif char == ".":
            tokens.append(_Token("dot", ".", i, "."))
            i += 1
        elif char in "'\"":
            end = source.find(char, i + 1)
            if end == -1:
                raise ExpressionError("expr_syntax", "unterminated string", i)
            tokens.append(_Token("str", source[i + 1:end], i, source[i:end + 1]))
            i = end + 1
        elif _is_name_start(char):
            end = i + 1
            while end < len(source) and _is_name_char(source[end]):
                end += 1
            tokens.append(_Token("name", source[i:end], i, source[i:end]))
            i = end
        else:
            op = next((op for op in _OPERATORS if source.startswith(op, i)), None)
            if op is None:
                raise ExpressionError("expr_syntax", f"unexpected character {char!r}", i)
            tokens.append(_Token("op", op, i, op))
            i += len(op)
    tokens.append(_Token("end", "", len(source), ""))
    return tokens


# ---------------------------------------------------------------------------------------------
# Parser: recursive descent, XPath 1.0 precedence from loosest to tightest.

_LEVELS = (("or",), ("and",), ("=", "!="), ("<", "<=", ">", ">="), ("+", "-"), ("*", "div", "mod"))
# Deep nesting would exhaust Python's recursion limit (about ten frames per level);
# no real form comes near this.
_MAX_DEPTH = 40


class _Parser:
    def __init__(self, source: str):
        self.tokens = _tokenize(source)
        self.index = 0
        self.depth = 0

    def parse(self) -> Node:
        node = self.binary(0)
        token = self.peek()
        if token.kind != "end":
            raise _unexpected(token)
        return node

    def peek(self) -> _Token:
        return self.tokens[self.index]

    def advance(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def expect(self, op: str) -> None:
        token = self.advance()
        if token.kind != "op" or token.value != op:
            raise _unexpected(token, f"expected {op!r}")

    def nest(self, token: _Token) -> None:
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            raise ExpressionError("expr_syntax", "expression nested too deeply", token.position)

    def binary(self, level: int) -> Node:
        if level == len(_LEVELS):
            return self.unary()
        node = self.binary(level + 1)
        # Operator names (and, or, div, mod) are operators wherever an operator may stand.
        while self.peek().kind in ("op", "name") and self.peek().value in _LEVELS[level]:
            op = self.advance().value
            node = Binary(op, node, self.binary(level + 1))
        return node

    def unary(self) -> Node:
        token = self.peek()
        if token.kind == "op" and token.value == "-":
            self.advance()
            self.nest(token)
            node = Negate(self.unary())
            self.depth -= 1
            return node
        return self.primary()

    def primary(self) -> Node:
        token = self.advance()
        if token.kind in ("num", "str"):
            return Literal(token.value)
        if token.kind == "ref":
            return Ref(token.value)
        if token.kind == "dot":
            return Current()
        if token.kind == "op" and token.value == "(":
            self.nest(token)
            node = self.binary(0)
            self.expect(")")
            self.depth -= 1
            return node
        if token.kind == "name" and self.peek().kind == "op" and self.peek().value == "(":
            return self.call(token)
        if token.kind == "name":
            detail = f"unexpected name {token.value!r}; fields are written ${{name}}"
            raise ExpressionError("expr_syntax", detail, token.position)
        raise _unexpected(token)

    def call(self, name_token: _Token) -> Node:
        name = name_token.value
        function = _FUNCTIONS.get(name)
        if function is None:
            raise ExpressionError("expr_unknown_function", f"unknown function {name}()", name_token.position)
        self.nest(name_token)
        self.expect("(")
        args = []
        if not (self.peek().kind == "op" and self.peek().value == ")"):
            args.append(self.binary(0))
            while self.peek().kind == "op" and self.peek().value == ",":
                self.advance()
                args.append(self.binary(0))
        self.expect(")")
        self.depth -= 1
        if len(args) < function.min_args or (function.max_args is not None and len(args) > function.max_args):
            raise ExpressionError("expr_arity", f"wrong number of arguments to {name}()", name_token.position)
        if name == "count" and not isinstance(args[0], Ref):
            raise ExpressionError("expr_argument", "count() takes a repeat reference", name_token.position)
        if name == "regex" and isinstance(args[1], Literal) and isinstance(args[1].value, str):
            # Report a bad literal pattern when the form is loaded, not when someone types.
            try:
                _compile_regex(args[1].value)
            except ExpressionError as error:
                raise ExpressionError(error.code, error.detail, name_token.position) from None
        return Call(name, tuple(args))


def _unexpected(token: _Token, hint: str = "") -> ExpressionError:
    what = "end of expression" if token.kind == "end" else token.text
    detail = f"unexpected {what}" + (f", {hint}" if hint else "")
    return ExpressionError("expr_syntax", detail, token.position)


def parse(source: str) -> Node:
    return _Parser(source).parse()


# ---------------------------------------------------------------------------------------------
# Values and conversions

Value = str | float | bool | date

_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_NUMBER_TEXT = re.compile(r"[ \t\r\n]*-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[ \t\r\n]*")
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")


def _parse_iso_date(text: str) -> date | None:
    match = _ISO_DATE.fullmatch(text)
    if match is None:
        return None
    try:
        return date(*map(int, match.groups()))
    except ValueError:
        return None


def _days(value: date) -> int:
    return value.toordinal() - _EPOCH_ORDINAL


def _from_days(days: float) -> date | None:
    if not math.isfinite(days):
        return None
    ordinal = math.floor(days) + _EPOCH_ORDINAL
    if not 1 <= ordinal <= date.max.toordinal():
        return None
    return date.fromordinal(ordinal)


def to_number(value: Value) -> float:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, float):
        return value
    if isinstance(value, date):
        return float(_days(value))
    if _NUMBER_TEXT.fullmatch(value):
        return float(value)
    as_date = _parse_iso_date(value)
    return float(_days(as_date)) if as_date else math.nan


def to_string(value: Value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _format_number(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def to_boolean(value: Value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        return not (value == 0 or math.isnan(value))
    if isinstance(value, date):
        return True
    return value != ""


def to_date(value: Value) -> date | None:
    """A date from a date, a YYYY-MM-DD string or a number of days since 1970-01-01."""
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        return _from_days(value)
    return _parse_iso_date(value)


def _format_number(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value.is_integer():
        return str(int(value))
    # repr() gives the shortest round-trip digits, as JavaScript's String() does; Decimal
    # drops the exponent each uses for small numbers (Python's 1e-05, JavaScript's 1e-7).
    return format(Decimal(repr(value)), "f")


def _from_json(value: object, name: str) -> Value:
    if isinstance(value, list):
        return " ".join(to_string(_scalar_from_json(item, name)) for item in value)
    return _scalar_from_json(value, name)


def _scalar_from_json(value: object, name: str) -> Value:
    if value is None:
        return ""
    if isinstance(value, bool | str):
        return value
    if isinstance(value, int | float):
        return float(value)
    raise ExpressionError("expr_value", f"field {name} holds an unsupported {type(value).__name__} value")


# ---------------------------------------------------------------------------------------------
# Regular expressions: a portable subset, translated to Python `re` syntax.
#
#   alternation | ; groups ( ) and (?: ) ; quantifiers * + ? {n} {n,} {n,m} (n, m <= 1000),
#   each optionally lazy with a trailing ? ; anchors ^ $ (whole value, never per line) ;
#   . (any character but a newline) ; classes [...] and [^...] with ranges ;
#   escapes \d \w \s (ASCII digits, ASCII word characters, ASCII whitespace) and \D \W \S
#   (outside classes), \t \n \r, \uXXXX, and \ before any of ^ $ \ . * + ? ( ) [ ] { } | / -
#
# Everything else (back-references, look-around, \b, named groups, flags, a bare ] or }, a
# quantifier with nothing to repeat) is rejected, because Python and JavaScript disagree on
# it or read it differently. The output spells every construct explicitly (\d becomes [0-9],
# $ becomes \Z) so that the two engines cannot differ on Unicode digits or a final newline.

_REGEX_SYNTAX = "^$\\.*+?()[]{}|/-"
_CLASS_ESCAPES = {"d": "0-9", "w": "A-Za-z0-9_", "s": " \\t\\n\\r\\f\\v"}
_CHAR_ESCAPES = {"t": "\t", "n": "\n", "r": "\r"}
_MAX_REPEAT = 1000


class _RegexTranslator:
    def __init__(self, pattern: str):
        self.pattern = pattern
        self.i = 0

    def fail(self, reason: str) -> ExpressionError:
        return ExpressionError("expr_regex", f"regular expression {self.pattern!r}: {reason} at {self.i}")

    def peek(self) -> str:
        return self.pattern[self.i:self.i + 1]

    def take(self) -> str:
        char = self.peek()
        if not char:
            raise self.fail("unexpected end")
        self.i += 1
        return char

    def translate(self) -> str:
        out = self.alternation()
        if self.i < len(self.pattern):
            raise self.fail("unbalanced )")
        return out

    def alternation(self) -> str:
        parts = [self.sequence()]
        while self.peek() == "|":
            self.i += 1
            parts.append(self.sequence())
        return "|".join(parts)

    def sequence(self) -> str:
        out = []
        while self.peek() not in ("", "|", ")"):
            char = self.peek()
            if char == "^":
                self.i += 1
                out.append("^")
            elif char == "$":
                self.i += 1
                out.append(r"\Z")  # Python's $ also matches before a final newline
            else:
                out.append(self.atom() + self.quantifier())
        return "".join(out)

    def atom(self) -> str:
        char = self.take()
        if char == ".":
            return r"[^\n]"
        if char == "(":
            if self.peek() == "?":
                if self.pattern[self.i:self.i + 2] != "?:":
                    raise self.fail("only (?: ) groups are supported")
                self.i += 2
            inner = self.alternation()
            if self.take() != ")":
                raise self.fail("missing )")
            return f"(?:{inner})"
        if char == "[":
            return self.char_class()
        if char == "\\":
            kind, text = self.escape()
            if kind == "set":
                return f"[{text}]"
            if kind == "negated set":
                return f"[^{text}]"
            return re.escape(text)
        if char in "*+?{":
            raise self.fail("nothing to repeat")
        if char in ")]}":
            raise self.fail(f"unescaped {char}")
        return re.escape(char)

    def escape(self) -> tuple[str, str]:
        """Read after a backslash: ("set" | "negated set", class body) or ("char", char)."""
        char = self.take()
        if char in _CLASS_ESCAPES:
            return "set", _CLASS_ESCAPES[char]
        if char.lower() in _CLASS_ESCAPES:
            return "negated set", _CLASS_ESCAPES[char.lower()]
        if char in _CHAR_ESCAPES:
            return "char", _CHAR_ESCAPES[char]
        if char == "u":
            digits = self.pattern[self.i:self.i + 4]
            if len(digits) != 4 or not all(c in "0123456789abcdefABCDEF" for c in digits):
                raise self.fail("\\u needs four hex digits")
            code = int(digits, 16)
            if 0xD800 <= code <= 0xDFFF:
                raise self.fail("\\u cannot name a surrogate")
            self.i += 4
            return "char", chr(code)
        if char in _REGEX_SYNTAX:
            return "char", char
        raise self.fail(f"unsupported escape \\{char}")

    def quantifier(self) -> str:
        char = self.peek()
        if char in ("*", "+", "?"):
            self.i += 1
            out = char
        elif char == "{":
            self.i += 1
            low = self.bound()
            high = low
            if self.peek() == ",":
                self.i += 1
                high = self.bound() if self.peek() != "}" else None
            if self.take() != "}":
                raise self.fail("malformed {n,m}")
            if high is not None and high < low:
                raise self.fail("{n,m} with m < n")
            out = f"{{{low}}}" if high == low else f"{{{low},{'' if high is None else high}}}"
        else:
            return ""
        if self.peek() == "?":
            self.i += 1
            out += "?"
        if self.peek() in ("*", "+", "?", "{"):
            raise self.fail("quantifier follows a quantifier")
        return out

    def bound(self) -> int:
        start = self.i
        while _is_digit(self.peek()):
            self.i += 1
        if start == self.i or self.i - start > 4 or int(self.pattern[start:self.i]) > _MAX_REPEAT:
            raise self.fail(f"repeat counts must be 0 to {_MAX_REPEAT}")
        return int(self.pattern[start:self.i])

    def char_class(self) -> str:
        negated = self.peek() == "^"
        if negated:
            self.i += 1
        items = []
        while self.peek() != "]":
            kind, low = self.class_item()
            if kind == "set":
                items.append(low)
                continue
            # A "-" between two characters is a range; first, last or after a range it is literal.
            if self.peek() == "-" and self.pattern[self.i + 1:self.i + 2] not in ("", "]"):
                self.i += 1
                kind, high = self.class_item()
                if kind != "char" or high < low:
                    raise self.fail("bad range in [...]")
                items.append(f"{re.escape(low)}-{re.escape(high)}")
            else:
                items.append(re.escape(low))
        self.i += 1
        if not items:
            raise self.fail("empty [...]")
        return "[" + ("^" if negated else "") + "".join(items) + "]"

    def class_item(self) -> tuple[str, str]:
        char = self.take()
        if char != "\\":
            return "char", char
        kind, text = self.escape()
        if kind == "negated set":
            raise self.fail("\\D, \\W and \\S cannot stand inside [...]")
        return kind, text


@lru_cache(maxsize=256)
def _compile_regex(pattern: str) -> re.Pattern[str]:
    return re.compile(_RegexTranslator(pattern).translate())


# ---------------------------------------------------------------------------------------------
# Evaluation


@dataclass
class Context:
    """What an expression can see. Field values are JSON values as the form stores them."""

    values: dict
    repeat: dict | None = None  # the current repeat instance, e.g. one household member
    repeats: dict[str, list[dict]] | None = None  # every repeat's instances, for count()
    today: date | None = None  # defaults to the current date in China
    current: object = None  # the value `.` stands for in a constraint


class _Evaluation:
    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.today = ctx.today or datetime.now(CHINA_TZ).date()

    def eval(self, node: Node) -> Value:
        match node:
            case Literal(value):
                return value
            case Ref(name):
                return self.lookup(name)
            case Current():
                return _from_json(self.ctx.current, ".")
            case Negate(operand):
                return -to_number(self.eval(operand))
            case Binary():
                return self.chain(node)
            case Call(name, args):
                function = _FUNCTIONS[name]
                if function.lazy:
                    return function.impl(self, args)
                return function.impl(self, [self.eval(arg) for arg in args])
        raise TypeError(f"not an expression node: {node!r}")

    def lookup(self, name: str) -> Value:
        repeat = self.ctx.repeat
        if repeat is not None and name in repeat:
            return _from_json(repeat[name], name)
        return _from_json(self.ctx.values.get(name), name)

    def chain(self, node: Binary) -> Value:
        # A chain such as a or b or c ... parses into a left-deep tree as deep as the chain
        # is long; folding along its left spine in a loop keeps long chains off the stack.
        spine = []
        while isinstance(node, Binary):
            spine.append(node)
            node = node.left
        value = self.eval(node)
        for link in reversed(spine):
            value = self.binary(link.op, value, link.right)
        return value

    def binary(self, op: str, a: Value, right: Node) -> Value:
        # and / or short-circuit, like if(): the other side may not even be computable.
        if op == "and":
            return to_boolean(a) and to_boolean(self.eval(right))
        if op == "or":
            return to_boolean(a) or to_boolean(self.eval(right))
        b = self.eval(right)
        if op == "=":
            return _equals(a, b)
        if op == "!=":
            return not _equals(a, b)
        if op in ("+", "-"):
            return _add_or_subtract(op, a, b)
        return _NUMERIC_OPERATORS[op](to_number(a), to_number(b))


def _equals(a: Value, b: Value) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return to_boolean(a) == to_boolean(b)
    if isinstance(a, float | date) or isinstance(b, float | date):
        return to_number(a) == to_number(b)
    return a == b


def _as_date_operand(value: Value) -> date | None:
    """In + and -, dates and YYYY-MM-DD strings are dates; numbers are days, not dates."""
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return _parse_iso_date(value)
    return None


def _add_or_subtract(op: str, a: Value, b: Value) -> Value:
    date_a, date_b = _as_date_operand(a), _as_date_operand(b)
    if date_a and not date_b:
        shift = to_number(b) if op == "+" else -to_number(b)
        return _from_days(_days(date_a) + shift) or ""
    if op == "+" and date_b and not date_a:
        return _from_days(_days(date_b) + to_number(a)) or ""
    x, y = to_number(a), to_number(b)
    return x + y if op == "+" else x - y


def _divide(x: float, y: float) -> float:
    if y == 0:
        if x == 0 or math.isnan(x):
            return math.nan
        return math.copysign(math.inf, x) * math.copysign(1.0, y)
    return x / y


def _modulo(x: float, y: float) -> float:
    if y == 0 or math.isnan(x) or math.isnan(y) or math.isinf(x):
        return math.nan
    return math.fmod(x, y)  # same sign rule as JavaScript's %


_NUMERIC_OPERATORS: dict[str, Callable[[float, float], float | bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "*": operator.mul,
    "div": _divide,
    "mod": _modulo,
}


# ---------------------------------------------------------------------------------------------
# Functions


@dataclass(frozen=True)
class _Function:
    min_args: int
    max_args: int | None
    impl: Callable
    lazy: bool  # impl receives the argument nodes instead of their values


_FUNCTIONS: dict[str, _Function] = {}


def _function(name: str, arity: int | tuple[int, int | None], lazy: bool = False):
    """Register a function; arity is an exact count or (minimum, maximum or None)."""
    low, high = (arity, arity) if isinstance(arity, int) else arity

    def register(impl: Callable) -> Callable:
        _FUNCTIONS[name] = _Function(low, high, impl, lazy)
        return impl

    return register


@_function("if", 3, lazy=True)
def _if(ev: _Evaluation, args: tuple[Node, ...]) -> Value:
    return ev.eval(args[1]) if to_boolean(ev.eval(args[0])) else ev.eval(args[2])


@_function("count", 1, lazy=True)
def _count(ev: _Evaluation, args: tuple[Node, ...]) -> float:
    instances = (ev.ctx.repeats or {}).get(args[0].name) or []
    return float(len(instances))


@_function("true", 0)
def _true(ev, args) -> bool:
    return True


@_function("false", 0)
def _false(ev, args) -> bool:
    return False


@_function("not", 1)
def _not(ev, args) -> bool:
    return not to_boolean(args[0])


@_function("boolean", 1)
def _boolean(ev, args) -> bool:
    return to_boolean(args[0])


@_function("number", 1)
def _number(ev, args) -> float:
    return to_number(args[0])


@_function("string", 1)
def _string(ev, args) -> str:
    return to_string(args[0])


@_function("int", 1)
def _int(ev, args) -> float:
    value = to_number(args[0])
    if not math.isfinite(value):
        return value
    # copysign keeps -0 for values in (-1, 0), exactly as JavaScript's Math.trunc does.
    return math.copysign(float(math.trunc(value)), value)


@_function("round", (1, 2))
def _round(ev, args) -> float:
    """Round to n decimals (default 0), half towards +Infinity as XPath does, on the number
    as written: round(1.005, 2) is 1.01 although the double 1.005 lies just below it."""
    value = to_number(args[0])
    digits = to_number(args[1]) if len(args) > 1 else 0.0
    if math.isnan(digits):
        return math.nan
    if not math.isfinite(value):
        return value
    # Beyond 400 places no double changes; the bound keeps Decimal inside its exponent range.
    digits = int(max(-400.0, min(400.0, digits)))  # int() truncates towards zero
    # Shift the decimal point in the shortest round-trip text, exactly, before rounding.
    shifted = float(Decimal(repr(value)).scaleb(digits))
    if not math.isfinite(shifted):
        return value
    whole = math.floor(shifted)
    if shifted - whole >= 0.5:
        whole += 1
    return float(Decimal(whole).scaleb(-digits))


def _selection(value: Value) -> list[str]:
    return [item for item in re.split(r"[ \t\r\n]+", to_string(value)) if item]


@_function("selected", 2)
def _selected(ev, args) -> bool:
    return to_string(args[1]).strip(_WHITESPACE) in _selection(args[0])


@_function("count-selected", 1)
def _count_selected(ev, args) -> float:
    return float(len(_selection(args[0])))


@_function("string-length", 1)
def _string_length(ev, args) -> float:
    return float(len(to_string(args[0])))  # code points: '𠀀' is one character


@_function("regex", 2)
def _regex(ev, args) -> bool:
    return _compile_regex(to_string(args[1])).search(to_string(args[0])) is not None


@_function("concat", (1, None))
def _concat(ev, args) -> str:
    return "".join(map(to_string, args))


@_function("coalesce", 2)
def _coalesce(ev, args) -> Value:
    return args[0] if to_string(args[0]) != "" else args[1]


@_function("today", 0)
def _today(ev, args) -> date:
    return ev.today


@_function("date", 1)
def _date(ev, args) -> Value:
    return to_date(args[0]) or ""


@_function("age", (1, 2))
def _age(ev, args) -> Value:
    """Whole years completed on the reference date (default today); someone born on 29
    February turns a year older on 1 March in common years."""
    birth = to_date(args[0])
    on = to_date(args[1]) if len(args) > 1 else ev.today
    if birth is None or on is None:
        return ""
    return float(on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day)))


@_function("format-date", 2)
def _format_date(ev, args) -> str:
    """%Y %y %m %n %d %e as in ODK (%n and %e without zero padding); other text is copied."""
    value = to_date(args[0])
    if value is None:
        return ""
    fields = {
        "Y": f"{value.year:04d}",
        "y": f"{value.year % 100:02d}",
        "m": f"{value.month:02d}",
        "n": str(value.month),
        "d": f"{value.day:02d}",
        "e": str(value.day),
    }
    return re.sub(r"%([Yymnde])", lambda match: fields[match.group(1)], to_string(args[1]))


@_function("id-valid", 1)
def _id_valid(ev, args) -> bool:
    return idcard.check(to_string(args[0]), today=ev.today).valid


@_function("id-birthdate", 1)
def _id_birthdate(ev, args) -> str:
    birth_date = idcard.check(to_string(args[0]), today=ev.today).birth_date
    return birth_date.isoformat() if birth_date else ""


@_function("id-sex", 1)
def _id_sex(ev, args) -> str:
    return idcard.check(to_string(args[0]), today=ev.today).sex or ""


def evaluate(node_or_source: Node | str, ctx: Context | None = None) -> Value:
    """Evaluate an expression (source text or a parsed Node) against a form's values."""
    node = parse(node_or_source) if isinstance(node_or_source, str) else node_or_source
    return _Evaluation(ctx or Context({})).eval(node)
