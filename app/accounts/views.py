"""Login, logout, the role home redirect, a user's own devices, and the device-token API."""
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse
from pydantic import BaseModel, Field
from sqlmodel import Session

from app.accounts import service as accounts
from app.accounts.access import (CSRF_COOKIE, SESSION_COOKIE, Principal, any_user,
                                 client_address, new_csrf_token, public)
from app.accounts.models import DeviceToken, Role
from app.areas import service as areas
from app.db import Db
from app.errors import ApiError
from app.i18n import N_, gettext_for
from app.web import render

router = APIRouter()

HOME_BY_ROLE = {Role.enumerator: "/enumerator", Role.supervisor: "/review", Role.admin: "/admin"}


def _safe_next(target: str | None) -> str | None:
    """Only same-site paths, so the login form cannot be used as an open redirect."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _secure(request: Request) -> bool:
    return request.url.scheme == "https" or request.app.state.settings.cookie_secure


@router.get("/", dependencies=[Depends(any_user)])
def home(request: Request):
    return RedirectResponse(HOME_BY_ROLE[Role(request.state.principal.role)], status_code=303)


@router.get("/login", dependencies=[Depends(public())])
def login_page(request: Request, next: str | None = None):
    return render(request, "login.html", {"next": _safe_next(next) or "", "username": ""})


@router.post("/login", dependencies=[Depends(public(csrf=True))])
def login(request: Request, db: Db, username: Annotated[str, Form()] = "",
          password: Annotated[str, Form()] = "", next: Annotated[str, Form()] = ""):
    settings = request.app.state.settings
    outcome = accounts.check_credentials(session=db, settings=settings,
                                         passwords=request.app.state.passwords,
                                         username=username, password=password,
                                         address=client_address(request), via="web")
    if outcome.user is None:
        error = gettext_for(request)(outcome.message).format(**(outcome.params or {}))
        status = 429 if outcome.code == "login_throttled" else 401
        return render(request, "login.html", {"error": error, "error_code": outcome.code,
                                              "username": username, "next": _safe_next(next) or ""},
                      status_code=status)
    token = accounts.start_session(session=db, settings=settings, user=outcome.user,
                                   address=client_address(request),
                                   user_agent=request.headers.get("user-agent", ""))
    target = _safe_next(next) or HOME_BY_ROLE[Role(outcome.user.role)]
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(SESSION_COOKIE, token, max_age=settings.session_hours * 3600,
                        httponly=True, samesite="lax", secure=_secure(request), path="/")
    # A fresh CSRF token at login, so one planted before login is worthless after it.
    response.set_cookie(CSRF_COOKIE, new_csrf_token(), httponly=True, samesite="lax",
                        secure=_secure(request), path="/")
    return response


@router.post("/logout")
def logout(request: Request, db: Db, principal: Principal = Depends(any_user)):
    if principal.web_session_id is not None:
        accounts.end_session(db, principal.web_session_id, principal.actor)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/account/devices")
def my_devices(request: Request, db: Db, principal: Principal = Depends(any_user)):
    rows = accounts.devices_of(db, [principal.user.id])
    return render(request, "account/devices.html", {"devices": rows})


@router.post("/account/devices/{device_id}/revoke")
def revoke_my_device(device_id: int, db: Db, principal: Principal = Depends(any_user)):
    device = _own_device(db, principal, device_id)
    accounts.revoke_device(db, device, principal.actor)
    return RedirectResponse("/account/devices", status_code=303)


def _own_device(db: Session, principal: Principal, device_id: int) -> DeviceToken:
    device = db.get(DeviceToken, device_id)
    if device is None or device.user_id != principal.user.id:
        raise ApiError(404, "not_found", N_("Not found."))
    return device


# ---- JSON API for the phone app ------------------------------------------------------------

class DeviceLogin(BaseModel):
    username: str = Field(max_length=64)
    password: str = Field(max_length=256)
    device_name: str = Field(max_length=64)


class DeviceOut(BaseModel):
    id: int
    name: str
    created_at: str
    last_used_at: str | None
    revoked: bool


class IssuedDevice(BaseModel):
    token: str
    device: DeviceOut


def _device_out(device: DeviceToken) -> DeviceOut:
    return DeviceOut(id=device.id, name=device.name, created_at=device.created_at.isoformat(),
                     last_used_at=device.last_used_at.isoformat() if device.last_used_at else None,
                     revoked=device.revoked_at is not None)


@router.post("/api/v1/devices", response_model=IssuedDevice, status_code=201,
             dependencies=[Depends(public())],
             responses={401: {"description": "login_failed / account_disabled"},
                        429: {"description": "login_throttled"}})
def issue_device(body: DeviceLogin, request: Request, db: Db):
    """Log in from the phone app and receive a device token for `Authorization: Bearer`."""
    settings = request.app.state.settings
    outcome = accounts.check_credentials(session=db, settings=settings,
                                         passwords=request.app.state.passwords,
                                         username=body.username, password=body.password,
                                         address=client_address(request), via="device")
    if outcome.user is None:
        # Returned, not raised: the failure record and its audit event must be committed.
        message = gettext_for(request)(outcome.message).format(**(outcome.params or {}))
        status = 429 if outcome.code == "login_throttled" else 401
        return JSONResponse({"code": outcome.code, "message": message}, status_code=status)
    device, token = accounts.issue_device_token(session=db, settings=settings, user=outcome.user,
                                                name=body.device_name,
                                                address=client_address(request))
    return IssuedDevice(token=token, device=_device_out(device))


@router.get("/api/v1/devices", response_model=list[DeviceOut])
def list_devices(db: Db, principal: Principal = Depends(any_user)):
    return [_device_out(device) for device, _user in accounts.devices_of(db, [principal.user.id])]


@router.delete("/api/v1/devices/{device_id}", status_code=204)
def revoke_device(device_id: int, db: Db, principal: Principal = Depends(any_user)):
    accounts.revoke_device(db, _own_device(db, principal, device_id), principal.actor)


class AreaNode(BaseModel):
    code: str
    name: str
    level: str
    children: list["AreaNode"] = []


class Me(BaseModel):
    id: int
    username: str
    display_name: str
    role: str
    area_codes: list[str]
    areas: list[AreaNode]
    device_id: int | None


@router.get("/api/v1/me", response_model=Me)
def me(db: Db, principal: Principal = Depends(any_user)):
    """The caller, their role, and the area tree they may see."""
    tree = areas.build_tree(areas.descendants(db, list(principal.area_codes)))
    return Me(id=principal.user.id, username=principal.user.username,
              display_name=principal.user.display_name, role=principal.role,
              area_codes=list(principal.area_codes), areas=tree, device_id=principal.device_id)
