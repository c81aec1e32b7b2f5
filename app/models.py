"""Every table, imported in one place so Alembic and the tests see the whole schema."""
from app.accounts.models import DeviceToken, LoginFailure, User, UserArea, WebSession
from app.areas.models import Area
from app.audit.models import AuditEvent
from app.forms.models import FormVersion

__all__ = ["Area", "AuditEvent", "DeviceToken", "FormVersion", "LoginFailure", "User", "UserArea",
           "WebSession"]
