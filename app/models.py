"""Every table, imported in one place so Alembic and the tests see the whole schema."""
from app.accounts.models import DeviceToken, LoginFailure, User, UserArea, WebSession
from app.areas.models import Area
from app.audit.models import AuditEvent
from app.forms.models import FormVersion
from app.submissions.models import Submission, SubmissionRevision
from app.targets.models import Target
from sync.changes import ChangeCounter

__all__ = ["Area", "AuditEvent", "ChangeCounter", "DeviceToken", "FormVersion", "LoginFailure",
           "Submission", "SubmissionRevision", "Target", "User", "UserArea", "WebSession"]
