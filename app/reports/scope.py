"""What the report pages and the API share: which area a caller asked for (checked against
their own, 404 outside it), the period parameters, and computing a report with the county's
current rules."""
from datetime import date

from sqlmodel import Session

from app.accounts.access import Principal
from app.areas import service as areas
from app.areas.models import Area, AreaLevel
from app.errors import ApiError
from app.i18n import N_
from app.reports import dispatch, ledger, rules_service
from app.reports.figures import Report
from app.reports.periods import current_quarter, today

KINDS = ("dispatch-1", "dispatch-2", "ledger")


def area_for(db: Session, principal: Principal, code: str) -> Area:
    """The asked area, or the caller's own (the first, for a supervisor of several)."""
    code = code or min(principal.area_codes, default="")
    principal.ensure_area(code)
    area = db.get(Area, code)
    if area is None:
        raise ApiError(404, "not_found", N_("Not found."))
    return area


def county_for(principal: Principal, code: str) -> str:
    """An admin's county: the one asked for, or their only one."""
    counties = sorted(code for code in principal.area_codes if len(code) == 6)
    code = code or (counties[0] if counties else "")
    if code not in counties:
        raise ApiError(404, "not_found", N_("Not found."))
    return code


def visible_areas(db: Session, principal: Principal) -> list[Area]:
    return areas.descendants(db, list(principal.area_codes))


def trail(db: Session, area: Area) -> list[Area]:
    """The area and its parents, county first: the crumbs above a report."""
    found = [area]
    while found[0].parent_code:
        parent = db.get(Area, found[0].parent_code)
        if parent is None:
            break
        found.insert(0, parent)
    return found


def parse_date(value: str) -> date:
    if not value:
        return today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ApiError(422, "report_date_invalid", N_("Give the date as YYYY-MM-DD.")) from None


def parse_period(year: int | None, quarter: int | None) -> tuple[int, int]:
    default_year, default_quarter = current_quarter()
    year = default_year if year is None else year
    quarter = default_quarter if quarter is None else quarter
    if not 2000 <= year <= 2100 or not 1 <= quarter <= 4:
        raise ApiError(422, "report_period_invalid",
                       N_("Choose a year from 2000 to 2100 and a quarter from 1 to 4."))
    return year, quarter


def compute(db: Session, kind: str, area: Area, params: dict) -> Report:
    rules = rules_service.current(db, area.code[:6])
    if kind == "dispatch-1":
        return dispatch.dispatch_one(db, area.code, params["date"], rules)
    if kind == "dispatch-2":
        return dispatch.dispatch_two(db, area.code, params["year"], params["quarter"], rules)
    return ledger.ledger(db, area.code, params["year"], rules)


def params_for(kind: str, date_: str = "", year: int | None = None, quarter: int | None = None) -> dict:
    """The period a report is for, from the query (defaults: today, this quarter, this year)."""
    if kind == "dispatch-1":
        return {"date": parse_date(date_)}
    if kind == "dispatch-2":
        year, quarter = parse_period(year, quarter)
        return {"year": year, "quarter": quarter}
    return {"year": parse_period(year, 1)[0]}


def is_village(area: Area) -> bool:
    return area.level == AreaLevel.village
