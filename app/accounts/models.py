"""Users, their areas, browser sessions, device tokens and failed-login records."""
from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from app.clock import utcnow
from app.i18n import N_


class Role(StrEnum):
    enumerator = "enumerator"
    supervisor = "supervisor"
    admin = "admin"


ROLE_LABELS = {Role.enumerator: N_("Enumerator"), Role.supervisor: N_("Supervisor"),
               Role.admin: N_("Admin")}


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True, index=True)
    display_name: str = Field(max_length=64)
    role: str = Field(max_length=16)
    password_hash: str = Field(max_length=255)
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)


class UserArea(SQLModel, table=True):
    """An area a user works in: villages for an enumerator, a township or a county otherwise."""

    user_id: int = Field(foreign_key="user.id", primary_key=True)
    area_code: str = Field(foreign_key="area.code", primary_key=True, max_length=12)


class WebSession(SQLModel, table=True):
    """A logged-in browser. The cookie holds a random token; only its keyed hash is stored."""

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    address: str = Field(default="", max_length=64)
    user_agent: str = Field(default="", max_length=255)


class DeviceToken(SQLModel, table=True):
    """A phone's long-lived, revocable credential for the sync API."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    name: str = Field(max_length=64)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None
    revoked_by_id: int | None = Field(default=None, foreign_key="user.id")


class LoginFailure(SQLModel, table=True):
    """One failed login, kept only as long as the rate-limit window needs it."""

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, index=True)
    address: str = Field(max_length=64, index=True)
    at: datetime = Field(default_factory=utcnow, index=True)
