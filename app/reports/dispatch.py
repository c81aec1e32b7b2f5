"""全民参保计划工作调度表（一）and（二）: the figures of an area, one row per child area plus 合计.

dispatch_one(session, area_code, on, rules) counts the population as of a day (population.py)
in one aggregate query; dispatch_two(session, area_code, year, quarter, rules) sets each
insurance's expansion task (plans.py) beside the people newly enrolled in the quarter. Both
return a figures.Report, from which the page, the XLSX/CSV and the JSON API are made.
Definitions: docs/REPORTS.md.
"""
from datetime import date

from sqlalchemy import and_, case, func
from sqlmodel import Session, col, select

from app.areas.models import Area
from app.areas.service import code_under
from app.errors import ApiError
from app.i18n import N_
from app.reports import plans, population
from app.reports.figures import (INSURANCE_NAMES, Line, Report, child_areas, child_key, count_if,
                                 lines_for, summed)
from app.reports.models import INSURANCES, PersonFact
from app.reports.periods import quarter_bounds
from app.reports.rules import Rules, aged_at_least

TOTAL = N_("Total")

ONE_COLUMNS = [("population", N_("Registered population")),
               ("aged_16_plus", N_("Population aged 16 and over")),
               ("students_16_plus", N_("Students aged 16 and over")),
               ("military_16_plus", N_("Serving military aged 16 and over")),
               *((key, label) for name in INSURANCES for key, label in (
                   (f"{name}_should", N_("People who should be enrolled")),
                   (f"{name}_not_enrolled", N_("People not enrolled"))))]
TWO_COLUMNS = [*((key, label) for name in INSURANCES for key, label in (
                   (f"{name}_task", N_("Expansion task")), (f"{name}_done", N_("Expansion done")),
                   (f"{name}_rate", N_("Completion rate")))),
               *((f"{name}_plan", INSURANCE_NAMES[name]) for name in INSURANCES)]


def area_or_404(session: Session, area_code: str) -> Area:
    area = session.get(Area, area_code) if area_code else None
    if area is None:
        raise ApiError(404, "not_found", N_("Not found."))
    return area


def dispatch_one(session: Session, area_code: str, on: date, rules: Rules) -> Report:
    """调度表（一） of an area as of the end of day `on` (China time)."""
    area = area_or_404(session, area_code)
    people = population.people(area_code, on)
    columns = {name: people.c[name] for name in population.COLUMNS}
    adult = aged_at_least(columns["birth_date"], 16, on)
    measures = {"population": func.count(),
                "aged_16_plus": count_if(adult),
                "students_16_plus": count_if(and_(adult, rules.students.sql(columns))),
                "military_16_plus": count_if(and_(adult, rules.military.sql(columns)))}
    for name in INSURANCES:
        should = rules.should_enroll(name, columns, on)
        measures[f"{name}_should"] = count_if(should)
        measures[f"{name}_not_enrolled"] = count_if(and_(should, columns[name].in_(rules.not_enrolled)))
    key = child_key(columns["village_code"], area_code)
    query = select(key.label("child"), *(expression.label(name) for name, expression in measures.items())
                   ).group_by(key)
    found = {row.child: {name: int(getattr(row, name)) for name in measures}
             for row in session.exec(query)}
    keys = [key for key, _ in ONE_COLUMNS]
    rows = lines_for(child_areas(session, area), found, keys)
    total = summed(rows, keys, TOTAL)
    for line in [*rows, total]:
        check_consistency(line)
    return Report("dispatch-1", area.code, area.name, rules.version, ONE_COLUMNS, rows, total,
                  {"date": on.isoformat()})


def check_consistency(line: Line) -> None:
    """逻辑关系式 (5) = (2) − (3) − (4): computed, never assumed, since a county's rules may
    define 应参保 for pension otherwise."""
    values = line.values
    expected = values["aged_16_plus"] - values["students_16_plus"] - values["military_16_plus"]
    if values["pension_should"] != expected:
        line.problems.append({"rule": "(5)=(2)-(3)-(4)", "expected": expected,
                              "actual": values["pension_should"]})


def newly_enrolled(rules: Rules, name: str):
    """SQL over person facts: this approval moved the insurance from uncovered to enrolled."""
    return and_(getattr(PersonFact, f"{name}_before").in_(rules.not_enrolled),
                getattr(PersonFact, name).in_(rules.enrolled))


def dispatch_two(session: Session, area_code: str, year: int, quarter: int, rules: Rules) -> Report:
    """调度表（二）: the quarter's task, the people newly enrolled in it, the rate; and the
    next year's plan."""
    area = area_or_404(session, area_code)
    start, end = quarter_bounds(year, quarter)
    key = child_key(col(PersonFact.village_code), area_code)
    measures = {f"{name}_done": func.count(func.distinct(
        case((newly_enrolled(rules, name), col(PersonFact.id_number))))) for name in INSURANCES}
    query = select(key.label("child"), *(expression.label(name) for name, expression in measures.items())
                   ).where(code_under(col(PersonFact.village_code), area_code),
                           col(PersonFact.approved_at) >= start, col(PersonFact.approved_at) < end
                           ).group_by(key)
    found = {row.child: {name: int(getattr(row, name)) for name in measures}
             for row in session.exec(query)}
    children = child_areas(session, area)
    rows = lines_for(children, found, list(measures))
    tasks = plans.Tasks(session, area_code, year, quarter)
    next_year = plans.Tasks(session, area_code, year + 1, 0)
    total = summed(rows, list(measures), TOTAL)
    for line, code in [*((row, row.code) for row in rows), (total, area_code)]:
        for name in INSURANCES:
            task = tasks.of(code, name)
            line.values[f"{name}_task"] = task
            line.values[f"{name}_rate"] = line.values[f"{name}_done"] / task if task else None
            line.values[f"{name}_plan"] = next_year.of(code, name)
        line.values = {key: line.values[key] for key, _ in TWO_COLUMNS}
    return Report("dispatch-2", area.code, area.name, rules.version, TWO_COLUMNS, rows, total,
                  {"year": year, "quarter": quarter})
