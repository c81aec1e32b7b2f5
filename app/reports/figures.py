"""What the three tables share: the rows an area report has (one per child area), the columns
(a key for the JSON API, an English label for gettext), and the computed result that the page,
the downloads and the API all read."""
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, case, func
from sqlmodel import Session, col, select

from app.areas.models import Area
from app.i18n import N_

INSURANCE_NAMES = {"pension": N_("Basic pension insurance"), "medical": N_("Basic medical insurance"),
                   "work_injury": N_("Work injury insurance"), "maternity": N_("Maternity insurance"),
                   "unemployment": N_("Unemployment insurance")}


@dataclass
class Line:
    """One row of a report: an area (or a month) and its figures by column key."""

    code: str | None
    name: str
    values: dict[str, int | float | None]
    problems: list[dict] = field(default_factory=list)


@dataclass
class Report:
    kind: str  # dispatch-1 | dispatch-2 | ledger
    area_code: str
    area_name: str
    rules_version: str
    columns: list[tuple[str, str]]  # (key, English label)
    rows: list[Line]
    total: Line
    period: dict  # what the report is for: {"date": …} / {"year", "quarter"} / {"year"}

    @property
    def problems(self) -> list[dict]:
        return [problem for line in [*self.rows, self.total] for problem in line.problems]

    def json(self, gettext) -> dict:
        def line(item: Line) -> dict:
            return {"area_code": item.code, "label": item.name, "values": item.values,
                    "problems": [{**problem, "message": describe(problem, gettext)}
                                 for problem in item.problems]}

        return {"report": self.kind, "area_code": self.area_code, "area_name": self.area_name,
                **self.period, "rules_version": self.rules_version,
                "columns": [{"key": key, "label": gettext(label)} for key, label in self.columns],
                "rows": [line(item) for item in self.rows], "total": line(self.total),
                "problems": [{**problem, "message": describe(problem, gettext)}
                             for problem in self.problems]}


RULE_BROKEN = N_("Column 5 should equal column 2 − column 3 − column 4 = {expected}, but it is {actual}.")


def describe(problem: dict, gettext) -> str:
    return gettext(RULE_BROKEN).format(**problem)


def child_areas(session: Session, area: Area) -> list[Area]:
    """The rows of an area's report: its townships or villages; a village is its own row."""
    if len(area.code) >= 12:
        return [area]
    return list(session.exec(select(Area).where(Area.parent_code == area.code).order_by(col(Area.code))))


def child_key(column, area_code: str) -> ColumnElement:
    """SQL: the code of the child area a village code lies in."""
    return func.substr(column, 1, min(len(area_code) + 3, 12))


def count_if(condition) -> ColumnElement:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def lines_for(children: list[Area], found: dict[str, dict], keys: list[str]) -> list[Line]:
    """A line per child area (zeros where nothing was found), then any code found that the
    area table does not list, so no counted person disappears from the rows."""
    names = {area.code: area.name for area in children}
    codes = [*names, *sorted(set(found) - set(names))]
    return [Line(code, names.get(code, code), {key: found.get(code, {}).get(key, 0) for key in keys})
            for code in codes]


def summed(lines: list[Line], keys: list[str], name: str) -> Line:
    return Line(None, name, {key: sum(line.values[key] or 0 for line in lines) for key in keys})
