"""The admin's audit log page, with filters."""
from datetime import date

from fastapi import APIRouter, Depends, Request

from app.accounts import service as accounts
from app.accounts.access import Principal, admin_only
from app.audit import service as audit
from app.audit.service import AuditFilter
from app.db import Db
from app.web import render

router = APIRouter()
PAGE_SIZE = 50


def _parse_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@router.get("/admin/audit")
def audit_page(request: Request, db: Db, principal: Principal = Depends(admin_only),
               action: str = "", actor: str = "", object_id: str = "", date_from: str = "",
               date_to: str = "", page: int = 1):
    filters = AuditFilter(action=action.strip(), actor=actor.strip(), object_id=object_id.strip(),
                          date_from=_parse_date(date_from), date_to=_parse_date(date_to))
    page = max(page, 1)
    user_ids = {user.id for user in accounts.users_within(db, list(principal.area_codes))}
    events, total = audit.search(db, filters, user_ids=user_ids, limit=PAGE_SIZE,
                                 offset=(page - 1) * PAGE_SIZE)
    return render(request, "admin/audit.html",
                  {"events": events, "total": total, "page": page,
                   "pages": max(1, -(-total // PAGE_SIZE)), "actions": audit.actions(db),
                   "filters": {"action": action, "actor": actor, "object_id": object_id,
                               "date_from": date_from, "date_to": date_to}})
