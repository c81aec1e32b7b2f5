"""Expansion tasks (扩面任务) per area, insurance, year and quarter (0 = the year's plan): read
for 调度表（二）, entered by the county admin as one grid of the county's areas and the five
insurances, saved all or nothing."""
from dataclasses import dataclass

from sqlalchemy import delete
from sqlmodel import Session, col, select

from app.areas.models import Area
from app.areas.service import code_under
from app.audit import service as audit
from app.audit.service import Actor
from app.clock import utcnow
from app.errors import ApiError
from app.i18n import N_
from app.reports.models import INSURANCES, ExpansionPlan

MAX_PEOPLE = 10_000_000
YEARS = range(2000, 2101)
QUARTERS = range(0, 5)


class Tasks:
    """The tasks of an area and everything under it for one period. An area's task is its own
    plan if it has one, else the sum of its children's tasks; None when nothing below has one."""

    def __init__(self, session: Session, area_code: str, year: int, quarter: int):
        self.plans = {(row.area_code, row.insurance): row.people for row in session.exec(
            select(ExpansionPlan).where(code_under(col(ExpansionPlan.area_code), area_code),
                                        ExpansionPlan.year == year, ExpansionPlan.quarter == quarter))}
        self.children: dict[str, list[str]] = {}
        for code, parent in session.exec(select(Area.code, Area.parent_code).where(
                code_under(col(Area.code), area_code))):
            self.children.setdefault(parent, []).append(code)

    def of(self, area_code: str, insurance: str) -> int | None:
        if (area_code, insurance) in self.plans:
            return self.plans[(area_code, insurance)]
        parts = [self.of(child, insurance) for child in self.children.get(area_code, [])]
        known = [part for part in parts if part is not None]
        return sum(known) if known else None


@dataclass
class Grid:
    """The entry grid: the county's areas (county, townships, villages in code order) and the
    people entered for each (area, insurance), as text so a refused entry shows what was typed."""

    year: int
    quarter: int
    areas: list[Area]
    values: dict[tuple[str, str], str]
    errors: dict[tuple[str, str], str]


def check_period(year: int, quarter: int) -> None:
    if year not in YEARS or quarter not in QUARTERS:
        raise ApiError(422, "plan_period_invalid",
                       N_("Choose a year from 2000 to 2100 and a quarter from 1 to 4 (0 for the whole year)."))


def grid(session: Session, area_codes: list[str], year: int, quarter: int) -> Grid:
    """The plans of the areas at or under `area_codes` (a supervisor's townships, an admin's county)."""
    check_period(year, quarter)
    areas = [area for code in area_codes for area in session.exec(
        select(Area).where(code_under(col(Area.code), code)).order_by(col(Area.code)))]
    wanted = {area.code for area in areas}
    values = {(row.area_code, row.insurance): str(row.people) for row in session.exec(
        select(ExpansionPlan).where(ExpansionPlan.year == year, ExpansionPlan.quarter == quarter,
                                    col(ExpansionPlan.area_code).in_(wanted or [""])))}
    return Grid(year, quarter, areas, values, {})


def parse_people(raw: str) -> int | None:
    """None for an empty cell; raises ValueError unless a whole number from 0 to MAX_PEOPLE."""
    text = raw.strip().replace(",", "")
    if not text:
        return None
    if not text.isdigit() or int(text) > MAX_PEOPLE:
        raise ValueError(text)
    return int(text)


def save(*, session: Session, actor: Actor, county_code: str, year: int, quarter: int,
         entered: dict[tuple[str, str], str]) -> Grid:
    """Replace the period's plans of the county's areas by the entered cells (an empty cell
    removes a plan). A bad cell refuses the whole grid: ApiError lists every bad cell."""
    current = grid(session, [county_code], year, quarter)
    codes = {area.code for area in current.areas}
    problems, wanted = [], {}
    for (area_code, insurance), raw in entered.items():
        if area_code not in codes or insurance not in INSURANCES:
            problems.append({"area_code": area_code, "insurance": insurance, "value": raw,
                             "code": "plan_cell_unknown"})
            continue
        try:
            wanted[(area_code, insurance)] = parse_people(str(raw))
        except ValueError:
            problems.append({"area_code": area_code, "insurance": insurance, "value": raw,
                             "code": "plan_value_invalid"})
    if problems:
        raise ApiError(422, "plan_invalid",
                       N_("Enter whole numbers of people from 0 to 10,000,000; nothing was saved."),
                       errors=problems)
    existing = {(row.area_code, row.insurance): row for row in session.exec(
        select(ExpansionPlan).where(ExpansionPlan.year == year, ExpansionPlan.quarter == quarter,
                                    col(ExpansionPlan.area_code).in_(codes)))}
    changed = []
    for cell, people in wanted.items():
        row = existing.get(cell)
        if people is None:
            if row is not None:
                session.exec(delete(ExpansionPlan).where(col(ExpansionPlan.id) == row.id))
                changed.append([*cell, None])
        elif row is None or row.people != people:
            row = row or ExpansionPlan(area_code=cell[0], insurance=cell[1], year=year, quarter=quarter,
                                       people=people)
            row.people, row.updated_at, row.updated_by_id = people, utcnow(), actor.user_id
            session.add(row)
            changed.append([*cell, people])
    session.flush()
    audit.record(session, actor, "expansion_plan.saved", object_type="county", object_id=county_code,
                 detail={"year": year, "quarter": quarter, "changed": changed})
    return grid(session, [county_code], year, quarter)
