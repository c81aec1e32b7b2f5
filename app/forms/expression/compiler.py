"""Compiling a syntax tree, once, into a Python closure that evaluates it.

A form's expressions run a hundred times and more for every household a phone pushes;
walking the tree each time (dispatching on node types, folding chains) cost more than the
work the nodes describe. The compiled closure takes the Context and returns the value, with
exactly the semantics of the package docstring. Its Context must have `today` set
(evaluate() sets it), which keeps one day for every today() of an evaluation.
"""
from __future__ import annotations

import math
import operator
from collections.abc import Callable
from datetime import date
from itertools import groupby
from typing import TYPE_CHECKING

from app.forms.expression.functions import FUNCTIONS
from app.forms.expression.nodes import Binary, Call, Current, Literal, Negate, Node, Ref
from app.forms.expression.values import (Value, days, from_days, from_json, parse_iso_date, to_boolean,
                                         to_number)

if TYPE_CHECKING:  # evaluation.py imports this module
    from app.forms.expression.evaluation import Context

Compiled = Callable[["Context"], Value]
_Step = Callable[[Value, "Context"], Value]  # one link of a chain: (left value, context) -> value


def compile_expression(node: Node) -> Compiled:
    match node:
        case Literal(value):
            return lambda ctx: value
        case Ref(name):
            return _lookup(name)
        case Current():
            return _current
        case Negate(operand):
            return _negate(compile_expression(operand))
        case Binary():
            return _chain(node)
        case Call(name, args):
            return _call(name, args)
    raise TypeError(f"not an expression node: {node!r}")


def _lookup(name: str) -> Compiled:
    def lookup(ctx: Context) -> Value:
        repeat = ctx.repeat
        value = repeat[name] if repeat is not None and name in repeat else ctx.values.get(name)
        return value if value.__class__ is str else from_json(value, name)  # text is the common case
    return lookup


def _current(ctx: Context) -> Value:
    value = ctx.current
    return value if value.__class__ is str else from_json(value, ".")


def _negate(operand: Compiled) -> Compiled:
    return lambda ctx: -to_number(operand(ctx))


def _call(name: str, args: tuple[Node, ...]) -> Compiled:
    function = FUNCTIONS[name]
    impl = function.impl
    if function.lazy:
        return impl(args, compile_expression)
    compiled = tuple(map(compile_expression, args))
    # Every argument runs, left to right, before the call; the usual arities without a loop.
    if not compiled:
        return lambda ctx: impl(ctx, ())
    if len(compiled) == 1:
        (only,) = compiled
        return lambda ctx: impl(ctx, (only(ctx),))
    if len(compiled) == 2:
        first, second = compiled
        return lambda ctx: impl(ctx, (first(ctx), second(ctx)))
    return lambda ctx: impl(ctx, tuple([arg(ctx) for arg in compiled]))


# -- binary operators


def _chain(node: Binary) -> Compiled:
    # A chain such as a or b or c ... parses into a left-deep tree as deep as the chain is
    # long; compiling each run of its left spine into one loop keeps long chains off the
    # stack, here and when the closure runs. The runs follow the precedence levels (an `or`
    # chain of `and` chains of comparisons...), so they nest only as deep as the levels go.
    spine = []
    while isinstance(node, Binary):
        spine.append(node)
        node = node.left
    compiled = compile_expression(node)
    for kind, run in groupby(reversed(spine), key=_run_kind):
        links = list(run)
        rights = [compile_expression(link.right) for link in links]
        if kind == "or":
            compiled = _any([compiled, *rights])
        elif kind == "and":
            compiled = _all([compiled, *rights])
        elif len(links) == 1:
            compiled = _binary(links[0], compiled, rights[0])
        else:
            compiled = _fold(compiled, [_step(link.op, right) for link, right in zip(links, rights)])
    return compiled


def _run_kind(link: Binary) -> str:
    return link.op if link.op in ("and", "or") else "eager"


def _any(operands: list[Compiled]) -> Compiled:
    # or short-circuits, like if(): the other side may not even be computable.
    # Operands are mostly comparisons, already true or false.
    def any_true(ctx: Context) -> bool:
        for operand in operands:
            value = operand(ctx)
            if value is True or (value is not False and to_boolean(value)):
                return True
        return False
    return any_true


def _all(operands: list[Compiled]) -> Compiled:
    def all_true(ctx: Context) -> bool:
        for operand in operands:
            value = operand(ctx)
            if value is False or (value is not True and not to_boolean(value)):
                return False
        return True
    return all_true


def _fold(first: Compiled, steps: list[_Step]) -> Compiled:
    def fold(ctx: Context) -> Value:
        value = first(ctx)
        for step in steps:
            value = step(value, ctx)
        return value
    return fold


def _step(op: str, right: Compiled) -> _Step:
    combine = _EAGER_OPERATORS[op]
    return lambda a, ctx: combine(a, right(ctx))


def _binary(node: Binary, left: Compiled, right: Compiled) -> Compiled:
    """One eager operator; comparing a field with a literal, the commonest rule of a form,
    skips the general comparison when the value's type already decides it."""
    if node.op in ("=", "!=") and isinstance(node.right, Literal):
        return _equals_literal(left, node.right.value, negate=node.op == "!=")
    combine = _EAGER_OPERATORS[node.op]
    return lambda ctx: combine(left(ctx), right(ctx))


def _equals_literal(left: Compiled, literal: str | float, negate: bool) -> Compiled:
    # A text literal against a text value compares as text, a number against a number as
    # numbers; any other pairing goes through _equals.
    kind = literal.__class__

    def equals(ctx: Context) -> bool:
        value = left(ctx)
        return value == literal if value.__class__ is kind else _equals(value, literal)

    def differs(ctx: Context) -> bool:
        value = left(ctx)
        return value != literal if value.__class__ is kind else not _equals(value, literal)

    return differs if negate else equals


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


def _numeric(function: Callable[[float, float], float | bool]) -> Callable[[Value, Value], Value]:
    return lambda a, b: function(to_number(a), to_number(b))


_EAGER_OPERATORS: dict[str, Callable[[Value, Value], Value]] = {
    "=": _equals,
    "!=": lambda a, b: not _equals(a, b),
    "+": lambda a, b: _add_or_subtract("+", a, b),
    "-": lambda a, b: _add_or_subtract("-", a, b),
    "<": _numeric(operator.lt),
    "<=": _numeric(operator.le),
    ">": _numeric(operator.gt),
    ">=": _numeric(operator.ge),
    "*": _numeric(operator.mul),
    "div": _numeric(_divide),
    "mod": _numeric(_modulo),
}
