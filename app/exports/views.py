"""Export batches: the admin's page and the JSON API. Admins only, each in their own county;
another county's batch answers 404. Full ID numbers and phones are in the files by design (the
provincial platform needs them), so every download is audited."""
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, StreamingResponse
from pydantic import BaseModel
from sqlmodel import Session

from app.accounts.access import Principal, admin_only
from app.areas import service as areas
from app.areas.models import AreaLevel
from app.db import Db
from app.errors import ApiError
from app.exports import service as exports
from app.i18n import N_, gettext_for
from app.web import render

router = APIRouter()


def _counties(principal: Principal) -> list[str]:
    return [code for code in principal.area_codes if len(code) == 6]


def _county(principal: Principal, county_code: str | None) -> str:
    """The county a batch is made for: the one asked for, or the admin's only county."""
    counties = _counties(principal)
    if not county_code:
        if len(counties) != 1:
            raise ApiError(422, "county_required", N_("Choose the county."))
        return counties[0]
    if county_code not in counties:
        raise ApiError(404, "not_found", N_("Not found."))
    return county_code


def _batch(db: Session, principal: Principal, batch_id: int) -> exports.BatchInfo:
    """Load, check area."""
    info = exports.get(db, batch_id)
    principal.ensure_area(info.batch.county_code if info else None)
    return info


def _create(request: Request, db: Session, principal: Principal, county_code: str | None,
            township_code: str | None) -> exports.BatchInfo:
    county = _county(principal, county_code)
    with db.begin_nested():  # nothing of a refused batch stays behind
        return exports.create_batch(session=db, app_engine=request.app.state.engine,
                                    registry_engine=request.app.state.registry_engine,
                                    actor=principal.actor, county_code=county,
                                    township_code=township_code or None)


def _page(request: Request, db: Session, principal: Principal, *, error: str = "",
          status_code: int = 200):
    counties = _counties(principal)
    townships = [area for area in areas.descendants(db, counties) if area.level == AreaLevel.township]
    return render(request, "admin/exports.html",
                  {"batches": exports.batches(db, counties), "counties": counties,
                   "townships": townships, "township_names": {a.code: a.name for a in townships},
                   "error": error, "created": request.query_params.get("created")},
                  status_code=status_code)


@router.get("/admin/exports")
def exports_page(request: Request, db: Db, principal: Principal = Depends(admin_only)):
    return _page(request, db, principal)


@router.post("/admin/exports")
def create_from_page(request: Request, db: Db, principal: Principal = Depends(admin_only),
                     county_code: Annotated[str, Form()] = "",
                     township_code: Annotated[str, Form()] = ""):
    try:
        info = _create(request, db, principal, county_code, township_code)
    except ApiError as error:
        if error.status == 404:
            raise
        return _page(request, db, principal, error=gettext_for(request)(error.message),
                     status_code=error.status)
    return RedirectResponse(f"/admin/exports?created={info.batch.number}", status_code=303)


class NewBatch(BaseModel):
    county_code: str | None = None
    township_code: str | None = None


@router.get("/api/v1/exports")
def list_batches(db: Db, principal: Principal = Depends(admin_only)):
    return {"batches": [info.manifest() for info in exports.batches(db, _counties(principal))]}


@router.post("/api/v1/exports", status_code=201)
def create_batch(request: Request, body: NewBatch, db: Db,
                 principal: Principal = Depends(admin_only)):
    return _create(request, db, principal, body.county_code, body.township_code).manifest()


@router.get("/api/v1/exports/{batch_id}")
def batch_manifest(batch_id: int, db: Db, principal: Principal = Depends(admin_only)):
    return _batch(db, principal, batch_id).manifest()


@router.get("/api/v1/exports/{batch_id}/files/{fmt}")
def download(request: Request, batch_id: int, fmt: str, db: Db,
             principal: Principal = Depends(admin_only)):
    info = _batch(db, principal, batch_id)
    if fmt not in info.files:
        raise ApiError(404, "not_found", N_("Not found."))
    exports.probe(request.app.state.registry_engine)
    exports.record_download(db, principal.actor, info, fmt)
    file = info.files[fmt]
    chunks = exports.stream(request.app.state.engine, request.app.state.registry_engine, info, fmt)
    return StreamingResponse(chunks, media_type=exports.MEDIA_TYPES[fmt], headers={
        "Content-Disposition": f'attachment; filename="{file.file_name}"',
        "Content-Length": str(file.byte_size), "X-Content-SHA256": file.sha256,
        "Cache-Control": "no-store"})
