"""The landing pages of enumerators and admins (the supervisor's is the review queue,
app/review/pages.py)."""
from fastapi import APIRouter, Depends, Request
from sqlmodel import func, select

from app.accounts import service as accounts
from app.accounts.access import Principal, admin_only, require
from app.accounts.models import DeviceToken, Role
from app.areas import service as areas
from app.areas.models import AreaLevel
from app.db import Db
from app.forms import service as forms
from app.web import render

router = APIRouter()


@router.get("/enumerator")
def enumerator_home(request: Request, db: Db,
                    principal: Principal = Depends(require(Role.enumerator))):
    villages = areas.villages_in(db, list(principal.area_codes))
    counties = {forms.county_of(code) for code in principal.area_codes}
    latest: dict[str, object] = {}
    for row in forms.versions_for_counties(db, counties, published_only=True):
        current = latest.get(row.form_id)
        if current is None or row.published_at > current.published_at:
            latest[row.form_id] = row
    return render(request, "home/enumerator.html",
                  {"villages": villages, "forms": sorted(latest.values(), key=lambda r: r.form_id)})


@router.get("/admin")
def admin_home(request: Request, db: Db, principal: Principal = Depends(admin_only)):
    in_county = areas.descendants(db, list(principal.area_codes))
    users = accounts.users_within(db, list(principal.area_codes))
    active_devices = db.exec(select(func.count()).select_from(DeviceToken).where(
        DeviceToken.revoked_at.is_(None),
        DeviceToken.user_id.in_([user.id for user in users] or [-1]))).one()
    counts = {level.value: sum(1 for area in in_county if area.level == level) for level in AreaLevel}
    return render(request, "home/admin.html",
                  {"counties": [area for area in in_county if area.level == AreaLevel.county],
                   "counts": counts, "user_count": len(users),
                   "active_users": sum(1 for user in users if user.active),
                   "active_devices": active_devices})


