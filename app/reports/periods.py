"""Report periods as UTC instants. People name days, months and quarters in China time; the
database holds aware UTC datetimes, so every period is turned into [start, end) in UTC once,
here, and queries compare plain timestamps (no time-zone function in SQL)."""
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement, case

from app.clock import CHINA_TZ, utcnow


def day_start(day: date) -> datetime:
    """The first instant of a China-time calendar day, in UTC."""
    return datetime.combine(day, time.min, tzinfo=CHINA_TZ).astimezone(UTC)


def as_of_end(on: date) -> datetime:
    """"As of date D": everything before the start of D+1, China time."""
    return day_start(on + timedelta(days=1))


def month_start(year: int, month: int) -> datetime:
    return day_start(date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1))


def quarter_bounds(year: int, quarter: int) -> tuple[datetime, datetime]:
    first_month = 3 * (quarter - 1) + 1
    return month_start(year, first_month), month_start(year, first_month + 3)


def month_of(column, year: int) -> tuple[ColumnElement, ColumnElement]:
    """(the month number 1-12 of a timestamp column, the condition that it lies in the year):
    a CASE over the twelve China-time month starts, so both databases bucket alike."""
    starts = [month_start(year, month) for month in range(1, 14)]
    bucket = case(*((column < starts[month], month) for month in range(1, 12)), else_=12)
    return bucket, (column >= starts[0]) & (column < starts[12])


def today() -> date:
    return utcnow().astimezone(CHINA_TZ).date()


def current_quarter() -> tuple[int, int]:
    day = today()
    return day.year, (day.month - 1) // 3 + 1
