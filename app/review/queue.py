"""The supervisor's queue: the submissions of the caller's villages, filtered, sorted and paged.

Paging is by keyset (the last row's sort key, in an opaque cursor), never by OFFSET: page 40
costs what page 1 costs, and a household approved while paging does not shift the next page.
The composite index (village_code, state, received_at, id) serves the default view, one
state in order of arrival; benchmarks/review_queue.py measures it with 100 000 households.
"""
import base64
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, exists, literal, tuple_, union_all
from sqlmodel import Session, col, func, select

from app.accounts.models import User
from app.clock import CHINA_TZ
from app.review.checks import CODES
from app.review.models import Severity, SubmissionFlag
from app.submissions.models import Submission, SubmissionState

SORTS = {  # name: (key columns, descending)
    "oldest": ((Submission.received_at, Submission.id), False),
    "newest": ((Submission.received_at, Submission.id), True),
    "village": ((Submission.village_code, Submission.received_at, Submission.id), False),
}
FLAG_CHOICES = ("errors", "clean", *CODES)  # any error, no error, or one check's code
PAGE_SIZE = 50
OPEN_STATES = (SubmissionState.submitted, SubmissionState.returned)
MERGED_VILLAGES_MAX = 100  # a township's villages; SQLite allows 500 parts in one compound select
COLUMNS = (Submission.id, Submission.village_code, Submission.owner_id, Submission.revision,
           Submission.state, Submission.received_at, Submission.address, Submission.visit_outcome,
           Submission.member_count)


@dataclass
class QueueFilter:
    village: str = ""
    enumerator: int | None = None
    state: str = SubmissionState.submitted  # "" for every state
    flag: str = ""
    date_from: date | None = None
    date_to: date | None = None
    sort: str = "oldest"

    def normalised(self) -> "QueueFilter":
        """Unknown values fall back to the default rather than failing a shared link."""
        return QueueFilter(
            self.village, self.enumerator,
            self.state if self.state in {"", *SubmissionState} else SubmissionState.submitted,
            self.flag if self.flag in FLAG_CHOICES else "", self.date_from, self.date_to,
            self.sort if self.sort in SORTS else "oldest")


@dataclass
class QueueRow:
    id: str
    village_code: str
    owner_id: int
    revision: int
    state: str
    received_at: datetime
    address: str
    visit_outcome: str
    member_count: int
    village_name: str = ""
    enumerator: str = ""
    errors: int = 0
    warnings: int = 0


@dataclass
class QueuePage:
    rows: list[QueueRow] = field(default_factory=list)
    total: int = 0
    next_cursor: str | None = None


def search(session: Session, villages: dict[str, str], filters: QueueFilter, *,
           cursor: str | None = None, limit: int = PAGE_SIZE, count: bool = True) -> QueuePage:
    """One page of the caller's `villages` ({code: name}) matching the filters, and how many
    match in all (unless `count` is False)."""
    filters = filters.normalised()
    codes = [code for code in ([filters.village] if filters.village else villages) if code in villages]
    conditions = _conditions(filters)
    total = session.exec(select(func.count()).select_from(Submission).where(
        col(Submission.village_code).in_(codes), *conditions)).one() if count else 0
    keys, descending = SORTS[filters.sort]
    after = _decode(cursor, keys)
    if after is not None:
        bound = tuple_(*(literal(value, key.type) for key, value in zip(keys, after)))
        conditions.append(tuple_(*keys) < bound if descending else tuple_(*keys) > bound)
    found = [QueueRow(*row) for row in session.exec(_rows(codes, conditions, keys, descending, limit + 1))]
    more = len(found) > limit
    rows = found[:limit]
    _annotate(session, rows, villages)
    next_cursor = _encode([getattr(rows[-1], key.key) for key in keys]) if more else None
    return QueuePage(rows, total, next_cursor)


def open_counts(session: Session, villages: dict[str, str]) -> dict[str, int]:
    """How many households of these villages await review and how many are back with their
    enumerators: the work still open. (Decided ones only grow; the progress page counts them.)"""
    counts = dict.fromkeys(OPEN_STATES, 0)
    for state, count in session.exec(
            select(Submission.state, func.count())
            .where(col(Submission.village_code).in_(villages), col(Submission.state).in_(OPEN_STATES))
            .group_by(Submission.state)):
        counts[state] = count
    return counts


def _rows(codes: list[str], conditions: list, keys, descending: bool, limit: int):
    """The first `limit` rows in sort order. For a township's villages: the first `limit` of
    each village, each read in order straight from the queue index, merged. One query over
    all villages (village_code IN …) would read and sort every matching row of the township
    instead; it is kept for the many villages of a county, past SQLite's compound-select limit."""
    def ordered(query, columns):
        return query.order_by(*(column.desc() if descending else column.asc() for column in columns))

    if len(codes) > MERGED_VILLAGES_MAX or not codes:
        return ordered(select(*COLUMNS).where(col(Submission.village_code).in_(codes), *conditions),
                       keys).limit(limit)
    merged = union_all(*(
        ordered(select(*COLUMNS).where(Submission.village_code == code, *conditions), keys)
        .limit(limit).subquery().select() for code in codes)).subquery()
    return ordered(select(*merged.c), [merged.c[key.key] for key in keys]).limit(limit)


def _conditions(filters: QueueFilter) -> list:
    conditions = []
    if filters.state:
        conditions.append(Submission.state == filters.state)
    if filters.enumerator is not None:
        conditions.append(Submission.owner_id == filters.enumerator)
    if filters.date_from:
        conditions.append(col(Submission.received_at) >= _china_midnight(filters.date_from))
    if filters.date_to:
        conditions.append(col(Submission.received_at) < _china_midnight(filters.date_to + timedelta(days=1)))
    if filters.flag:
        flagged = exists().where(SubmissionFlag.submission_id == Submission.id,
                                 SubmissionFlag.revision == Submission.revision)
        if filters.flag in ("errors", "clean"):
            flagged = flagged.where(SubmissionFlag.severity == Severity.error)
        else:
            flagged = flagged.where(SubmissionFlag.code == filters.flag)
        conditions.append(~flagged if filters.flag == "clean" else flagged)
    return conditions


def _annotate(session: Session, rows: list[QueueRow], villages: dict[str, str]) -> None:
    """Village and enumerator names and flag counts, for this page's rows only."""
    if not rows:
        return
    names = dict(session.exec(select(User.id, User.display_name).where(
        col(User.id).in_({row.owner_id for row in rows}))).all())
    counts = {}
    for submission_id, severity, count in session.exec(
            select(SubmissionFlag.submission_id, SubmissionFlag.severity, func.count())
            .join(Submission, and_(col(Submission.id) == SubmissionFlag.submission_id,
                                   col(Submission.revision) == SubmissionFlag.revision))
            .where(col(SubmissionFlag.submission_id).in_([row.id for row in rows]))
            .group_by(SubmissionFlag.submission_id, SubmissionFlag.severity)):
        counts[submission_id, severity] = count
    for row in rows:
        row.village_name = villages.get(row.village_code, row.village_code)
        row.enumerator = names.get(row.owner_id, "")
        row.errors = counts.get((row.id, Severity.error), 0)
        row.warnings = counts.get((row.id, Severity.warning), 0)


def _china_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, CHINA_TZ).astimezone(UTC)


def _utc(value: datetime) -> datetime:
    # SQLite hands back the stored UTC time without its zone.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _encode(values: list) -> str:
    plain = [_utc(value).isoformat() if isinstance(value, datetime) else value for value in values]
    return base64.urlsafe_b64encode(json.dumps(plain).encode()).decode().rstrip("=")


def _decode(cursor: str | None, keys) -> list | None:
    """The sort key a cursor holds; None for the first page or a cursor that is not ours."""
    if not cursor:
        return None
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(values, list) or len(values) != len(keys):
            return None
        return [_utc(datetime.fromisoformat(value)) if key.key == "received_at" else str(value)
                for key, value in zip(keys, values)]
    except (ValueError, TypeError):
        return None
