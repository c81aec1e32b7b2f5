"""Writing person facts (models.PersonFact) when a household is approved.

record_approved() runs in the approving transaction, right after the registry outbox rows: the
facts commit with the approval or not at all. For each member it closes the ID number's
current fact (superseded_at) and keeps its statuses as this fact's "before"; a person seen for
the first time takes "before" from the roster, which lists the insurances the provincial
comparison found missing.
"""
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.reports.models import INSURANCES, PersonFact
from app.submissions.models import Submission
from app.targets.models import Target


def birth_date_of(id_number: str) -> str:
    """"YYYY-MM-DD" from an 18-character ID number (validated before approval)."""
    return f"{id_number[6:10]}-{id_number[10:12]}-{id_number[12:14]}"


def record_approved(session: Session, submission: Submission, approved_at: datetime) -> int:
    """One fact per member of the submission's current revision; returns how many."""
    members = submission.payload.get("members") or []
    for index, member in enumerate(members):
        id_number = member["id_number"]
        before = _statuses_before(session, id_number, submission.village_code, approved_at)
        session.add(PersonFact(
            id_number=id_number, village_code=submission.village_code,
            submission_id=submission.id, revision=submission.revision, member_index=index,
            approved_at=approved_at, birth_date=birth_date_of(id_number),
            sex=member.get("sex") or "", hukou_type=member.get("hukou_type") or "",
            personal_status=member.get("personal_status") or "",
            employment=member.get("employment") or "", unit_type=member.get("unit_type") or "",
            **{name: member.get(f"{name}_status") or "" for name in INSURANCES},
            **{f"{name}_before": before.get(name, "") for name in INSURANCES}))
        # Flushed one by one: the next member may be the same person (a duplicate the
        # supervisor let through), and must find this fact as the current one.
        session.flush()
    return len(members)


def _statuses_before(session: Session, id_number: str, village_code: str,
                     approved_at: datetime) -> dict[str, str]:
    current = session.exec(select(PersonFact).where(
        PersonFact.id_number == id_number, col(PersonFact.superseded_at).is_(None))).first()
    if current is not None:
        session.exec(update(PersonFact).where(col(PersonFact.id) == current.id)
                     .values(superseded_at=approved_at))
        return {name: getattr(current, name) for name in INSURANCES}
    listed = session.exec(select(Target.uninsured).where(
        Target.id_number == id_number, col(Target.village_code).startswith(village_code[:6]))).all()
    missing = {code for uninsured in listed for code in uninsured.split()}
    return {name: "not_enrolled" for name in INSURANCES if name in missing}
