"""What the review pages and the review API both need: loading an object inside the caller's
area (404 outside it, as everywhere), the form reader for a revision, and the audit trails."""
from dataclasses import dataclass

from fastapi import Request
from sqlmodel import Session, col, select

from app.accounts import service as accounts
from app.accounts.access import Principal
from app.accounts.models import User
from app.areas import service as areas
from app.areas.models import Area, AreaLevel
from app.audit.models import AuditEvent
from app.errors import ApiError
from app.forms import service as forms
from app.forms.model import FormDefinition
from app.i18n import N_, locale_for
from app.review.present import Reader
from app.submissions.models import Submission, SubmissionRevision
from app.targets.models import Target

_definitions: dict[int, FormDefinition] = {}  # published versions never change


def lang(request: Request) -> str:
    """The form-text language for the request's locale ("zh" or "en")."""
    return "en" if locale_for(request) == "en" else "zh"


def not_found() -> ApiError:
    return ApiError(404, "not_found", N_("Not found."))


def village_areas(session: Session, principal: Principal) -> list[Area]:
    """The caller's villages, in code order."""
    return areas.villages_in(session, list(principal.area_codes))


def villages_of(session: Session, principal: Principal) -> dict[str, str]:
    """The caller's villages, {code: name}, in code order."""
    return {area.code: area.name for area in village_areas(session, principal)}


def submission_for(session: Session, principal: Principal, submission_id: str) -> Submission:
    submission = session.get(Submission, submission_id)
    if submission is None:
        raise not_found()
    principal.ensure_area(submission.village_code)
    return submission


def village_for(session: Session, principal: Principal, code: str) -> Area:
    principal.ensure_area(code)
    area = session.get(Area, code)
    if area is None or area.level != AreaLevel.village:
        raise not_found()
    return area


def target_for(session: Session, principal: Principal, target_id: int) -> Target:
    target = session.get(Target, target_id)
    if target is None:
        raise not_found()
    principal.ensure_area(target.village_code)
    return target


def user_for(session: Session, principal: Principal, user_id: int) -> User:
    """A user whose every area lies inside the caller's (the enumerators of a township)."""
    user = session.get(User, user_id)
    if user is None or not principal.covers_all(accounts.area_codes(session, user_id)):
        raise not_found()
    return user


def revision_of(session: Session, submission: Submission, revision: int | None) -> SubmissionRevision:
    stored = session.get(SubmissionRevision, (submission.id, revision or submission.revision))
    if stored is None:
        raise not_found()
    return stored


def revisions(session: Session, submission_id: str) -> list[SubmissionRevision]:
    return list(session.exec(select(SubmissionRevision).where(
        SubmissionRevision.submission_id == submission_id).order_by(col(SubmissionRevision.revision))))


def reader(session: Session, stored: SubmissionRevision, village_code: str, lang: str) -> Reader:
    row = forms.find_published(session, forms.county_of(village_code), stored.form_id, stored.form_version)
    if row is None:
        raise not_found()
    if row.id not in _definitions:
        _definitions[row.id] = forms.definition_of(row)
    return Reader(_definitions[row.id], lang)


@dataclass
class TrailEvent:
    event: AuditEvent
    actor: str  # display name, or the username for the system


def submission_trail(session: Session, submission_id: str) -> list[TrailEvent]:
    """Every event of one submission, oldest first."""
    return _named(session, select(AuditEvent).where(
        AuditEvent.object_type == "submission", AuditEvent.object_id == submission_id)
        .order_by(col(AuditEvent.id)))


USER_EVENTS_PAGE = 100


def user_trail(session: Session, user_id: int, before: int | None = None) -> list[TrailEvent]:
    """What one user did, newest first, a page at a time (`before`: an event id)."""
    query = select(AuditEvent).where(AuditEvent.actor_id == user_id)
    if before:
        query = query.where(col(AuditEvent.id) < before)
    return _named(session, query.order_by(col(AuditEvent.id).desc()).limit(USER_EVENTS_PAGE))


def _named(session: Session, query) -> list[TrailEvent]:
    events = list(session.exec(query))
    ids = {event.actor_id for event in events if event.actor_id}
    names = dict(session.exec(select(User.id, User.display_name).where(col(User.id).in_(ids))).all()) if ids else {}
    return [TrailEvent(event, names.get(event.actor_id, event.actor_name)) for event in events]
