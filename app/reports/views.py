"""The report pages: the index, 调度表（一）/（二）and the ledger for any area in the caller's
reach (each with its XLSX and CSV, ?format=xlsx|csv, made from the same computed report), the
admin's expansion-plan grid and county rules. Supervisors see their township(s) and read the
plans; admins see their county and change plans and rules; elsewhere 404."""
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request, UploadFile
from fastapi.responses import RedirectResponse

from app.accounts.access import Principal, admin_only, supervisor_or_admin
from app.db import Db
from app.errors import ApiError
from app.i18n import N_, gettext_for
from app.reports import layouts, plans, rules_service, scope
from app.reports.figures import INSURANCE_NAMES, describe
from app.reports.models import INSURANCES
from app.reports.periods import current_quarter, today
from app.reports.render import DOCUMENT_GETTEXT, download
from app.reports.rules import MAX_SOURCE, RulesInvalid
from app.web import render

router = APIRouter()
viewer = supervisor_or_admin

TITLES = {"dispatch-1": N_("Dispatch table (1)"), "dispatch-2": N_("Dispatch table (2)"),
          "ledger": N_("Monthly ledger")}


def report_url(kind: str, code: str, params: dict, fmt: str = "") -> str:
    query = {"area": code, **{key: str(value) for key, value in params.items()}}
    if fmt:
        query["format"] = fmt
    return f"/reports/{kind}?{urlencode(query)}"


@router.get("/reports")
def index(request: Request, db: Db, principal: Principal = Depends(viewer)):
    year, quarter = current_quarter()
    return render(request, "reports/index.html", {
        "areas": scope.visible_areas(db, principal), "today": today().isoformat(), "year": year,
        "quarter": quarter, "titles": TITLES})


def _report(request: Request, db: Db, principal: Principal, kind: str, area: str, fmt: str, **period):
    place = scope.area_for(db, principal, area)
    params = scope.params_for(kind, **period)
    report = scope.compute(db, kind, place, params)
    if fmt:
        stem = "_".join([DOCUMENT_GETTEXT(TITLES[kind]), place.name, *map(str, params.values())])
        return download(layouts.sheet_of(report, DOCUMENT_GETTEXT), fmt, stem)
    _ = gettext_for(request)
    return render(request, "reports/report.html", {
        "kind": kind, "title": TITLES[kind], "report": report, "place": place, "params": params,
        "sheet": layouts.sheet_of(report, _),
        "problems": [(line.name if line.code else _(line.name), describe(problem, _))
                     for line in [*report.rows, report.total] for problem in line.problems],
        "link": None if scope.is_village(place) else (lambda code: report_url(kind, code, params)),
        "trail": scope.trail(db, place), "covers": principal.covers,
        "url": lambda code, fmt="": report_url(kind, code, params, fmt),
        "areas": scope.visible_areas(db, principal), "titles": TITLES, "form_values": {"area": place.code, **params},
        "json_url": f"/api/v1/reports/{kind}?" + urlencode(
            {"area": place.code, **{key: str(value) for key, value in params.items()}})})


@router.get("/reports/dispatch-1")
def dispatch_one_page(request: Request, db: Db, principal: Principal = Depends(viewer),
                      area: str = "", date: str = "", format: str = ""):
    return _report(request, db, principal, "dispatch-1", area, format, date_=date)


@router.get("/reports/dispatch-2")
def dispatch_two_page(request: Request, db: Db, principal: Principal = Depends(viewer),
                      area: str = "", year: int | None = None, quarter: int | None = None,
                      format: str = ""):
    return _report(request, db, principal, "dispatch-2", area, format, year=year, quarter=quarter)


@router.get("/reports/ledger")
def ledger_page(request: Request, db: Db, principal: Principal = Depends(viewer),
                area: str = "", year: int | None = None, format: str = ""):
    return _report(request, db, principal, "ledger", area, format, year=year)


# ------------------------------------------------------------------------- expansion plans

def _plans_page(request: Request, db: Db, principal: Principal, grid: plans.Grid, *,
                saved: bool = False, error: str = "", status_code: int = 200):
    return render(request, "reports/plans.html", {
        "grid": grid, "insurances": [(name, INSURANCE_NAMES[name]) for name in INSURANCES],
        "editable": principal.role == "admin", "saved": saved, "error": error,
        "years": range(grid.year - 2, grid.year + 3)}, status_code=status_code)


@router.get("/reports/plans")
def plans_page(request: Request, db: Db, principal: Principal = Depends(viewer),
               year: int | None = None, quarter: int | None = None, saved: int = 0):
    default_year, default_quarter = current_quarter()
    year = default_year if year is None else year
    quarter = default_quarter if quarter is None else quarter
    grid = plans.grid(db, sorted(principal.area_codes), year, quarter)
    return _plans_page(request, db, principal, grid, saved=bool(saved))


@router.post("/reports/plans")
async def save_plans(request: Request, db: Db, principal: Principal = Depends(admin_only)):
    """The grid's cells arrive as fields named plan:<area code>:<insurance>."""
    form = await request.form()
    try:
        year, quarter = int(str(form.get("year", ""))), int(str(form.get("quarter", "")))
    except ValueError:
        raise ApiError(422, "plan_period_invalid", N_("Choose the year and the quarter.")) from None
    county = scope.county_for(principal, str(form.get("county_code", "")))
    entered = {}
    for name, value in form.multi_items():
        kind, _, rest = name.partition(":")
        if kind == "plan":
            area_code, _, insurance = rest.partition(":")
            entered[(area_code, insurance)] = str(value)
    try:
        with db.begin_nested():
            plans.save(session=db, actor=principal.actor, county_code=county, year=year,
                       quarter=quarter, entered=entered)
    except ApiError as error:
        if error.code != "plan_invalid":
            raise
        grid = plans.grid(db, [county], year, quarter)
        grid.values.update({cell: value for cell, value in entered.items()})
        grid.errors = {(problem["area_code"], problem["insurance"]): problem["code"] for problem in error.errors}
        return _plans_page(request, db, principal, grid, error=gettext_for(request)(error.message),
                           status_code=422)
    return RedirectResponse(f"/reports/plans?year={year}&quarter={quarter}&saved=1", status_code=303)


# ------------------------------------------------------------------------------- rules

def _rules_page(request: Request, db: Db, county: str, *, source: str | None = None,
                problems: list[dict] | None = None, error: str = "", saved: str = "",
                status_code: int = 200):
    rules = rules_service.current(db, county)
    return render(request, "reports/rules.html", {
        "county": county, "rules": rules, "history": rules_service.history(db, county),
        "source": rules.source if source is None else source, "problems": problems or [],
        "error": error, "saved": saved, "max_source": MAX_SOURCE}, status_code=status_code)


@router.get("/admin/reports/rules")
def rules_page(request: Request, db: Db, principal: Principal = Depends(admin_only),
               county: str = "", saved: str = ""):
    return _rules_page(request, db, scope.county_for(principal, county), saved=saved)


@router.post("/admin/reports/rules")
async def upload_rules(request: Request, db: Db, principal: Principal = Depends(admin_only),
                       county_code: Annotated[str, Form()] = "",
                       source: Annotated[str, Form()] = "",
                       file: UploadFile | None = None):
    """A new version, typed or uploaded (the file wins when both are given)."""
    county = scope.county_for(principal, county_code)
    if file is not None and file.filename:
        raw = await file.read(MAX_SOURCE * 4 + 1)
        try:
            source = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            source = raw.decode("utf-8", errors="replace")
    _ = gettext_for(request)
    try:
        with db.begin_nested():
            rules = rules_service.save(session=db, actor=principal.actor, county_code=county, source=source)
    except RulesInvalid as invalid:
        return _rules_page(request, db, county, source=source, problems=invalid.problems,
                           error=_(invalid.message), status_code=422)
    except ApiError as refusal:
        if refusal.status == 404:
            raise
        return _rules_page(request, db, county, source=source,
                           error=_(refusal.message).format(**refusal.params), status_code=refusal.status)
    return RedirectResponse(f"/admin/reports/rules?{urlencode({'county': county, 'saved': rules.version})}",
                            status_code=303)
