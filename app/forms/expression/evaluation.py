"""Evaluating an expression against a form's values."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date, datetime

from app.clock import CHINA_TZ
from app.forms.expression.compiler import compile_expression
from app.forms.expression.nodes import Node
from app.forms.expression.parser import parse
from app.forms.expression.values import Value


@dataclass
class Context:
    """What an expression can see. Field values are JSON values as the form stores them."""

    values: dict
    repeat: dict | None = None  # the current repeat instance, e.g. one household member
    repeats: dict[str, list[dict]] | None = None  # every repeat's instances, for count()
    today: date | None = None  # defaults to the current date in China
    current: object = None  # the value `.` stands for in a constraint
    # ID numbers checked so far (functions.check_id_number); contexts of one validation share it.
    id_checks: dict = field(default_factory=dict, repr=False)


def evaluate(node_or_source: Node | str, ctx: Context | None = None) -> Value:
    """Evaluate an expression (source text or a parsed Node) against a form's values.

    It compiles the expression each time; code that evaluates one expression many times
    keeps compile_expression()'s closure instead (model.py caches one per source)."""
    node = parse(node_or_source) if isinstance(node_or_source, str) else node_or_source
    ctx = ctx or Context({})
    if ctx.today is None:
        ctx = dataclasses.replace(ctx, today=datetime.now(CHINA_TZ).date())
    return compile_expression(node)(ctx)
