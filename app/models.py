"""Every table, imported in one place so Alembic and the tests see the whole schema."""
from app.accounts.models import DeviceToken, LoginFailure, User, UserArea, WebSession
from app.areas.models import Area
from app.audit.models import AuditEvent

__all__ = ["Area", "AuditEvent", "DeviceToken", "LoginFailure", "User", "UserArea", "WebSession"]
