"""The supervisor's decisions: approve, return for correction, reject; bulk approval; revealing
one masked value.

Allowed transitions (docs/REVIEW.md):

    submitted ──approve──▶ approved            (final here; the registry push follows)
    submitted ──return───▶ returned ──new revision from the phone (sync/push.py)──▶ submitted
    submitted ──reject───▶ rejected            (final, with a reason)

Every decision names the revision it was made on. It is applied by one conditional UPDATE
(`WHERE revision = :expected AND state = 'submitted'`) after taking the change counter's lock,
so of two supervisors deciding at once, or a decision racing a new revision from the phone,
exactly one wins on SQLite and PostgreSQL alike; the other is refused with a stable code
(`already_decided`, `revision_changed`) and nothing of it is written. Each decision stamps
the submission with a change number, so the enumerator's phones pull it.
"""
from dataclasses import dataclass

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.audit import service as audit
from app.audit.service import Actor
from app.errors import ApiError
from app.i18n import N_
from app.clock import utcnow
from app.registry import service as registry
from app.reports import facts
from app.review import flagging, present, progress
from app.review.models import Severity, SubmissionFlag
from app.submissions.models import Submission, SubmissionRevision, SubmissionState
from sync import changes

MAX_COMMENT = 1000
MAX_FIELD_COMMENT = 300
MAX_BULK = 200
ALREADY_DECIDED = {
    SubmissionState.approved: N_("This household has already been approved; nothing was changed."),
    SubmissionState.returned: N_("This household was returned to the enumerator; wait for the corrected revision."),
    SubmissionState.rejected: N_("This household has already been rejected; nothing was changed."),
}


def approve(*, session: Session, actor: Actor, submission: Submission, revision: int) -> None:
    """Into the registry: its members are queued for the push in this same transaction."""
    _decide(session, submission, revision, SubmissionState.approved)
    registry.enqueue_approved(session, submission)
    facts.record_approved(session, submission, approved_at=utcnow())
    audit.record(session, actor, "submission.approved", object_type="submission",
                 object_id=submission.id, detail={"revision": revision})
    progress.register_found(session=session, actor=actor, submission=submission)
    flagging.recheck_sharers(session, submission.id)


def return_(*, session: Session, actor: Actor, submission: Submission, revision: int,
            comment: str, field_comments: dict[str, str] | None = None) -> None:
    """Send the household back to its enumerator's phones with a comment (and optionally one
    per field, keyed by path such as members[0].id_number)."""
    comment = (comment or "").strip()
    if not comment:
        raise ApiError(422, "comment_required",
                       N_("Write what the enumerator must correct before returning the household."))
    fields = _field_comments(field_comments or {}, submission.payload)
    _decide(session, submission, revision, SubmissionState.returned,
            comment=comment[:MAX_COMMENT], field_comments=fields)
    audit.record(session, actor, "submission.returned", object_type="submission",
                 object_id=submission.id,
                 detail={"revision": revision, "comment": comment[:MAX_COMMENT],
                         "field_comments": fields})


def reject(*, session: Session, actor: Actor, submission: Submission, revision: int,
           reason: str) -> None:
    """Final: the household never enters the registry, and stops counting as a duplicate."""
    reason = (reason or "").strip()
    if not reason:
        raise ApiError(422, "reason_required", N_("Give the reason for rejecting the household."))
    _decide(session, submission, revision, SubmissionState.rejected, comment=reason[:MAX_COMMENT])
    audit.record(session, actor, "submission.rejected", object_type="submission",
                 object_id=submission.id, detail={"revision": revision, "reason": reason[:MAX_COMMENT]})
    flagging.recheck_sharers(session, submission.id)


@dataclass
class BulkOutcome:
    id: str
    revision: int
    status: str  # approved | refused
    code: str | None = None
    message: str | None = None  # an N_() message; the view translates it


def bulk_approve(*, session: Session, actor: Actor, items: list[tuple[str, int]],
                 visible) -> list[BulkOutcome]:
    """Approve each (id, revision) that is visible to the caller (`visible(submission)`),
    awaiting review at that revision and has no error flag. Each is decided on its own (a
    savepoint each): one refusal never blocks the others."""
    if len(items) > MAX_BULK:
        raise ApiError(413, "bulk_too_large",
                       N_("Approve at most {limit} households at once."), params={"limit": MAX_BULK})
    outcomes = []
    for submission_id, revision in items:
        submission = session.get(Submission, submission_id)
        if submission is None or not visible(submission):
            outcomes.append(BulkOutcome(submission_id, revision, "refused", "not_found", N_("Not found.")))
            continue
        try:
            with session.begin_nested():
                changes.hold(session)
                if has_errors(session, submission.id, revision):
                    raise ApiError(409, "has_errors",
                                   N_("This household has error flags: open it and decide on its own."))
                approve(session=session, actor=actor, submission=submission, revision=revision)
        except ApiError as refusal:
            outcomes.append(BulkOutcome(submission_id, revision, "refused", refusal.code, refusal.message))
            continue
        outcomes.append(BulkOutcome(submission_id, revision, "approved"))
    return outcomes


def has_errors(session: Session, submission_id: str, revision: int) -> bool:
    return session.exec(select(SubmissionFlag.id).where(
        SubmissionFlag.submission_id == submission_id, SubmissionFlag.revision == revision,
        SubmissionFlag.severity == Severity.error).limit(1)).first() is not None


def reveal(*, session: Session, actor: Actor, submission: Submission, path: str,
           revision: int | None = None) -> str:
    """One full ID number or phone number of a revision (default: the current one), written
    to the audit trail with the field it came from."""
    revision = revision or submission.revision
    stored = session.get(SubmissionRevision, (submission.id, revision))
    value = present.value_at(stored.payload, path) if stored is not None else None
    if value is None or not present.is_sensitive(path):
        raise ApiError(404, "not_found", N_("Not found."))
    audit.record(session, actor, "pii.reveal", object_type="submission", object_id=submission.id,
                 detail={"path": path, "revision": revision})
    return str(value)


def _decide(session: Session, submission: Submission, revision: int, state: SubmissionState, *,
            comment: str | None = None, field_comments: dict | None = None) -> None:
    # The counter's lock first, as every writer takes it: a push of a new revision and a
    # decision then run one after the other and cannot deadlock on each other's rows.
    changes.hold(session)
    decided = session.exec(
        update(Submission)
        .where(col(Submission.id) == submission.id, col(Submission.revision) == revision,
               col(Submission.state) == SubmissionState.submitted)
        .values(state=state, review_comment=comment, field_comments=field_comments or {})
    ).rowcount
    if decided != 1:
        session.refresh(submission)
        if submission.state != SubmissionState.submitted:
            raise ApiError(409, "already_decided", ALREADY_DECIDED[submission.state])
        raise ApiError(409, "revision_changed",
                       N_("A newer revision ({revision}) of this household has arrived. Look at it before deciding."),
                       params={"revision": submission.revision})
    session.exec(update(Submission).where(col(Submission.id) == submission.id)
                 .values(seq=changes.next_seq(session)))
    session.refresh(submission)


def _field_comments(raw: dict, payload: dict) -> dict[str, str]:
    """Non-empty comments keyed by a field path of this household (a member that exists; the
    field may be empty: a missing reason is worth a comment)."""
    comments = {}
    for path, text in raw.items():
        text = str(text or "").strip()
        if not text:
            continue
        match = present.PATH.fullmatch(path) if isinstance(path, str) else None
        members = payload.get(match.group("repeat")) if match and match.group("repeat") else None
        if match is None or (match.group("repeat") and (
                not isinstance(members, list) or int(match.group("index")) >= len(members))):
            raise ApiError(422, "field_comment_invalid", N_("A field comment names a field that does not exist."))
        comments[path] = text[:MAX_FIELD_COMMENT]
    return comments
