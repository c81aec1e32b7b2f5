"""The reports as JSON under /api/v1/reports: the same computed figures as the pages and the
downloads (columns with keys, rows, total, problems, rules version), the same scoping (404
outside the caller's area), and the admin's writes: a rules version, a period's plans."""
from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from app.accounts.access import Principal, admin_only, supervisor_or_admin
from app.db import Db
from app.i18n import gettext_for
from app.reports import plans, rules_service, scope
from app.reports.periods import current_quarter

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])
viewer = supervisor_or_admin


def _json(request: Request, db: Db, principal: Principal, kind: str, area: str, **period) -> dict:
    place = scope.area_for(db, principal, area)
    report = scope.compute(db, kind, place, scope.params_for(kind, **period))
    return report.json(gettext_for(request))


@router.get("/dispatch-1")
def dispatch_one(request: Request, db: Db, principal: Principal = Depends(viewer),
                 area: str = "", date: str = "") -> dict:
    """调度表（一） of `area` (default: the caller's) as of `date` (YYYY-MM-DD, default today)."""
    return _json(request, db, principal, "dispatch-1", area, date_=date)


@router.get("/dispatch-2")
def dispatch_two(request: Request, db: Db, principal: Principal = Depends(viewer), area: str = "",
                 year: int | None = None, quarter: int | None = None) -> dict:
    return _json(request, db, principal, "dispatch-2", area, year=year, quarter=quarter)


@router.get("/ledger")
def ledger(request: Request, db: Db, principal: Principal = Depends(viewer), area: str = "",
           year: int | None = None) -> dict:
    return _json(request, db, principal, "ledger", area, year=year)


@router.get("/rules")
def current_rules(db: Db, principal: Principal = Depends(admin_only), county: str = "") -> dict:
    county = scope.county_for(principal, county)
    rules = rules_service.current(db, county)
    return {"county_code": county, "version": rules.version, "source": rules.source,
            "versions": [{"version": item.version, "created_at": item.created_at}
                         for item in rules_service.history(db, county)]}


class RulesIn(BaseModel):
    county_code: str = ""
    source: str


@router.post("/rules", status_code=201)
def upload_rules(body: RulesIn, db: Db, principal: Principal = Depends(admin_only)) -> dict:
    """A new version of the county's rules; 422 report_rules_invalid lists every problem
    (errors[i].zh / .en), 409 report_rules_version_taken; nothing is stored then."""
    county = scope.county_for(principal, body.county_code)
    rules = rules_service.save(session=db, actor=principal.actor, county_code=county, source=body.source)
    return {"county_code": county, "version": rules.version}


def _plans(grid: plans.Grid) -> dict:
    return {"year": grid.year, "quarter": grid.quarter,
            "areas": [{"code": area.code, "name": area.name, "level": area.level} for area in grid.areas],
            "plans": [{"area_code": code, "insurance": insurance, "people": int(people)}
                      for (code, insurance), people in sorted(grid.values.items())]}


@router.get("/plans")
def read_plans(db: Db, principal: Principal = Depends(viewer), year: int | None = None,
               quarter: int = 0) -> dict:
    """The expansion tasks of the caller's areas for a year and quarter (0: the year's plan)."""
    year = year if year is not None else current_quarter()[0]
    return _plans(plans.grid(db, sorted(principal.area_codes), year, quarter))


class PlanCell(BaseModel):
    area_code: str
    insurance: str
    people: int | None = Field(default=None, description="null removes the plan")


class PlansIn(BaseModel):
    county_code: str = ""
    year: int
    quarter: int
    plans: list[PlanCell]


@router.put("/plans")
def save_plans(body: PlansIn, db: Db, principal: Principal = Depends(admin_only)) -> dict:
    """Set the listed cells (others stay as they are); 422 plan_invalid lists the bad cells."""
    county = scope.county_for(principal, body.county_code)
    entered = {(cell.area_code, cell.insurance): "" if cell.people is None else str(cell.people)
               for cell in body.plans}
    return _plans(plans.save(session=db, actor=principal.actor, county_code=county, year=body.year,
                             quarter=body.quarter, entered=entered))
