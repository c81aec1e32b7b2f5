"""Evaluating a syntax tree against a form's values."""
from __future__ import annotations

import math
import operator
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from app.clock import CHINA_TZ
from app.forms.expression.functions import FUNCTIONS
from app.forms.expression.nodes import Binary, Call, Current, Literal, Negate, Node, Ref
from app.forms.expression.parser import parse
from app.forms.expression.values import (Value, days, from_days, from_json, parse_iso_date, to_boolean,
                                         to_number)


@dataclass
class Context:
    """What an expression can see. Field values are JSON values as the form stores them."""

    values: dict
    repeat: dict | None = None  # the current repeat instance, e.g. one household member
    repeats: dict[str, list[dict]] | None = None  # every repeat's instances, for count()
    today: date | None = None  # defaults to the current date in China
    current: object = None  # the value `.` stands for in a constraint


class Evaluation:
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
                return from_json(self.ctx.current, ".")
            case Negate(operand):
                return -to_number(self.eval(operand))
            case Binary():
                return self.chain(node)
            case Call(name, args):
                function = FUNCTIONS[name]
                if function.lazy:
                    return function.impl(self, args)
                return function.impl(self, [self.eval(arg) for arg in args])
        raise TypeError(f"not an expression node: {node!r}")

    def lookup(self, name: str) -> Value:
        repeat = self.ctx.repeat
        if repeat is not None and name in repeat:
            return from_json(repeat[name], name)
        return from_json(self.ctx.values.get(name), name)

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
        return parse_iso_date(value)
    return None


def _add_or_subtract(op: str, a: Value, b: Value) -> Value:
    date_a, date_b = _as_date_operand(a), _as_date_operand(b)
    if date_a and not date_b:
        shift = to_number(b) if op == "+" else -to_number(b)
        return from_days(days(date_a) + shift) or ""
    if op == "+" and date_b and not date_a:
        return from_days(days(date_b) + to_number(a)) or ""
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


def evaluate(node_or_source: Node | str, ctx: Context | None = None) -> Value:
    """Evaluate an expression (source text or a parsed Node) against a form's values."""
    node = parse(node_or_source) if isinstance(node_or_source, str) else node_or_source
    return Evaluation(ctx or Context({})).eval(node)
