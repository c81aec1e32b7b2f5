"""Villages and targets: how each target of the roster ended, and how far each village is.

A target ends as registered (linked to the member of an approved household who is that
person), moved away, deceased or not found; who decided and when is in `target_outcome`, and
`target.status` carries the status to the phones (each change takes a change number, so a
pull delivers it). A supervisor marks a village done when every household was visited; from
then on, targets still open there are flagged on its households awaiting review
(checks.unaccounted_targets).
"""
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, update
from sqlmodel import Session, col, func, select

from app.accounts.models import User
from app.audit import service as audit
from app.audit.service import Actor
from app.clock import utcnow
from app.errors import ApiError
from app.i18n import N_
from app.review import flagging
from app.review.models import SubmissionMember, TargetOutcome, VillageProgress
from app.submissions.models import Submission, SubmissionState
from app.targets.models import Target, TargetStatus
from sync import changes

MANUAL_STATUSES = (TargetStatus.moved, TargetStatus.deceased, TargetStatus.not_found)


def settle(*, session: Session, actor: Actor, target: Target, status: str,
           submission_id: str | None = None, member_index: int | None = None) -> None:
    """Close an open target. Registered needs the member of an approved household of the
    target's village; the other endings need nothing."""
    if status not in (TargetStatus.registered, *MANUAL_STATUSES):
        raise ApiError(422, "target_status_invalid", N_("Choose how this target ended."))
    if status == TargetStatus.registered:
        _check_member(session, target, submission_id, member_index)
    else:
        submission_id = member_index = None
    changes.hold(session)
    changed = session.exec(update(Target).where(col(Target.id) == target.id,
                                                col(Target.status) == TargetStatus.open)
                           .values(status=status)).rowcount
    if changed != 1:
        raise ApiError(409, "target_already_settled",
                       N_("This target has already been settled by someone else; nothing was changed."))
    _stamp(session, target)
    session.merge(TargetOutcome(target_id=target.id, status=status, submission_id=submission_id,
                                member_index=member_index, decided_by_id=actor.user_id,
                                decided_at=utcnow()))
    audit.record(session, actor, "target.settled", object_type="target", object_id=target.id,
                 detail={"status": status, "village_code": target.village_code,
                         "submission_id": submission_id, "member_index": member_index})
    _recheck_if_done(session, target.village_code)


def reopen(*, session: Session, actor: Actor, target: Target) -> None:
    """Undo a manual ending (a wrong tap). A registered target stays registered: its
    household was approved."""
    changes.hold(session)
    changed = session.exec(update(Target).where(col(Target.id) == target.id,
                                                col(Target.status).in_(MANUAL_STATUSES))
                           .values(status=TargetStatus.open)).rowcount
    if changed != 1:
        raise ApiError(409, "target_not_reopenable",
                       N_("Only a target marked moved, deceased or not found can be reopened."))
    _stamp(session, target)
    session.exec(delete(TargetOutcome).where(col(TargetOutcome.target_id) == target.id))
    audit.record(session, actor, "target.reopened", object_type="target", object_id=target.id,
                 detail={"village_code": target.village_code})
    _recheck_if_done(session, target.village_code)


def register_found(*, session: Session, actor: Actor, submission: Submission) -> None:
    """On approval: the village's open targets whose ID number a member of the household
    carries are registered, linked to that member."""
    members = {member.id_number: member.member_index for member in session.exec(
        select(SubmissionMember).where(SubmissionMember.submission_id == submission.id))}
    if not members:
        return
    found = session.exec(select(Target).where(
        Target.village_code == submission.village_code, Target.status == TargetStatus.open,
        col(Target.id_number).in_(members)).order_by(col(Target.id)))
    for target in list(found):
        settle(session=session, actor=actor, target=target, status=TargetStatus.registered,
               submission_id=submission.id, member_index=members[target.id_number])


def candidates(session: Session, target: Target) -> list[tuple[SubmissionMember, Submission]]:
    """Members of approved households of the target's village with the target's name or ID
    number: whom a supervisor may link the target to by hand (the roster's number was wrong)."""
    return list(session.exec(
        select(SubmissionMember, Submission)
        .join(Submission, col(Submission.id) == SubmissionMember.submission_id)
        .where(Submission.village_code == target.village_code,
               Submission.state == SubmissionState.approved,
               (col(SubmissionMember.name) == target.name)
               | (col(SubmissionMember.id_number) == target.id_number))
        .order_by(col(Submission.received_at)).limit(20)))


def mark_done(*, session: Session, actor: Actor, village_code: str) -> None:
    changes.hold(session)
    session.merge(VillageProgress(village_code=village_code, done_at=utcnow(), done_by_id=actor.user_id))
    audit.record(session, actor, "village.done", object_type="village", object_id=village_code)
    session.flush()
    flagging.recheck_village(session, village_code)


def reopen_village(*, session: Session, actor: Actor, village_code: str) -> None:
    changes.hold(session)
    session.merge(VillageProgress(village_code=village_code, done_at=None, done_by_id=None))
    audit.record(session, actor, "village.reopened", object_type="village", object_id=village_code)
    session.flush()
    flagging.recheck_village(session, village_code)


@dataclass
class VillageRow:
    code: str
    name: str
    done_at: datetime | None = None
    done_by: str = ""
    targets: dict[str, int] = field(default_factory=dict)  # status -> count
    submissions: dict[str, int] = field(default_factory=dict)  # state -> count

    @property
    def targets_total(self) -> int:
        return sum(self.targets.values())

    @property
    def targets_open(self) -> int:
        return self.targets.get(TargetStatus.open, 0)


def villages(session: Session, areas: list) -> list[VillageRow]:
    """Progress of these villages (Area rows): targets by status, households by state."""
    rows = {area.code: VillageRow(area.code, area.name) for area in areas}
    if not rows:
        return []
    codes = list(rows)
    for code, status, count in session.exec(
            select(Target.village_code, Target.status, func.count())
            .where(col(Target.village_code).in_(codes)).group_by(Target.village_code, Target.status)):
        rows[code].targets[status] = count
    for code, state, count in session.exec(
            select(Submission.village_code, Submission.state, func.count())
            .where(col(Submission.village_code).in_(codes))
            .group_by(Submission.village_code, Submission.state)):
        rows[code].submissions[state] = count
    for progress, name in session.exec(
            select(VillageProgress, User.display_name)
            .join(User, col(User.id) == VillageProgress.done_by_id, isouter=True)
            .where(col(VillageProgress.village_code).in_(codes))):
        rows[progress.village_code].done_at = progress.done_at
        rows[progress.village_code].done_by = name or ""
    return list(rows.values())


def targets_of(session: Session, village_code: str) -> list[tuple[Target, TargetOutcome | None, str | None]]:
    """The village's targets with how each ended and the name of who decided."""
    return list(session.exec(
        select(Target, TargetOutcome, User.display_name)
        .join(TargetOutcome, col(TargetOutcome.target_id) == Target.id, isouter=True)
        .join(User, col(User.id) == TargetOutcome.decided_by_id, isouter=True)
        .where(Target.village_code == village_code).order_by(col(Target.id))))


def _check_member(session: Session, target: Target, submission_id: str | None,
                  member_index: int | None) -> None:
    submission = session.get(Submission, submission_id) if submission_id else None
    member = (session.get(SubmissionMember, (submission_id, member_index))
              if submission is not None and member_index is not None else None)
    if (member is None or submission.state != SubmissionState.approved
            or submission.village_code != target.village_code):
        raise ApiError(422, "member_invalid",
                       N_("Choose a member of an approved household of the target's village."))


def _stamp(session: Session, target: Target) -> None:
    session.exec(update(Target).where(col(Target.id) == target.id)
                 .values(seq=changes.next_seq(session)))
    session.refresh(target)


def _recheck_if_done(session: Session, village_code: str) -> None:
    progress = session.get(VillageProgress, village_code)
    if progress is not None and progress.done_at is not None:
        session.flush()
        flagging.recheck_village(session, village_code)
