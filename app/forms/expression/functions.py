"""The functions expressions may call, with their arity."""
from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from datetime import date
from decimal import Decimal

from app.common import idcard
from app.forms.expression.nodes import WHITESPACE, Node
from app.forms.expression.regex import compile_regex
from app.forms.expression.values import Value, to_boolean, to_date, to_number, to_string

if TYPE_CHECKING:  # the compiler imports this module; functions only receive these
    from app.forms.expression.compiler import Compiled
    from app.forms.expression.evaluation import Context


@dataclass(frozen=True)
class _Function:
    """An eager impl is called as impl(context, argument values). A lazy impl decides which
    arguments run, and when: it is called once, when the expression is compiled, as
    impl(argument nodes, compile) and returns the compiled call."""

    min_args: int
    max_args: int | None
    impl: Callable
    lazy: bool


FUNCTIONS: dict[str, _Function] = {}


def _function(name: str, arity: int | tuple[int, int | None], lazy: bool = False):
    """Register a function; arity is an exact count or (minimum, maximum or None)."""
    low, high = (arity, arity) if isinstance(arity, int) else arity

    def register(impl: Callable) -> Callable:
        FUNCTIONS[name] = _Function(low, high, impl, lazy)
        return impl

    return register


@_function("if", 3, lazy=True)
def _if(args: tuple[Node, ...], compile: Callable[[Node], Compiled]) -> Compiled:
    condition, then, otherwise = map(compile, args)
    return lambda ctx: then(ctx) if to_boolean(condition(ctx)) else otherwise(ctx)


@_function("count", 1, lazy=True)
def _count(args: tuple[Node, ...], compile: Callable[[Node], Compiled]) -> Compiled:
    repeat = args[0].name  # the parser lets only a repeat reference stand here

    def count(ctx: Context) -> float:
        return float(len((ctx.repeats or {}).get(repeat) or []))
    return count


@_function("true", 0)
def _true(ctx, args) -> bool:
    return True


@_function("false", 0)
def _false(ctx, args) -> bool:
    return False


@_function("not", 1)
def _not(ctx, args) -> bool:
    return not to_boolean(args[0])


@_function("boolean", 1)
def _boolean(ctx, args) -> bool:
    return to_boolean(args[0])


@_function("number", 1)
def _number(ctx, args) -> float:
    return to_number(args[0])


@_function("string", 1)
def _string(ctx, args) -> str:
    return to_string(args[0])


@_function("int", 1)
def _int(ctx, args) -> float:
    value = to_number(args[0])
    if not math.isfinite(value):
        return value
    # copysign keeps -0 for values in (-1, 0), exactly as JavaScript's Math.trunc does.
    return math.copysign(float(math.trunc(value)), value)


@_function("round", (1, 2))
def _round(ctx, args) -> float:
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
def _selected(ctx, args) -> bool:
    return to_string(args[1]).strip(WHITESPACE) in _selection(args[0])


@_function("count-selected", 1)
def _count_selected(ctx, args) -> float:
    return float(len(_selection(args[0])))


@_function("string-length", 1)
def _string_length(ctx, args) -> float:
    return float(len(to_string(args[0])))  # code points: '𠀀' is one character


@_function("regex", 2)
def _regex(ctx, args) -> bool:
    return compile_regex(to_string(args[1])).search(to_string(args[0])) is not None


@_function("concat", (1, None))
def _concat(ctx, args) -> str:
    return "".join(map(to_string, args))


@_function("coalesce", 2)
def _coalesce(ctx, args) -> Value:
    return args[0] if to_string(args[0]) != "" else args[1]


@_function("today", 0)
def _today(ctx, args) -> date:
    return ctx.today


@_function("date", 1)
def _date(ctx, args) -> Value:
    return to_date(args[0]) or ""


@_function("age", (1, 2))
def _age(ctx, args) -> Value:
    """Whole years completed on the reference date (default today); someone born on 29
    February turns a year older on 1 March in common years."""
    birth = to_date(args[0])
    on = to_date(args[1]) if len(args) > 1 else ctx.today
    if birth is None or on is None:
        return ""
    return float(on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day)))


@_function("format-date", 2)
def _format_date(ctx, args) -> str:
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


def check_id_number(checked: dict, number: str, today: date) -> idcard.IdCheck:
    """idcard.check(), once per number and `checked` dict. A household's rules, and
    validation after them, check the same ID number several times (its validity, the sex and
    birth date it gives, their constraints); the dict lives as long as one validation
    (Context.id_checks), so no ID number outlasts the request that brought it."""
    found = checked.get(number)
    if found is None:
        found = checked[number] = idcard.check(number, today)
    return found


@_function("id-valid", 1)
def _id_valid(ctx, args) -> bool:
    return check_id_number(ctx.id_checks, to_string(args[0]), ctx.today).valid


@_function("id-birthdate", 1)
def _id_birthdate(ctx, args) -> str:
    birth_date = check_id_number(ctx.id_checks, to_string(args[0]), ctx.today).birth_date
    return birth_date.isoformat() if birth_date else ""


@_function("id-sex", 1)
def _id_sex(ctx, args) -> str:
    return check_id_number(ctx.id_checks, to_string(args[0]), ctx.today).sex or ""
