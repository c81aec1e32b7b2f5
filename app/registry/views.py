"""The admin's view of the registry push: a page and its JSON twin."""
from fastapi import APIRouter, Depends, Request
from sqlalchemy import false, func, or_, select
from sqlalchemy.engine import Engine

from app.accounts.access import Principal, admin_only
from app.areas.service import code_under
from app.db import Db
from app.registry import service
from app.registry.models import RegistryPerson
from app.web import render

router = APIRouter()


def _registry_people(engine: Engine, area_codes: list[str]) -> int | None:
    """People of these areas in the registry; None when the registry cannot be read."""
    column = RegistryPerson.__table__.c.village_code
    try:
        with engine.connect() as connection:
            return connection.execute(select(func.count()).select_from(RegistryPerson.__table__).where(
                or_(false(), *(code_under(column, code) for code in area_codes)))).scalar_one()
    except Exception:  # a status page reports an unreachable registry; it does not fail with it
        return None


@router.get("/admin/registry")
def registry_page(request: Request, db: Db, principal: Principal = Depends(admin_only)):
    codes = list(principal.area_codes)
    status = service.status(db, codes)
    return render(request, "admin/registry.html", {
        "status": status, "waiting_minutes": (status.as_json()["oldest_pending_age_seconds"] or 0) // 60,
        "registry_people": _registry_people(request.app.state.registry_engine, codes)})


@router.get("/api/v1/registry/status")
def registry_status(request: Request, db: Db, principal: Principal = Depends(admin_only)):
    codes = list(principal.area_codes)
    body = service.status(db, codes).as_json()
    body["registry_people"] = _registry_people(request.app.state.registry_engine, codes)
    return body
