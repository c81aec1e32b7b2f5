"""The admin's roster pages (upload → dry run → import the valid rows; targets per village) and
the import API. The work runs in the thread pool: a county's roster takes a while, and the
event loop must keep serving everyone else meanwhile."""
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, JSONResponse
from starlette.background import BackgroundTask
from sqlmodel import Session

from app.accounts.access import Principal, admin_only
from app.areas import service as areas
from app.areas.models import AreaLevel
from app.common import idcard
from app.db import Db
from app.errors import ApiError
from app.i18n import N_, gettext_for, locale_for
from app.targets import roster, service
from app.targets.models import INSURANCE_LABELS, STATUS_LABELS, TargetStatus
from app.targets.uploads import Uploads
from app.web import render

router = APIRouter()
PAGE_SIZE = 100
UPLOAD_GONE = N_("The uploaded file is no longer here. Please upload it again.")


def _uploads(request: Request, principal: Principal) -> Uploads:
    return Uploads(request.app.state.settings.upload_dir, principal.user.id)


def _run(request: Request, db: Session, principal: Principal, uploads: Uploads, sha256: str,
         mapping: dict[str, str], import_valid: bool) -> service.RosterImport:
    found = uploads.roster(sha256)
    if found is None:
        raise ApiError(404, "upload_gone", UPLOAD_GONE)
    path, file_name = found
    return service.import_roster(session=db, actor=principal.actor,
                                 scope=list(principal.area_codes), path=path, file_name=file_name,
                                 sha256=sha256, mapping=mapping, import_valid=import_valid,
                                 locale=locale_for(request), report=uploads.report(sha256))


def _forget_after_commit(response, uploads: Uploads, result: service.RosterImport):
    # Runs after the response is sent, so after the commit: a failed commit keeps the file.
    if result.imported:
        response.background = BackgroundTask(uploads.forget_roster, result.sha256)
    return response


# ---- pages -------------------------------------------------------------------------------------

def _status_labels(request: Request) -> dict[str, str]:
    _ = gettext_for(request)
    return {status.value: _(STATUS_LABELS[status]) for status in TargetStatus}


@router.get("/admin/targets")
def targets_page(request: Request, db: Db, principal: Principal = Depends(admin_only)):
    villages = service.village_counts(db, list(principal.area_codes))
    return render(request, "targets/admin.html",
                  {"villages": villages, "statuses": _status_labels(request)})


def _import_page(request: Request, sha256: str, *, result=None, error=None, mapping=None):
    _ = gettext_for(request)
    context = {"sha256": sha256, "result": result, "error": None, "headers": [],
               "columns": roster.COLUMNS, "mapping": mapping or {}}
    if error is not None:
        context["error"] = _(error.message).format(**error.params)
        context["headers"] = error.headers
    return render(request, "targets/import.html", context, status_code=400 if error else 200)


@router.post("/admin/targets/import")
async def upload_roster(request: Request, db: Db, principal: Principal = Depends(admin_only),
                        file: UploadFile = File(...)):
    uploads = _uploads(request, principal)
    try:
        sha256 = await run_in_threadpool(uploads.save, file.file, file.filename or "")
    except roster.RosterFileError as error:
        return _import_page(request, "", error=error)
    return await _check_or_import(request, db, principal, uploads, sha256, {}, False)


@router.post("/admin/targets/imports/{sha256}")
async def check_or_import(sha256: str, request: Request, db: Db,
                          principal: Principal = Depends(admin_only)):
    form = await request.form()
    mapping = {column.field: str(form.get(f"map_{column.field}", "")).strip()
               for column in roster.COLUMNS}
    return await _check_or_import(request, db, principal, _uploads(request, principal), sha256,
                                  {field: header for field, header in mapping.items() if header},
                                  form.get("import_valid") == "1")


async def _check_or_import(request, db, principal, uploads, sha256, mapping, import_valid):
    try:
        result = await run_in_threadpool(_run, request, db, principal, uploads, sha256, mapping,
                                         import_valid)
    except roster.RosterFileError as error:
        return _import_page(request, sha256, error=error, mapping=mapping)
    return _forget_after_commit(_import_page(request, sha256, result=result), uploads, result)


@router.get("/admin/targets/villages/{code}")
def village_targets(code: str, request: Request, db: Db,
                    principal: Principal = Depends(admin_only), page: int = 1):
    principal.ensure_area(code)
    village = areas.get(db, code)
    if village is None or village.level != AreaLevel.village:
        raise ApiError(404, "not_found", N_("Not found."))
    page = max(page, 1)
    found, total = service.targets_of(db, code, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    _ = gettext_for(request)
    statuses = _status_labels(request)
    rows = [{"name": target.name, "id_masked": idcard.mask(target.id_number),
             "address": target.address, "enumerator": username or "",
             "uninsured": "、".join(_(INSURANCE_LABELS[key]) for key in target.uninsured.split()),
             "status": statuses.get(target.status, target.status)} for target, username in found]
    return render(request, "targets/village.html",
                  {"village": village, "rows": rows, "total": total, "page": page,
                   "pages": max(1, -(-total // PAGE_SIZE))})


# ---- API ---------------------------------------------------------------------------------------

def _as_json(result: service.RosterImport) -> dict:
    return {"file": {"name": result.file_name, "sha256": result.sha256},
            "imported": result.imported, "counts": result.counts(), "columns": result.mapping,
            "problems": [{"row": p["row_no"], "name": p["name"], "id_number_masked": p["id_masked"],
                          "codes": p["codes"].split(), "message": p["reasons"]}
                         for p in result.first_problems],
            "report_url": f"/api/v1/targets/import/{result.sha256}/report.csv"}


def _refused(error: roster.RosterFileError) -> ApiError:
    errors = [{"path": "file", "code": error.code, "headers": error.headers}] if error.headers else []
    return ApiError(400, error.code, error.message, params=error.params, errors=errors)


@router.post("/api/v1/targets/import")
async def import_api(request: Request, db: Db, principal: Principal = Depends(admin_only),
                     file: UploadFile = File(...),
                     import_valid: Annotated[bool, Form()] = False,
                     map: Annotated[list[str], Form()] = []):  # noqa: B006 (FastAPI copies it)
    """Upload a roster: a dry run by default, with import_valid=true the valid rows are
    written. `map` items ("姓名=XM") say which column is which when the headers differ."""
    uploads = _uploads(request, principal)
    try:
        mapping = roster.parse_mapping(map)
        sha256 = await run_in_threadpool(uploads.save, file.file, file.filename or "")
        result = await run_in_threadpool(_run, request, db, principal, uploads, sha256, mapping,
                                         import_valid)
    except roster.RosterFileError as error:
        raise _refused(error) from None
    return _forget_after_commit(JSONResponse(_as_json(result)), uploads, result)


@router.get("/api/v1/targets/import/{sha256}/report.csv")
def download_report(sha256: str, request: Request, principal: Principal = Depends(admin_only)):
    """The bad rows of the caller's own latest check of that file."""
    report = _uploads(request, principal).report(sha256)
    if report is None or not report.is_file():
        raise ApiError(404, "not_found", N_("Not found."))
    return FileResponse(report, media_type="text/csv; charset=utf-8",
                        filename=f"roster-report-{sha256[:12]}.csv")
