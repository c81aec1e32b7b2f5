"""Every table, imported in one place so Alembic and the tests see the whole schema."""
from app.accounts.models import DeviceToken, LoginFailure, User, UserArea, WebSession
from app.areas.models import Area
from app.audit.models import AuditEvent
from app.exports.models import ExportBatch, ExportBatchFile, ExportBatchItem
from app.forms.models import FormVersion
from app.reports.models import ExpansionPlan, PersonFact, ReportRules
from app.review.models import SubmissionFlag, SubmissionMember, TargetOutcome, VillageProgress
from app.registry.models import RegistryOutbox, RegistryPerson, RegistryPersonVersion
from app.submissions.models import Submission, SubmissionRevision
from app.targets.models import Target
from sync.changes import ChangeCounter

__all__ = ["Area", "AuditEvent", "ChangeCounter", "DeviceToken", "FormVersion", "LoginFailure",
           "Submission", "SubmissionFlag", "SubmissionMember", "SubmissionRevision", "Target",
           "TargetOutcome", "User", "UserArea", "VillageProgress", "WebSession",
           "ExportBatch", "ExportBatchFile", "ExportBatchItem", "RegistryOutbox", "RegistryPerson",
           "RegistryPersonVersion", "ExpansionPlan", "PersonFact", "ReportRules"]
