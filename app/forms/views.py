"""Form versions: the admin's upload / preview / publish pages, the enumerator's fill page,
and the JSON API the phone app reads forms from."""
from datetime import date

from fastapi import APIRouter, Body, Depends, File, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel
from sqlmodel import Session

from app.accounts.access import Principal, admin_only, any_user, require
from app.accounts.models import Role
from app.areas import service as areas
from app.db import Db
from app.errors import ApiError
from app.forms import service as forms
from app.forms import xlsform
from app.forms.models import FormVersion
from app.forms.validation import MESSAGES as VALIDATION_MESSAGES
from app.forms.validation import validate
from app.i18n import N_, gettext_for, locale_for
from app.web import render

router = APIRouter()


def _counties(principal: Principal) -> set[str]:
    return {forms.county_of(code) for code in principal.area_codes}


def _admin_form(db: Session, principal: Principal, form_version_id: int) -> FormVersion:
    """Load, check area: an admin sees the forms of their own county only."""
    row = db.get(FormVersion, form_version_id)
    if row is None or row.county_code not in _counties(principal):
        raise ApiError(404, "not_found", N_("Not found."))
    return row


def _client(definition) -> dict:
    """What the browser runtime needs: the rules and the server's standard messages."""
    return {"definition": definition.to_client(), "messages": VALIDATION_MESSAGES}


def _lang(request: Request) -> str:
    return "en" if locale_for(request) == "en" else "zh"


# ---- admin pages -----------------------------------------------------------------------------

def _forms_page(request: Request, db: Session, principal: Principal, **context):
    rows = forms.versions_for_counties(db, _counties(principal), published_only=False)
    return render(request, "forms/admin_list.html", {"rows": rows, **context},
                  status_code=400 if context.get("error") else 200)


@router.get("/admin/forms")
def forms_page(request: Request, db: Db, principal: Principal = Depends(admin_only)):
    return _forms_page(request, db, principal)


@router.post("/admin/forms")
async def upload_form(request: Request, db: Db, principal: Principal = Depends(admin_only),
                      file: UploadFile = File(...)):
    data = await file.read(forms.MAX_FORM_FILE_BYTES + 1)
    _ = gettext_for(request)
    county = sorted(_counties(principal))[0]
    try:
        form = forms.parse_upload(file.filename or "", data)
        with db.begin_nested():
            row = forms.upload(session=db, actor=principal.actor, county_code=county, form=form)
    except forms.FormUploadError as error:
        lang = _lang(request)
        problems = [{"row": p.row, "column": p.column, "code": p.code,
                     "message": p.message_en if lang == "en" else p.message_zh}
                    for p in error.problems]
        return _forms_page(request, db, principal, error=_(error.message).format(**error.params),
                           problems=problems)
    return RedirectResponse(f"/admin/forms/{row.id}", status_code=303)


@router.get("/admin/forms/{form_version_id}")
def preview_form(form_version_id: int, request: Request, db: Db,
                 principal: Principal = Depends(admin_only)):
    row = _admin_form(db, principal, form_version_id)
    definition = forms.definition_of(row)
    return render(request, "forms/admin_preview.html",
                  {"row": row, "form": definition, "lang": _lang(request),
                   "client": _client(definition), "village_code": "", "preview": True})


@router.post("/admin/forms/{form_version_id}/publish")
def publish_form(form_version_id: int, db: Db, principal: Principal = Depends(admin_only)):
    row = _admin_form(db, principal, form_version_id)
    forms.publish(session=db, actor=principal.actor, row=row)
    return RedirectResponse(f"/admin/forms/{row.id}", status_code=303)


@router.post("/admin/forms/{form_version_id}/discard")
def discard_form(form_version_id: int, db: Db, principal: Principal = Depends(admin_only)):
    row = _admin_form(db, principal, form_version_id)
    forms.discard_draft(session=db, actor=principal.actor, row=row)
    return RedirectResponse("/admin/forms", status_code=303)


@router.get("/admin/forms/{form_version_id}/download.xlsx")
def download_form(form_version_id: int, db: Db, principal: Principal = Depends(admin_only)):
    row = _admin_form(db, principal, form_version_id)
    filename = f"{row.form_id}-{row.version}.xlsx"
    return Response(xlsform.write_xlsx(row.definition),
                    media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


# ---- the enumerator's form page --------------------------------------------------------------

@router.get("/enumerator/forms/{form_id}")
def fill_form(form_id: str, request: Request, db: Db,
              principal: Principal = Depends(require(Role.enumerator)),
              village: str = ""):
    villages = areas.villages_in(db, list(principal.area_codes))
    if village:
        principal.ensure_area(village)
    chosen = village or (villages[0].code if villages else "")
    row = forms.latest_published(db, forms.county_of(chosen), form_id) if chosen else None
    if row is None:
        raise ApiError(404, "not_found", N_("Not found."))
    definition = forms.definition_of(row)
    return render(request, "forms/fill.html",
                  {"row": row, "form": definition, "lang": _lang(request),
                   "client": _client(definition), "villages": villages,
                   "village_code": chosen, "preview": False})


# ---- JSON API --------------------------------------------------------------------------------

class FormSummary(BaseModel):
    form_id: str
    version: str
    title: str
    county_code: str
    content_hash: str
    published_at: str | None


@router.get("/api/v1/forms", response_model=list[FormSummary])
def list_forms(db: Db, principal: Principal = Depends(any_user)):
    """Every published version the caller's devices may need (drafts in the outbox keep old ones)."""
    rows = forms.versions_for_counties(db, _counties(principal), published_only=True)
    return [FormSummary(form_id=row.form_id, version=row.version, title=row.title,
                        county_code=row.county_code, content_hash=row.content_hash,
                        published_at=row.published_at.isoformat() if row.published_at else None)
            for row in rows]


def _published_for(db: Session, principal: Principal, form_id: str, version: str) -> FormVersion:
    for county in sorted(_counties(principal)):
        row = forms.find_published(db, county, form_id, version)
        if row is not None:
            return row
    raise ApiError(404, "form_version_unknown", N_("This form version is not published."))


@router.get("/api/v1/forms/{form_id}/{version}")
def get_form(form_id: str, version: str, db: Db, principal: Principal = Depends(any_user)):
    """The published definition in the shape the browser runtime evaluates."""
    row = _published_for(db, principal, form_id, version)
    return {"form_id": row.form_id, "version": row.version, "content_hash": row.content_hash,
            "definition": forms.definition_of(row).to_client()}


class FieldErrorOut(BaseModel):
    path: str
    code: str
    message: str


class ValidationOut(BaseModel):
    valid: bool
    errors: list[FieldErrorOut]
    warnings: list[FieldErrorOut]


@router.post("/api/v1/forms/{form_id}/{version}/validate", response_model=ValidationOut)
def validate_payload(form_id: str, version: str, request: Request, db: Db,
                     payload: dict = Body(...), principal: Principal = Depends(any_user)):
    """Check a household payload exactly as the server will when it is submitted."""
    row = _published_for(db, principal, form_id, version)
    village = payload.get("village_code")
    if isinstance(village, str) and village and not principal.covers(village):
        raise ApiError(403, "village_not_yours", N_("This village is not one of yours."))
    result = validate(forms.definition_of(row), payload, today=date.today())
    english = _lang(request) == "en"

    def out(items):
        return [FieldErrorOut(path=item.path, code=item.code,
                              message=item.message_en if english else item.message_zh)
                for item in items]

    return ValidationOut(valid=not result.errors, errors=out(result.errors),
                         warnings=out(result.warnings))
