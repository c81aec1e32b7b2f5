"""The expression language's syntax tree, its error type and messages, and the lexical basics
(XPath whitespace, ASCII digits) that the parser, the regex translator and functions share."""
from __future__ import annotations

from dataclasses import dataclass

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


WHITESPACE = " \t\r\n"  # XPath's whitespace; anything else outside a string is an error
def is_digit(char: str) -> bool:
    return "0" <= char <= "9"
