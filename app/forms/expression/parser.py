"""Tokenizer and recursive-descent parser: source text to a syntax tree, never eval()."""
from __future__ import annotations

from dataclasses import dataclass

from app.forms.expression.functions import FUNCTIONS
from app.forms.expression.nodes import (WHITESPACE, Binary, Call, Current, ExpressionError, Literal, Negate,
                                        Node, Ref, is_digit)
from app.forms.expression.regex import compile_regex

# ---------------------------------------------------------------------------------------------
# Tokenizer


@dataclass(frozen=True)
class _Token:
    kind: str  # num, str, ref, name, op, dot, end
    value: str | float
    position: int
    text: str  # as written, for error messages


_OPERATORS = ("!=", "<=", ">=", "=", "<", ">", "+", "-", "*", "(", ")", ",")



def _is_name_start(char: str) -> bool:
    return "a" <= char <= "z" or "A" <= char <= "Z" or char == "_"


def _is_name_char(char: str) -> bool:
    return _is_name_start(char) or is_digit(char) or char in ".-"


def _tokenize(source: str) -> list[_Token]:
    tokens = []
    i = 0
    while i < len(source):
        char = source[i]
        if char in WHITESPACE:
            i += 1
        elif source.startswith("${", i):
            end = source.find("}", i)
            name = source[i + 2:end] if end != -1 else ""
            if not (name and _is_name_start(name[0]) and all(map(_is_name_char, name))):
                raise ExpressionError("expr_syntax", "malformed field reference, expected ${name}", i)
            tokens.append(_Token("ref", name, i, source[i:end + 1]))
            i = end + 1
        elif is_digit(char) or (char == "." and is_digit(source[i + 1:i + 2])):
            end = i
            while end < len(source) and is_digit(source[end]):
                end += 1
            if source[end:end + 1] == ".":
                end += 1
                while end < len(source) and is_digit(source[end]):
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
        function = FUNCTIONS.get(name)
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
                compile_regex(args[1].value)
            except ExpressionError as error:
                raise ExpressionError(error.code, error.detail, name_token.position) from None
        return Call(name, tuple(args))


def _unexpected(token: _Token, hint: str = "") -> ExpressionError:
    what = "end of expression" if token.kind == "end" else token.text
    detail = f"unexpected {what}" + (f", {hint}" if hint else "")
    return ExpressionError("expr_syntax", detail, token.position)


def parse(source: str) -> Node:
    return _Parser(source).parse()
