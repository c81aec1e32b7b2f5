"""Who lives in an area as of a date: one SQL selectable, one row per person, so a report is a
single aggregate over it (a county of a million people is one scan, never a Python loop).

Two sources, each person once (docs/REPORTS.md):
- the registry: the person fact valid at the end of the day (approved before, not yet
  superseded), with the answers the registration form recorded;
- the roster (`target`): people to look for who have no such fact anywhere in the county,
  imported before the end of the day and not settled as deceased or moved by then. A person
  on the rosters of several villages counts in the smallest village code. The roster knows no
  answers (empty strings); the birth date comes from the ID number; an insurance the
  comparison found missing is "not_enrolled", any other is "" (unknown).
"""
from datetime import date

from sqlalchemy import String, Subquery, and_, case, exists, func, literal, or_, select, union_all
from sqlmodel import col

from app.areas.service import code_under
from app.reports.models import INSURANCES, PersonFact
from app.reports.periods import as_of_end
from app.review.models import TargetOutcome
from app.targets.models import Target, TargetStatus

ANSWERS = ("sex", "hukou_type", "personal_status", "employment", "unit_type")
COLUMNS = ("village_code", "birth_date", *ANSWERS, *INSURANCES)
# A roster person settled as one of these is no longer part of the population.
GONE = (TargetStatus.deceased.value, TargetStatus.moved.value)


def current_fact(end):
    """SQL: the person fact was the valid one at the instant `end`."""
    return and_(col(PersonFact.approved_at) < end,
                or_(col(PersonFact.superseded_at).is_(None), col(PersonFact.superseded_at) >= end))


def people(area_code: str, on: date) -> Subquery:
    """One row per person in the area as of the day, with COLUMNS."""
    end = as_of_end(on)
    county = area_code[:6]
    registry = select(
        col(PersonFact.village_code).label("village_code"), col(PersonFact.birth_date).label("birth_date"),
        *(getattr(PersonFact, name).label(name) for name in (*ANSWERS, *INSURANCES)),
    ).where(code_under(col(PersonFact.village_code), area_code), current_fact(end))

    in_registry = exists().where(col(PersonFact.id_number) == col(Target.id_number),
                                 code_under(col(PersonFact.village_code), county), current_fact(end))
    gone = and_(col(TargetOutcome.target_id) == col(Target.id), col(TargetOutcome.status).in_(GONE),
                col(TargetOutcome.decided_at) < end)
    listed = select(
        col(Target.village_code).label("village_code"),
        col(Target.id_number).label("id_number"),
        col(Target.uninsured).label("uninsured"),
        func.row_number().over(partition_by=col(Target.id_number),
                               order_by=(col(Target.village_code), col(Target.id))).label("place"),
    ).select_from(Target).outerjoin(TargetOutcome, gone).where(
        code_under(col(Target.village_code), county), col(Target.created_at) < end,
        col(TargetOutcome.target_id).is_(None), ~in_registry).subquery("listed")
    number = listed.c.id_number
    spaced = literal(" ") + listed.c.uninsured + literal(" ")
    roster = select(
        listed.c.village_code.label("village_code"),
        (func.substr(number, 7, 4) + "-" + func.substr(number, 11, 2) + "-"
         + func.substr(number, 13, 2)).label("birth_date"),
        *(literal("", String).label(name) for name in ANSWERS),
        *(case((spaced.like(f"% {name} %"), "not_enrolled"), else_="").label(name)
          for name in INSURANCES),
    ).where(listed.c.place == 1, code_under(listed.c.village_code, area_code))
    return union_all(registry, roster).subquery("people")
