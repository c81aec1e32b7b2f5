"""Users, logins, sessions and device tokens. Services take the session as a keyword argument
and never commit: the request (or CLI command) owns the transaction."""
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, col, delete, func, select

from app.accounts.models import DeviceToken, LoginFailure, Role, User, UserArea, WebSession
from app.accounts.secrets import MIN_PASSWORD_LENGTH, Passwords, new_token, token_hash
from app.areas import service as areas
from app.areas.models import Area
from app.audit import service as audit
from app.audit.service import Actor
from app.clock import utcnow
from app.config import Settings
from app.errors import ApiError
from app.i18n import N_


class AccountError(ApiError):
    def __init__(self, code: str, message: str, params: dict | None = None, status: int = 400):
        super().__init__(status, code, message, params=params)


# ---- users -----------------------------------------------------------------------------------

def area_codes(session: Session, user_id: int) -> list[str]:
    return list(session.exec(select(UserArea.area_code).where(UserArea.user_id == user_id)
                             .order_by(UserArea.area_code)))


def validate_assignment(session: Session, role: str, codes: list[str]) -> list[str]:
    """Enumerators get one or more villages; supervisors one township; admins one county."""
    if role not in Role.__members__:
        raise AccountError("role_invalid", N_("Unknown role."))
    codes = sorted({areas.normalize_code(code) for code in codes if code.strip()})
    if not codes:
        raise AccountError("area_required", N_("Choose the area this user works in."))
    expected = areas.expected_level(role)
    if role != Role.enumerator and len(codes) != 1:
        raise AccountError("area_single", N_("A supervisor or admin works in exactly one area."))
    for code in codes:
        area = session.get(Area, code)
        if area is None:
            raise AccountError("area_unknown", N_("Area {code} does not exist."), {"code": code})
        if area.level != expected:
            raise AccountError("area_level", N_("Area {code} is not of the right level for this role."),
                               {"code": code})
    return codes


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError("password_too_short",
                           N_("The password must be at least {n} characters."),
                           {"n": MIN_PASSWORD_LENGTH})


def create_user(*, session: Session, passwords: Passwords, actor: Actor, username: str,
                display_name: str, role: str, password: str, area_codes_: list[str]) -> User:
    username = username.strip()
    if not username or len(username) > 64 or not username.replace("_", "").replace(".", "").replace("-", "").isalnum():
        raise AccountError("username_invalid",
                           N_("A username is 1 to 64 letters, digits, dots, dashes or underscores."))
    if session.exec(select(User).where(User.username == username)).first():
        raise AccountError("username_taken", N_("The username {username} is already taken."),
                           {"username": username})
    check_password_rules(password)
    codes = validate_assignment(session, role, area_codes_)
    user = User(username=username, display_name=display_name.strip() or username, role=role,
                password_hash=passwords.hash(password))
    session.add(user)
    session.flush()
    for code in codes:
        session.add(UserArea(user_id=user.id, area_code=code))
    audit.record(session, actor, "user.create", object_type="user", object_id=user.id,
                 detail={"username": username, "role": role, "areas": codes})
    return user


def set_active(*, session: Session, actor: Actor, user: User, active: bool) -> None:
    if user.active == active:
        return
    user.active = active
    session.add(user)
    if not active:
        end_all_sessions(session, user.id)
        revoke_all_devices(session, user.id, actor)
    audit.record(session, actor, "user.enable" if active else "user.disable",
                 object_type="user", object_id=user.id, detail={"username": user.username})


def reset_password(*, session: Session, passwords: Passwords, actor: Actor, user: User,
                   password: str) -> None:
    check_password_rules(password)
    user.password_hash = passwords.hash(password)
    session.add(user)
    # A reset is what an admin does when an account may be compromised: log it out everywhere.
    end_all_sessions(session, user.id)
    audit.record(session, actor, "user.password_reset", object_type="user", object_id=user.id,
                 detail={"username": user.username})


def reassign(*, session: Session, actor: Actor, user: User, role: str,
             area_codes_: list[str]) -> None:
    codes = validate_assignment(session, role, area_codes_)
    before = {"role": user.role, "areas": area_codes(session, user.id)}
    session.exec(delete(UserArea).where(UserArea.user_id == user.id))
    session.flush()
    for code in codes:
        session.add(UserArea(user_id=user.id, area_code=code))
    user.role = role
    session.add(user)
    audit.record(session, actor, "user.reassign", object_type="user", object_id=user.id,
                 detail={"username": user.username, "before": before,
                         "after": {"role": role, "areas": codes}})


def users_within(session: Session, roots: list[str]) -> list[User]:
    """Users every one of whose areas lies inside one of the roots (an admin's county)."""
    users = list(session.exec(select(User).order_by(User.username)))
    assignments: dict[int, list[str]] = {}
    for row in session.exec(select(UserArea)):
        assignments.setdefault(row.user_id, []).append(row.area_code)
    return [user for user in users
            if assignments.get(user.id)
            and all(any(code.startswith(root) for root in roots) for code in assignments[user.id])]


# ---- login, rate limits and sessions ---------------------------------------------------------

@dataclass
class LoginOutcome:
    user: User | None
    code: str = ""
    message: str = ""
    params: dict | None = None


def _recent_failures(session: Session, settings: Settings, *, username: str | None = None,
                     address: str | None = None) -> int:
    since = utcnow() - timedelta(minutes=settings.login_window_minutes)
    query = select(func.count()).select_from(LoginFailure).where(LoginFailure.at >= since)
    if username is not None:
        query = query.where(LoginFailure.username == username)
    if address is not None:
        query = query.where(LoginFailure.address == address)
    return session.exec(query).one()


def check_credentials(*, session: Session, settings: Settings, passwords: Passwords,
                      username: str, password: str, address: str, via: str) -> LoginOutcome:
    """Verify a username and password, enforcing the failed-login limits and auditing both
    outcomes. `via` says which door was used (web or device)."""
    username = username.strip()
    actor = Actor(username=username, address=address)
    if (_recent_failures(session, settings, username=username) >= settings.login_max_failures_per_account
            or _recent_failures(session, settings, address=address) >= settings.login_max_failures_per_address):
        audit.record(session, actor, "login.throttled", object_type="user", object_id=username,
                     detail={"via": via})
        return LoginOutcome(None, "login_throttled",
                            N_("Too many failed logins. Please wait {minutes} minutes and try again."),
                            {"minutes": settings.login_window_minutes})
    user = session.exec(select(User).where(User.username == username)).first()
    if not passwords.verify(user.password_hash if user else None, password):
        session.add(LoginFailure(username=username, address=address))
        audit.record(session, actor, "login.failed", object_type="user", object_id=username,
                     detail={"via": via})
        return LoginOutcome(None, "login_failed", N_("Wrong username or password."))
    if not user.active:
        audit.record(session, Actor(user.id, user.username, address=address), "login.refused_inactive",
                     object_type="user", object_id=user.id, detail={"via": via})
        return LoginOutcome(None, "account_disabled", N_("This account is disabled. Ask your administrator."))
    session.exec(delete(LoginFailure).where(LoginFailure.username == username))
    return LoginOutcome(user)


def start_session(*, session: Session, settings: Settings, user: User, address: str,
                  user_agent: str) -> str:
    token = new_token()
    session.add(WebSession(token_hash=token_hash(settings.secret_key, token), user_id=user.id,
                           expires_at=utcnow() + timedelta(hours=settings.session_hours),
                           address=address, user_agent=user_agent[:255]))
    audit.record(session, Actor(user.id, user.username, address=address), "login",
                 object_type="user", object_id=user.id, detail={"via": "web"})
    return token


def session_user(session: Session, settings: Settings, token: str) -> tuple[WebSession, User] | None:
    row = session.exec(
        select(WebSession, User).join(User, col(User.id) == WebSession.user_id)
        .where(WebSession.token_hash == token_hash(settings.secret_key, token))
    ).first()
    if row is None:
        return None
    web_session, user = row
    if web_session.expires_at <= utcnow() or not user.active:
        return None
    return web_session, user


def end_session(session: Session, web_session_id: int, actor: Actor) -> None:
    session.exec(delete(WebSession).where(WebSession.id == web_session_id))
    audit.record(session, actor, "logout", object_type="user", object_id=actor.user_id or "")


def end_all_sessions(session: Session, user_id: int) -> None:
    session.exec(delete(WebSession).where(WebSession.user_id == user_id))


# ---- device tokens ---------------------------------------------------------------------------

def issue_device_token(*, session: Session, settings: Settings, user: User, name: str,
                       address: str) -> tuple[DeviceToken, str]:
    name = name.strip()
    if not name or len(name) > 64:
        raise AccountError("device_name_invalid", N_("Give the device a name of 1 to 64 characters."))
    token = new_token()
    device = DeviceToken(user_id=user.id, name=name,
                         token_hash=token_hash(settings.secret_key, token))
    session.add(device)
    session.flush()
    audit.record(session, Actor(user.id, user.username, device.id, address), "device.issue",
                 object_type="device", object_id=device.id, detail={"name": name})
    return device, token


def device_user(session: Session, settings: Settings, token: str) -> tuple[DeviceToken, User] | None:
    row = session.exec(
        select(DeviceToken, User).join(User, col(User.id) == DeviceToken.user_id)
        .where(DeviceToken.token_hash == token_hash(settings.secret_key, token))
    ).first()
    if row is None:
        return None
    device, user = row
    if device.revoked_at is not None or not user.active:
        return None
    return device, user


def touch_device(session: Session, device: DeviceToken) -> None:
    now = utcnow()
    # Writing on every request would turn each read into a write; a minute's precision is enough.
    if device.last_used_at is None or now - device.last_used_at > timedelta(minutes=1):
        device.last_used_at = now
        session.add(device)


def devices_of(session: Session, user_ids: list[int]) -> list[tuple[DeviceToken, User]]:
    if not user_ids:
        return []
    return list(session.exec(
        select(DeviceToken, User).join(User, col(User.id) == DeviceToken.user_id)
        .where(col(DeviceToken.user_id).in_(user_ids))
        .order_by(col(DeviceToken.revoked_at).is_not(None), col(DeviceToken.created_at).desc())
    ))


def revoke_device(session: Session, device: DeviceToken, actor: Actor) -> None:
    if device.revoked_at is not None:
        return
    device.revoked_at = utcnow()
    device.revoked_by_id = actor.user_id
    session.add(device)
    audit.record(session, actor, "device.revoke", object_type="device", object_id=device.id,
                 detail={"name": device.name, "user_id": device.user_id})


def revoke_all_devices(session: Session, user_id: int, actor: Actor) -> None:
    for device in session.exec(select(DeviceToken).where(DeviceToken.user_id == user_id,
                                                         col(DeviceToken.revoked_at).is_(None))):
        revoke_device(session, device, actor)
