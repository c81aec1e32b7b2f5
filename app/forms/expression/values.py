"""Values and their conversions (XPath 1.0 rules; see the package docstring)."""
from __future__ import annotations

import math
import re
from datetime import date
from decimal import Decimal

from app.forms.expression.nodes import ExpressionError


Value = str | float | bool | date

_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_NUMBER_TEXT = re.compile(r"[ \t\r\n]*-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[ \t\r\n]*")
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")


def parse_iso_date(text: str) -> date | None:
    match = _ISO_DATE.fullmatch(text)
    if match is None:
        return None
    try:
        return date(*map(int, match.groups()))
    except ValueError:
        return None


def days(value: date) -> int:
    return value.toordinal() - _EPOCH_ORDINAL


def from_days(days: float) -> date | None:
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
        return float(days(value))
    if _NUMBER_TEXT.fullmatch(value):
        return float(value)
    as_date = parse_iso_date(value)
    return float(days(as_date)) if as_date else math.nan


def to_string(value: Value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return format_number(value)
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
        return from_days(value)
    return parse_iso_date(value)


def format_number(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value.is_integer():
        return str(int(value))
    # repr() gives the shortest round-trip digits, as JavaScript's String() does; Decimal
    # drops the exponent each uses for small numbers (Python's 1e-05, JavaScript's 1e-7).
    return format(Decimal(repr(value)), "f")


def from_json(value: object, name: str) -> Value:
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
