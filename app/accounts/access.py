"""Authorization in one place.

Every route declares its access with exactly one of the dependencies made here:
`public(...)` for what anyone may call, or `require(*roles)` for what needs a logged-in user
(browser session cookie) or a device (Bearer token). `tests/test_route_access.py` walks the
app and fails for any route that declares neither.

Area scoping follows one pattern in every view: load the object, check its area with
`principal.ensure_area(code)`, then act. Outside the caller's area the answer is 404, so a
probe cannot even learn that the object exists.
"""
import hmac
import secrets
from dataclasses import dataclass

from fastapi import Depends, Request
from sqlmodel import Session

from app.accounts import service as accounts
from app.accounts.models import Role, User
from app.audit.service import Actor
from app.db import get_db
from app.errors import ApiError, LoginRequired
from app.i18n import N_

SESSION_COOKIE = "canbao_session"
CSRF_COOKIE = "canbao_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
ACCESS_MARK = "__canbao_access__"


@dataclass(frozen=True)
class UserInfo:
    """A detached snapshot of the caller, safe to use after the request's transaction ended
    (error pages are rendered after a rollback)."""

    id: int
    username: str
    display_name: str
    role: str

    @classmethod
    def of(cls, user: User) -> "UserInfo":
        return cls(user.id, user.username, user.display_name, user.role)


@dataclass
class Principal:
    user: UserInfo
    area_codes: tuple[str, ...]
    device_id: int | None = None
    web_session_id: int | None = None
    address: str = ""

    @property
    def role(self) -> str:
        return self.user.role

    @property
    def actor(self) -> Actor:
        return Actor(self.user.id, self.user.username, self.device_id, self.address)

    def covers(self, area_code: str) -> bool:
        """True when the area lies inside (or is) one of the caller's areas."""
        return any(area_code.startswith(code) for code in self.area_codes)

    def ensure_area(self, area_code: str | None) -> None:
        if not area_code or not self.covers(area_code):
            raise ApiError(404, "not_found", N_("Not found."))

    def covers_all(self, area_codes: list[str]) -> bool:
        return bool(area_codes) and all(self.covers(code) for code in area_codes)


def client_address(request: Request) -> str:
    return request.client.host if request.client else ""


def csrf_token_for(request: Request) -> str:
    """The token this page must echo back. Set as a cookie by the middleware when missing."""
    return getattr(request.state, "csrf_token", "") or request.cookies.get(CSRF_COOKIE, "")


def new_csrf_token() -> str:
    return secrets.token_urlsafe(24)


async def _check_csrf(request: Request) -> None:
    """Double-submit check for cookie-authenticated unsafe requests: the form field or the
    htmx header must equal the CSRF cookie, which another site can neither read nor set."""
    if request.method not in UNSAFE_METHODS:
        return
    expected = request.cookies.get(CSRF_COOKIE, "")
    sent = request.headers.get(CSRF_HEADER, "")
    if not sent and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        sent = str((await request.form()).get(CSRF_FIELD, ""))
    if not expected or not hmac.compare_digest(expected, sent):
        raise ApiError(403, "csrf_failed",
                       N_("The form has expired. Please reload the page and try again."))


def _authenticate(request: Request, db: Session) -> Principal | None:
    settings = request.app.state.settings
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        found = accounts.device_user(db, settings, header[7:].strip())
        if found is None:
            raise LoginRequired("token_invalid")
        device, user = found
        accounts.touch_device(db, device)
        return Principal(UserInfo.of(user), tuple(accounts.area_codes(db, user.id)), device_id=device.id,
                         address=client_address(request))
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        found = accounts.session_user(db, settings, token)
        if found is not None:
            web_session, user = found
            return Principal(UserInfo.of(user), tuple(accounts.area_codes(db, user.id)),
                             web_session_id=web_session.id, address=client_address(request))
    return None


def require(*roles: Role):
    """Dependency: a logged-in user with one of `roles` (any role when none are given)."""
    allowed = {role.value for role in roles} or {role.value for role in Role}

    async def dependency(request: Request, db: Session = Depends(get_db, scope="function")) -> Principal:
        principal = _authenticate(request, db)
        if principal is None:
            raise LoginRequired()
        if principal.web_session_id is not None:
            await _check_csrf(request)
        if principal.role not in allowed:
            raise ApiError(403, "forbidden", N_("You do not have permission to do this."))
        request.state.principal = principal
        return principal

    setattr(dependency, ACCESS_MARK, ("require", tuple(sorted(allowed))))
    return dependency


def public(*, csrf: bool = False):
    """Dependency for routes anyone may call. It still identifies a logged-in visitor (so pages
    can show their name) and, with csrf=True, protects cookie-based forms such as the login."""

    async def dependency(request: Request, db: Session = Depends(get_db, scope="function")) -> Principal | None:
        if csrf:
            await _check_csrf(request)
        try:
            principal = _authenticate(request, db)
        except LoginRequired:
            principal = None
        request.state.principal = principal
        return principal

    setattr(dependency, ACCESS_MARK, ("public", ()))
    return dependency


any_user = require()
admin_only = require(Role.admin)
supervisor_or_admin = require(Role.supervisor, Role.admin)
