"""The progress dashboard: a page per area (county → township → village, each level linking
down to the next), every table downloadable as XLSX and CSV, and the same figures as JSON
under /api/v1/reports/progress. Supervisors see their township(s), admins their county; any
other area answers 404, as everywhere."""
from dataclasses import replace
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request

from app.accounts.access import Principal, supervisor_or_admin
from app.areas.models import Area, AreaLevel
from app.clock import to_china_time, utcnow
from app.db import Db
from app.errors import ApiError
from app.i18n import N_, gettext_for
from app.reports import progress_sheets as sheets
from app.reports.progress import UNASSIGNED, Progress, report
from app.reports.render import DOCUMENT_GETTEXT, download
from app.reports.scope import area_for
from app.review.context import lang as lang_of
from app.web import render

router = APIRouter()
viewer = supervisor_or_admin


def page_url(code: str) -> str:
    return "/reports/progress?" + urlencode({"area": code})


@router.get("/reports/progress")
def progress_page(request: Request, db: Db, principal: Principal = Depends(viewer), area: str = ""):
    """The dashboard of one area: charts and tables of targets, households, returns and flags."""
    place = area_for(db, principal, area)
    lang = lang_of(request)
    _ = gettext_for(request)
    figures = report(db, place, lang=lang)
    link = page_url if place.level != AreaLevel.village else None
    # The page says once, above the tables, what each download repeats in its own notes.
    tables = {name: replace(sheets.sheet(figures, name, _, lang), notes=[]) for name in sheets.TABLES}
    return render(request, "reports/progress.html", {
        "figures": figures, "tables": tables, "as_of": to_china_time(utcnow()), "link": link, "place": place,
        "own_areas": [db.get(Area, code) for code in sorted(principal.area_codes)]
        if len(principal.area_codes) > 1 else [],
        "covers": principal.covers, "area_url": page_url,
        "charts": {"areas": sheets.area_chart(figures, _, link),
                   "enumerators": sheets.enumerator_chart(figures, _),
                   "days": sheets.day_chart(figures, _),
                   "returns": sheets.return_chart(figures, _),
                   "flags": sheets.flag_chart(figures, _, lang)}})


@router.get("/reports/progress/{table}.{fmt}")
def progress_download(table: str, fmt: str, db: Db, principal: Principal = Depends(viewer),
                      area: str = ""):
    """One table of the dashboard as an XLSX workbook or a CSV file, in Chinese like the
    county's other report files."""
    if table not in sheets.TABLES:
        raise ApiError(404, "not_found", N_("Not found."))
    place = area_for(db, principal, area)
    figures = report(db, place, lang="zh")
    sheet = sheets.sheet(figures, table, DOCUMENT_GETTEXT, "zh")
    return download(sheet, fmt, f"{place.name}{sheet.name}")


def as_json(figures: Progress, lang: str) -> dict:
    return {
        "area": {"code": figures.area.code, "name": figures.area.name, "level": figures.area.level},
        "trail": [{"code": area.code, "name": area.name} for area in figures.trail],
        "total": figures.total.as_dict(),
        "areas": [{"code": line.key, "name": line.name, **line.tally.as_dict()} for line in figures.areas],
        "enumerators": [{"id": None if line.key == UNASSIGNED else int(line.key), "name": line.name,
                         **line.tally.as_dict()} for line in figures.enumerators],
        "days": [{"day": day.day.isoformat(), "households": day.households, "people": day.people}
                 for day in figures.days],
        "returns": {"total": figures.returns_total,
                    "reasons": [{"comment": reason.text, "count": reason.count} for reason in figures.reasons],
                    "fields": [{"field": field.key, "label": field.text, "count": field.count}
                               for field in figures.fields]},
        "flags": [{"code": flag.code, "label": sheets.flag_label(flag.label, lang), "severity": flag.severity,
                   "current": flag.current, "households": flag.households, "ever": flag.ever}
                  for flag in figures.flags],
    }


@router.get("/api/v1/reports/progress")
def progress_json(request: Request, db: Db, principal: Principal = Depends(viewer), area: str = "") -> dict:
    """Every figure of the dashboard of one area (default: the caller's own)."""
    lang = lang_of(request)
    return as_json(report(db, area_for(db, principal, area), lang=lang), lang)
