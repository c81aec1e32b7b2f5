"""The progress dashboard's figures for one area (county, township or village), each table
read in one set-based pass (docs/REPORTS.md, "Progress", defines every figure):

- targets by how they ended, and how many were visited, per village and per enumerator;
- households by review state, people, and how often they were returned, per village and per
  enumerator;
- households per day (China time), by the day the first revision was captured on the phone;
- the supervisors' return comments, grouped, and the fields their field comments named;
- the automatic checks' flags by check.

How targets end and how far a village is lives in app/review/progress.py; this module only
counts, for any area, what those services wrote.
"""
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import case, distinct, exists, text
from sqlmodel import Session, col, func, select

from app.accounts.models import User
from app.areas.models import CODE_LENGTH, Area, AreaLevel
from app.areas.service import code_under, parent_of
from app.audit.models import AuditEvent
from app.forms import service as forms
from app.review.checks import CODES as CHECK_LABELS
from app.review.models import SubmissionFlag, SubmissionMember
from app.review.present import PATH
from app.submissions.models import Submission, SubmissionRevision, SubmissionState
from app.targets.models import Target, TargetStatus

SETTLED = (TargetStatus.registered, TargetStatus.moved, TargetStatus.deceased, TargetStatus.not_found)
STATES = (SubmissionState.submitted, SubmissionState.returned, SubmissionState.approved,
          SubmissionState.rejected)
TOP_REASONS = 10
CHART_DAYS = 14
UNASSIGNED = "none"  # the enumerator key of targets assigned to nobody


@dataclass
class Tally:
    """The figures of one row: a village, an area, an enumerator or the total."""

    targets: dict[str, int] = field(default_factory=dict)  # status -> count
    visited: int = 0
    households: dict[str, int] = field(default_factory=dict)  # review state -> count
    people: int = 0
    returns: int = 0  # return decisions, a household returned twice counting twice

    @property
    def targets_total(self) -> int:
        return sum(self.targets.values())

    @property
    def households_total(self) -> int:
        return sum(self.households.values())

    @property
    def settled(self) -> int:
        return sum(self.targets.get(status, 0) for status in SETTLED)

    @property
    def visited_open(self) -> int:
        """Open targets whose person a household lists: found, not yet approved."""
        return self.visited - self.settled

    @property
    def not_visited(self) -> int:
        return self.targets_total - self.visited

    def add(self, other: "Tally") -> None:
        for status, count in other.targets.items():
            self.targets[status] = self.targets.get(status, 0) + count
        for state, count in other.households.items():
            self.households[state] = self.households.get(state, 0) + count
        self.visited += other.visited
        self.people += other.people
        self.returns += other.returns

    def as_dict(self) -> dict:
        return {"targets": {status: self.targets.get(status, 0) for status in (*SETTLED, TargetStatus.open)},
                "targets_total": self.targets_total, "visited": self.visited,
                "households": {state: self.households.get(state, 0) for state in STATES},
                "households_total": self.households_total, "people": self.people,
                "returns": self.returns}


@dataclass
class Line:
    key: str  # an area code, an enumerator's user id, or UNASSIGNED
    name: str
    tally: Tally = field(default_factory=Tally)


@dataclass
class Day:
    day: date
    households: int
    people: int


@dataclass
class Reason:
    text: str  # the comment as written (first spelling seen), or a field's label
    count: int
    key: str = ""  # for a field: its name


@dataclass
class FlagCount:
    code: str
    label: tuple[str, str]  # (中文, English)
    severity: str
    current: int  # flags on households' current revisions
    households: int  # households whose current revision has it
    ever: int  # households any revision of which had it


@dataclass
class Progress:
    area: Area
    trail: list[Area]  # from the county down to the area
    areas: list[Line]  # the area's children (for a village: itself), in code order
    total: Tally
    enumerators: list[Line]
    days: list[Day]
    reasons: list[Reason]
    fields: list[Reason]
    flags: list[FlagCount]

    @property
    def returns_total(self) -> int:
        return self.total.returns

    def chart_days(self) -> list[Day]:
        """The last CHART_DAYS days up to the latest day with households, gaps as zero."""
        if not self.days:
            return []
        last = self.days[-1].day
        known = {row.day: row for row in self.days}
        span = [last - timedelta(days=offset) for offset in range(CHART_DAYS - 1, -1, -1)]
        return [known.get(day, Day(day, 0, 0)) for day in span if day >= self.days[0].day]


def report(session: Session, area: Area, *, lang: str = "zh") -> Progress:
    code = area.code
    if session.get_bind().dialect.name == "postgresql":
        # The planner prices the visited test (one index look-up per open target) so high that
        # it compiles the query with JIT, which takes longer than running it; for this
        # transaction only.
        session.exec(text("SET LOCAL jit = off"))
    children = _children(session, area)
    child_length = CODE_LENGTH[AreaLevel(children[0].level)] if children else len(code)
    by_area = {child.code: Line(child.code, child.name) for child in children}
    by_user: dict[str, Line] = {}
    total = Tally()

    def rows_for(village_code: str, owner: int | None) -> tuple[Tally, Tally]:
        key = str(owner) if owner is not None else UNASSIGNED
        user_line = by_user.setdefault(key, Line(key, ""))
        return by_area[village_code[:child_length]].tally, user_line.tally

    for village_code, owner, status, visited, count in _targets(session, code):
        row = Tally(targets={status: count}, visited=count if visited else 0)
        for tally in (*rows_for(village_code, owner), total):
            tally.add(row)
    for village_code, owner, state, count, people in _households(session, code):
        row = Tally(households={state: count}, people=int(people or 0))
        for tally in (*rows_for(village_code, owner), total):
            tally.add(row)
    comments: list[str] = []
    field_names: Counter[tuple[str, str, str]] = Counter()
    for village_code, owner, form_id, version, detail in _returns(session, code):
        for tally in (*rows_for(village_code, owner), total):
            tally.returns += 1
        comments.append(str(detail.get("comment") or ""))
        for path in (detail.get("field_comments") or {}):
            match = PATH.fullmatch(str(path))
            field_names[(match.group("name") if match else str(path), form_id, version)] += 1
    _name_users(session, by_user)
    return Progress(
        area=area, trail=_trail(session, area), areas=list(by_area.values()), total=total,
        enumerators=sorted(by_user.values(), key=lambda line: (line.key == UNASSIGNED, line.name, line.key)),
        days=_days(session, code), reasons=group_comments(comments),
        fields=_field_labels(session, code, field_names, lang), flags=_flags(session, code))


def _children(session: Session, area: Area) -> list[Area]:
    if area.level == AreaLevel.village:
        return [area]
    return list(session.exec(select(Area).where(Area.parent_code == area.code).order_by(col(Area.code))))


def _trail(session: Session, area: Area) -> list[Area]:
    trail = [area]
    while (parent := parent_of(trail[0].code)) and (found := session.get(Area, parent)) is not None:
        trail.insert(0, found)
    return trail


def _targets(session: Session, code: str):
    """(village, assigned enumerator, status, visited, count)."""
    listed = exists().where(
        SubmissionMember.id_number == Target.id_number,
        col(Submission.id) == SubmissionMember.submission_id,
        Submission.village_code == Target.village_code,
        Submission.state != SubmissionState.rejected)
    visited = case((col(Target.status) != TargetStatus.open, 1), (listed, 1), else_=0).label("visited")
    each = (select(Target.village_code, Target.assigned_to_id, Target.status, visited)
            .where(code_under(col(Target.village_code), code)).subquery())
    return session.exec(select(each.c.village_code, each.c.assigned_to_id, each.c.status,
                               each.c.visited, func.count())
                        .group_by(each.c.village_code, each.c.assigned_to_id, each.c.status,
                                  each.c.visited)).all()


def _households(session: Session, code: str):
    """(village, enumerator, review state, households, people)."""
    return session.exec(
        select(Submission.village_code, Submission.owner_id, Submission.state, func.count(),
               func.sum(Submission.member_count))
        .where(code_under(col(Submission.village_code), code))
        .group_by(Submission.village_code, Submission.owner_id, Submission.state)).all()


def _returns(session: Session, code: str):
    """Each return decision: (village, enumerator, form, version, event detail)."""
    return session.exec(
        select(Submission.village_code, Submission.owner_id, Submission.form_id,
               Submission.form_version, AuditEvent.detail)
        .join(Submission, col(Submission.id) == AuditEvent.object_id)
        .where(AuditEvent.action == "submission.returned", AuditEvent.object_type == "submission",
               code_under(col(Submission.village_code), code))
        .order_by(col(AuditEvent.id))).all()


def china_day(session: Session, column):
    """SQL: the China calendar day ("YYYY-MM-DD") of a UTC timestamp column."""
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("Asia/Shanghai", column), "YYYY-MM-DD")
    return func.date(column, "+8 hours")


def _days(session: Session, code: str) -> list[Day]:
    day = china_day(session, col(SubmissionRevision.captured_at)).label("day")
    rows = session.exec(
        select(day, func.count(), func.sum(Submission.member_count))
        .join(Submission, col(Submission.id) == SubmissionRevision.submission_id)
        .where(SubmissionRevision.revision == 1, code_under(col(Submission.village_code), code))
        .group_by(day).order_by(day)).all()
    return [Day(date.fromisoformat(str(value)[:10]), count, int(people or 0)) for value, count, people in rows]


def _flags(session: Session, code: str) -> list[FlagCount]:
    current = col(SubmissionFlag.revision) == col(Submission.revision)
    rows = session.exec(
        select(SubmissionFlag.code, SubmissionFlag.severity,
               func.sum(case((current, 1), else_=0)),
               func.count(distinct(case((current, SubmissionFlag.submission_id), else_=None))),
               func.count(distinct(SubmissionFlag.submission_id)))
        .join(Submission, col(Submission.id) == SubmissionFlag.submission_id)
        .where(code_under(col(Submission.village_code), code))
        .group_by(SubmissionFlag.code, SubmissionFlag.severity)).all()
    counts = [FlagCount(code_, CHECK_LABELS.get(code_, (code_, code_)), severity, int(now or 0), households, ever)
              for code_, severity, now, households, ever in rows]
    return sorted(counts, key=lambda row: (-row.current, -row.ever, row.code))


_SPACES = re.compile(r"\s+")
_TRAILING = "。.!！;；,，"


def normalise_comment(text: str) -> str:
    """Comments that differ only in spacing, width of spaces or a final full stop are one reason."""
    return _SPACES.sub(" ", text).strip().rstrip(_TRAILING).strip()


def group_comments(comments: list[str], limit: int = TOP_REASONS) -> list[Reason]:
    """The most common return comments, most frequent first, each in its first spelling."""
    counts: Counter[str] = Counter()
    spelling: dict[str, str] = {}
    for comment in comments:
        key = normalise_comment(comment)
        if not key:
            continue
        counts[key] += 1
        spelling.setdefault(key, comment.strip())
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]
    return [Reason(spelling[key], count) for key, count in ranked]


def _field_labels(session: Session, code: str, names: Counter, lang: str) -> list[Reason]:
    """Field comments counted by field (every member's field of one name together), labelled
    from the form version the household was captured with."""
    county = forms.county_of(code)
    labels: dict[str, str] = {}
    counts: Counter[str] = Counter()
    definitions: dict[tuple[str, str], object] = {}
    for (name, form_id, version), count in names.items():
        counts[name] += count
        if name in labels:
            continue
        if (form_id, version) not in definitions:
            row = forms.find_published(session, county, form_id, version)
            definitions[(form_id, version)] = forms.definition_of(row) if row is not None else None
        definition = definitions[(form_id, version)]
        try:
            item = definition.field(name) if definition is not None else None
        except KeyError:
            item = None
        if item is not None:
            labels[name] = item.label.get(lang) or item.label.get(definition.default_language) or name
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [Reason(labels.get(name, name), count, key=name) for name, count in ranked]


def _name_users(session: Session, lines: dict[str, Line]) -> None:
    ids = [int(key) for key in lines if key != UNASSIGNED]
    names = dict(session.exec(select(User.id, User.display_name).where(col(User.id).in_(ids))).all()) if ids else {}
    for key, line in lines.items():
        line.name = names.get(int(key), key) if key != UNASSIGNED else ""

