"""Queueing approved people for the registry, and how the push is doing.

enqueue_approved() is called by the review feature's approve action in the approving
transaction: the outbox rows commit with the approval or not at all, and an approval never
depends on the registry being reachable.
"""
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import false, true
from sqlmodel import Session, col, func, or_, select

from app.areas.service import code_under
from app.clock import utcnow
from app.common.idcard import mask
from app.registry.models import RegistryOutbox
from app.submissions.models import Submission, SubmissionState

# Household answers each person's registry record carries along with the member's own.
HOUSEHOLD_KEYS = ("village_code", "address", "household_type", "contact_phone", "visit_date")
_ID_LIKE = re.compile(r"[0-9]{17}[0-9Xx]|[0-9]{15}")


def enqueue_approved(session: Session, submission: Submission) -> int:
    """Queue every member of the submission's current (approved) revision for the registry.

    Call it in the transaction that approves the submission. Returns the number of people
    queued: 0 for a household without members, or when this revision is queued already (so
    calling it twice is harmless)."""
    if submission.state != SubmissionState.approved:
        raise ValueError(f"submission {submission.id} is {submission.state}, not approved")
    queued = session.exec(select(RegistryOutbox.id).where(
        RegistryOutbox.submission_id == submission.id,
        RegistryOutbox.revision == submission.revision).limit(1)).first()
    if queued is not None:
        return 0
    payload = submission.payload
    household = {key: payload.get(key) for key in HOUSEHOLD_KEYS}
    now = utcnow()
    members = payload.get("members") or []
    for index, member in enumerate(members):
        session.add(RegistryOutbox(
            submission_id=submission.id, revision=submission.revision, member_index=index,
            id_number=member["id_number"], village_code=submission.village_code,
            data={"form_id": submission.form_id, "form_version": submission.form_version,
                  "household": household, "member": member},
            created_at=now, next_attempt_at=now))
    return len(members)


def scrub(message: str) -> str:
    """An error message as stored and shown: a database error may quote a row, and ID numbers
    are masked wherever they are logged (DESIGN §9)."""
    return _ID_LIKE.sub(lambda found: mask(found.group()), message)[:500]


@dataclass
class PushStatus:
    pending: int
    failing: int  # pending people whose last attempt failed
    done: int
    oldest_pending_at: datetime | None
    last_pushed_at: datetime | None
    last_error: str | None
    last_error_at: datetime | None

    def as_json(self) -> dict:
        def iso(value: datetime | None) -> str | None:
            return value.isoformat() if value else None

        age = (utcnow() - self.oldest_pending_at).total_seconds() if self.oldest_pending_at else None
        return {"pending": self.pending, "failing": self.failing, "done": self.done,
                "oldest_pending_at": iso(self.oldest_pending_at),
                "oldest_pending_age_seconds": round(age) if age is not None else None,
                "last_pushed_at": iso(self.last_pushed_at), "last_error": self.last_error,
                "last_error_at": iso(self.last_error_at)}


def status(session: Session, area_codes: list[str] | None) -> PushStatus:
    """The push as seen by an admin of these areas (only their villages' people); None: all
    of it, as the operator sees it."""
    if area_codes is None:
        scope = true()
    else:
        scope = or_(false(), *(code_under(col(RegistryOutbox.village_code), code) for code in area_codes))
    pending = col(RegistryOutbox.done_at).is_(None)
    counts = session.exec(select(
        func.count().filter(pending), func.count().filter(pending, RegistryOutbox.attempts > 0),
        func.count().filter(~pending), func.min(RegistryOutbox.created_at).filter(pending),
        func.max(RegistryOutbox.done_at)).where(scope)).one()
    error = session.exec(select(RegistryOutbox.last_error, RegistryOutbox.last_error_at)
                         .where(scope, col(RegistryOutbox.last_error_at).is_not(None))
                         .order_by(col(RegistryOutbox.last_error_at).desc()).limit(1)).first()
    return PushStatus(pending=counts[0], failing=counts[1], done=counts[2],
                      oldest_pending_at=counts[3], last_pushed_at=counts[4],
                      last_error=error[0] if error else None,
                      last_error_at=error[1] if error else None)
