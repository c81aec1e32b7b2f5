"""Storing submissions and their revisions. Services take the session as a keyword argument and
never commit: the sync push decides what to store (docs/SYNC.md) and owns the transaction.
Every stored revision is checked at once (app/review/flagging.py), in the same transaction."""
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlalchemy import insert
from sqlmodel import Session, col, select

from app.audit import service as audit
from app.audit.service import Actor
from app.clock import utcnow
from app.review import checks
from app.review.flagging import check_arrivals, run_checks
from app.submissions.models import Submission, SubmissionRevision, SubmissionState
from sync.changes import next_seq


@dataclass(frozen=True)
class Capture:
    """One revision as the phone captured it, after validation."""

    id: str
    revision: int
    village_code: str
    form_id: str
    form_version: str
    content_hash: str  # of the payload as sent
    captured_at: datetime
    payload: dict  # as validation cleaned it
    own_flags: checks.OwnFlags | None = None  # when already found: with_own_checks()


def with_own_checks(capture: Capture) -> Capture:
    """The capture with the checks of its payload alone done (app/review/checks.py,
    own_flags), which a push does before it takes the change counter's lock."""
    return replace(capture, own_flags=checks.own_flags(capture.payload))


def get(session: Session, submission_id: str) -> Submission | None:
    return session.get(Submission, submission_id)


def existing_ids(session: Session, ids: list[str]) -> set[str]:
    if not ids:
        return set()
    return set(session.exec(select(Submission.id).where(col(Submission.id).in_(set(ids)))))


def load(session: Session, ids: list[str]) -> dict[str, Submission]:
    """The stored submissions among these ids, by id."""
    if not ids:
        return {}
    return {row.id: row for row in session.exec(select(Submission).where(col(Submission.id).in_(set(ids))))}


def stored_revision(session: Session, submission_id: str,
                    revision: int) -> SubmissionRevision | None:
    return session.get(SubmissionRevision, (submission_id, revision))


def receive(*, session: Session, actor: Actor, capture: Capture) -> Submission:
    """Store a new submission (its first revision), with its event."""
    receive_many(session=session, actor=actor, captures=[capture])
    return session.get_one(Submission, capture.id)


def receive_many(*, session: Session, actor: Actor, captures: list[Capture]) -> None:
    """Store new submissions (ids the server does not hold, all different), each with its
    revision and event, and check them (app/review/flagging.py, check_arrivals).

    A push stores up to a hundred households at once, so they go in as plain rows, one
    statement per table: building and flushing ORM objects for them cost more than the
    database's own work."""
    now = utcnow()
    first = next_seq(session, len(captures))
    session.flush()  # what the session holds goes first
    session.execute(insert(Submission.__table__), [
        {"id": capture.id, "owner_id": actor.user_id, "device_id": actor.device_id,
         "revision": capture.revision, "received_at": now, "seq": first + offset,
         "state": SubmissionState.submitted, "field_comments": {}, **_current_fields(capture)}
        for offset, capture in enumerate(captures)])
    session.execute(insert(SubmissionRevision.__table__),
                    [_revision_row(actor, capture, now) for capture in captures])
    audit.record_many(session, actor, "submission.received", object_type="submission",
                      events=[(capture.id, _event_detail(actor, capture)) for capture in captures])
    check_arrivals(session, captures)


def resubmit(*, session: Session, actor: Actor, submission: Submission, capture: Capture) -> None:
    """Store a new revision of a returned submission, which is then awaiting review again."""
    now = utcnow()
    _keep_revision(session, actor, capture, now)
    for name, value in _current_fields(capture).items():
        setattr(submission, name, value)
    submission.revision = capture.revision
    submission.device_id = actor.device_id
    submission.received_at = now
    submission.state = SubmissionState.submitted
    submission.seq = next_seq(session)
    session.add(submission)
    audit.record(session, actor, "submission.resubmitted", object_type="submission",
                 object_id=capture.id, detail=_event_detail(actor, capture))
    run_checks(session, submission, arrived=True, own_flags=capture.own_flags)


def _current_fields(capture: Capture) -> dict:
    payload = capture.payload
    return {"village_code": capture.village_code, "form_id": capture.form_id,
            "form_version": capture.form_version, "content_hash": capture.content_hash,
            "payload": payload, "captured_at": capture.captured_at.astimezone(UTC),
            "address": str(payload.get("address", ""))[:200],
            "visit_outcome": str(payload.get("visit_outcome", ""))[:32],
            "member_count": len(payload.get("members") or [])}


def _keep_revision(session: Session, actor: Actor, capture: Capture, received_at: datetime) -> None:
    session.add(SubmissionRevision(**_revision_row(actor, capture, received_at)))


def _revision_row(actor: Actor, capture: Capture, received_at: datetime) -> dict:
    return {"submission_id": capture.id, "revision": capture.revision,
            "form_id": capture.form_id, "form_version": capture.form_version,
            "content_hash": capture.content_hash, "payload": capture.payload,
            "captured_at": capture.captured_at.astimezone(UTC), "received_at": received_at,
            "device_id": actor.device_id}


def _event_detail(actor: Actor, capture: Capture) -> dict:
    return {"revision": capture.revision, "hash": capture.content_hash, "device": actor.device_id,
            "village_code": capture.village_code,
            "form": f"{capture.form_id} {capture.form_version}"}
