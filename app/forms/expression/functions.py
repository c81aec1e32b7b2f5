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

if TYPE_CHECKING:  # the evaluator imports this module; functions only receive it
    from app.forms.expression.evaluation import Evaluation


@dataclass(frozen=True)
class _Function:
    min_args: int
    max_args: int | None
    impl: Callable
    lazy: bool  # impl receives the argument nodes instead of their values


FUNCTIONS: dict[str, _Function] = {}


def _function(name: str, arity: int | tuple[int, int | None], lazy: bool = False):
    """Register a function; arity is an exact count or (minimum, maximum or None)."""
    low, high = (arity, arity) if isinstance(arity, int) else arity

    def register(impl: Callable) -> Callable:
        FUNCTIONS[name] = _Function(low, high, impl, lazy)
        return impl

    return register


@_function("if", 3, lazy=True)
def _if(ev: Evaluation, args: tuple[Node, ...]) -> Value:
    return ev.eval(args[1]) if to_boolean(ev.eval(args[0])) else ev.eval(args[2])


@_function("count", 1, lazy=True)
def _count(ev: Evaluation, args: tuple[Node, ...]) -> float:
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
    return to_string(args[1]).strip(WHITESPACE) in _selection(args[0])


@_function("count-selected", 1)
def _count_selected(ev, args) -> float:
    return float(len(_selection(args[0])))


@_function("string-length", 1)
def _string_length(ev, args) -> float:
    return float(len(to_string(args[0])))  # code points: '𠀀' is one character


@_function("regex", 2)
def _regex(ev, args) -> bool:
    return compile_regex(to_string(args[1])).search(to_string(args[0])) is not None


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
