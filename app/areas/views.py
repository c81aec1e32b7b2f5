"""The admin's area tree page with CSV import, and the area API."""
from fastapi import APIRouter, Depends, File, Request, UploadFile
from pydantic import BaseModel

from app.accounts.access import Principal, admin_only, any_user
from app.areas import service as areas
from app.audit import service as audit
from app.db import Db
from app.errors import ApiError
from app.i18n import N_, gettext_for
from app.web import render

router = APIRouter()

MAX_AREA_FILE_BYTES = 5 * 1024 * 1024


@router.get("/admin/areas")
def areas_page(request: Request, db: Db, principal: Principal = Depends(admin_only)):
    tree = areas.build_tree(areas.descendants(db, list(principal.area_codes)))
    return render(request, "admin/areas.html", {"tree": tree, "result": None})


@router.post("/admin/areas/import")
async def import_areas_page(request: Request, db: Db, principal: Principal = Depends(admin_only),
                            file: UploadFile = File(...)):
    data = await file.read(MAX_AREA_FILE_BYTES + 1)
    _ = gettext_for(request)
    context = {"result": None, "file_error": "", "row_errors": []}
    if len(data) > MAX_AREA_FILE_BYTES:
        context["file_error"] = _("The file is larger than 5 MB.")
    else:
        try:
            with db.begin_nested():
                result = areas.import_areas(db, data)
                outside = [code for code in result_codes(data) if not principal.covers(code)]
                if outside and not result.errors:
                    raise OutsideCounty(outside)
                if result.errors:
                    raise RefusedImport(result)
                audit.record(db, principal.actor, "areas.import", object_type="file",
                             object_id=file.filename or "",
                             detail={"created": result.created, "updated": result.updated})
                context["result"] = result
        except areas.AreaFileError as error:
            context["file_error"] = _(error.message)
        except OutsideCounty as error:
            context["file_error"] = _("Areas outside your county cannot be imported: {codes}").format(
                codes=", ".join(error.codes[:10]))
        except RefusedImport as refused:
            context["row_errors"] = [
                {"row": e.row, "code": e.code, "message": _(e.message).format(**e.params)}
                for e in refused.result.errors]
    context["tree"] = areas.build_tree(areas.descendants(db, list(principal.area_codes)))
    status = 400 if context["file_error"] or context["row_errors"] else 200
    return render(request, "admin/areas.html", context, status_code=status)


class OutsideCounty(Exception):
    def __init__(self, codes: list[str]):
        super().__init__("outside")
        self.codes = codes


class RefusedImport(Exception):
    """Raised inside the savepoint so a refused file rolls back whatever it had flushed."""

    def __init__(self, result: areas.ImportResult):
        super().__init__("refused")
        self.result = result


def result_codes(data: bytes) -> list[str]:
    return [areas.normalize_code(cells[0]) for _n, cells in areas.parse_rows(areas.decode_csv(data))
            if cells and cells[0].strip()]


class AreaOut(BaseModel):
    code: str
    name: str
    level: str
    parent_code: str | None
    children: list[dict]


@router.get("/api/v1/areas/{code}", response_model=AreaOut)
def area_detail(code: str, db: Db, principal: Principal = Depends(any_user)):
    principal.ensure_area(code)
    area = areas.get(db, code)
    if area is None:
        raise ApiError(404, "not_found", N_("Not found."))
    children = [{"code": child.code, "name": child.name, "level": child.level}
                for child in areas.descendants(db, [code]) if child.parent_code == code]
    return AreaOut(code=area.code, name=area.name, level=area.level,
                   parent_code=area.parent_code, children=children)
