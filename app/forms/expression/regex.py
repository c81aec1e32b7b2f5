"""The portable subset of regular expressions that Python and JavaScript read alike."""
from __future__ import annotations

import re
from functools import lru_cache

from app.forms.expression.nodes import ExpressionError, is_digit

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
        while is_digit(self.peek()):
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
def compile_regex(pattern: str) -> re.Pattern[str]:
    return re.compile(_RegexTranslator(pattern).translate())
