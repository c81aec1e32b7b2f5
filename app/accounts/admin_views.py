"""Admin pages for users and devices, scoped to the admin's county."""
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session

from app.accounts import service as accounts
from app.accounts.access import Principal, admin_only
from app.accounts.models import DeviceToken, Role, User
from app.areas import service as areas
from app.db import Db
from app.errors import ApiError
from app.i18n import N_, gettext_for
from app.web import render

router = APIRouter(prefix="/admin")


def _managed_user(db: Session, principal: Principal, user_id: int) -> User:
    """Load, check area: an admin manages only users whose every area is in their county."""
    user = db.get(User, user_id)
    if user is None or not principal.covers_all(accounts.area_codes(db, user.id)):
        raise ApiError(404, "not_found", N_("Not found."))
    return user


def _users_page(request: Request, db: Session, principal: Principal, *, error: str = "",
                form: dict | None = None, status_code: int = 200):
    users = accounts.users_within(db, list(principal.area_codes))
    assignments = {user.id: accounts.area_codes(db, user.id) for user in users}
    area_list = areas.descendants(db, list(principal.area_codes))
    return render(request, "admin/users.html",
                  {"users": users, "assignments": assignments,
                   "area_names": {area.code: area.name for area in area_list},
                   "areas": area_list, "roles": list(Role), "error": error,
                   "form": form or {}, "saved": request.query_params.get("saved")},
                  status_code=status_code)


@router.get("/users")
def users_page(request: Request, db: Db, principal: Principal = Depends(admin_only)):
    return _users_page(request, db, principal)


@router.post("/users")
def create_user(request: Request, db: Db, principal: Principal = Depends(admin_only),
                username: Annotated[str, Form()] = "", display_name: Annotated[str, Form()] = "",
                role: Annotated[str, Form()] = "", password: Annotated[str, Form()] = "",
                area_codes: Annotated[list[str], Form()] = []):
    form = {"username": username, "display_name": display_name, "role": role,
            "area_codes": area_codes}
    _ = gettext_for(request)
    if not all(principal.covers(code) for code in area_codes if code):
        return _users_page(request, db, principal, form=form, status_code=400,
                           error=_("Choose areas inside your county."))
    try:
        with db.begin_nested():
            accounts.create_user(session=db, passwords=request.app.state.passwords,
                                 actor=principal.actor, username=username,
                                 display_name=display_name, role=role, password=password,
                                 area_codes_=area_codes)
    except ApiError as error:
        message = _(error.message).format(**error.params)
        return _users_page(request, db, principal, error=message, form=form, status_code=400)
    return RedirectResponse("/admin/users?saved=created", status_code=303)


def _user_page(request: Request, db: Session, principal: Principal, user: User, *,
               error: str = "", status_code: int = 200):
    area_list = areas.descendants(db, list(principal.area_codes))
    return render(request, "admin/user.html",
                  {"user": user, "assigned": accounts.area_codes(db, user.id),
                   "areas": area_list, "roles": list(Role),
                   "devices": accounts.devices_of(db, [user.id]), "error": error,
                   "saved": request.query_params.get("saved")}, status_code=status_code)


@router.get("/users/{user_id}")
def user_page(user_id: int, request: Request, db: Db, principal: Principal = Depends(admin_only)):
    return _user_page(request, db, principal, _managed_user(db, principal, user_id))


@router.post("/users/{user_id}/active")
def set_active(user_id: int, request: Request, db: Db, principal: Principal = Depends(admin_only),
               active: Annotated[bool, Form()] = False):
    user = _managed_user(db, principal, user_id)
    _ = gettext_for(request)
    if user.id == principal.user.id and not active:
        return _user_page(request, db, principal, user, status_code=400,
                          error=_("You cannot disable your own account."))
    accounts.set_active(session=db, actor=principal.actor, user=user, active=active)
    return RedirectResponse(f"/admin/users/{user.id}?saved=active", status_code=303)


@router.post("/users/{user_id}/password")
def reset_password(user_id: int, request: Request, db: Db,
                   principal: Principal = Depends(admin_only),
                   password: Annotated[str, Form()] = ""):
    user = _managed_user(db, principal, user_id)
    try:
        accounts.reset_password(session=db, passwords=request.app.state.passwords,
                                actor=principal.actor, user=user, password=password)
    except ApiError as error:
        message = gettext_for(request)(error.message).format(**error.params)
        return _user_page(request, db, principal, user, error=message, status_code=400)
    return RedirectResponse(f"/admin/users/{user.id}?saved=password", status_code=303)


@router.post("/users/{user_id}/assignment")
def reassign(user_id: int, request: Request, db: Db, principal: Principal = Depends(admin_only),
             role: Annotated[str, Form()] = "", area_codes: Annotated[list[str], Form()] = []):
    user = _managed_user(db, principal, user_id)
    _ = gettext_for(request)
    error = ""
    if not all(principal.covers(code) for code in area_codes if code):
        error = _("Choose areas inside your county.")
    elif user.id == principal.user.id and role != Role.admin:
        error = _("You cannot remove your own admin role.")
    else:
        try:
            with db.begin_nested():
                accounts.reassign(session=db, actor=principal.actor, user=user, role=role,
                                  area_codes_=area_codes)
        except ApiError as refusal:
            error = _(refusal.message).format(**refusal.params)
    if error:
        db.refresh(user)
        return _user_page(request, db, principal, user, error=error, status_code=400)
    return RedirectResponse(f"/admin/users/{user.id}?saved=assignment", status_code=303)


@router.get("/devices")
def devices_page(request: Request, db: Db, principal: Principal = Depends(admin_only)):
    users = accounts.users_within(db, list(principal.area_codes))
    return render(request, "admin/devices.html",
                  {"devices": accounts.devices_of(db, [user.id for user in users])})


@router.post("/devices/{device_id}/revoke")
def revoke_device(device_id: int, request: Request, db: Db,
                  principal: Principal = Depends(admin_only)):
    device = db.get(DeviceToken, device_id)
    if device is None:
        raise ApiError(404, "not_found", N_("Not found."))
    _managed_user(db, principal, device.user_id)
    accounts.revoke_device(db, device, principal.actor)
    back = request.headers.get("referer", "")
    target = f"/admin/users/{device.user_id}" if f"/admin/users/{device.user_id}" in back else "/admin/devices"
    return RedirectResponse(target, status_code=303)
