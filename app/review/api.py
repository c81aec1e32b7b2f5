"""The review API: everything the review pages do, as JSON under /api/v1/review, with the same
access rule (supervisors and admins, inside their area; 404 outside it) and the same services.
Refusals carry stable codes: already_decided, revision_changed, comment_required,
reason_required, field_comment_invalid, has_errors, target_already_settled, …"""
from datetime import date

from fastapi import APIRouter, Depends, Query, Request

from app.accounts.access import Principal, supervisor_or_admin
from app.accounts.models import User
from app.common import idcard
from app.db import Db
from app.i18n import gettext_for
from app.review import context, flagging, progress, queue, service
from app.review.models import SubmissionFlag
from app.review.schemas import (BulkIn, BulkOut, BulkResult, ChangeOut, DecisionIn, DecisionOut,
                                EventOut, FlagOut, QueueItemOut, QueueOut, RejectIn, ReturnIn,
                                RevealIn, RevealOut, RevisionDetailOut, RevisionOut, SettleIn,
                                SubmissionOut, TargetOut, VillageOut)
from app.review.present import diff

router = APIRouter(prefix="/api/v1/review", tags=["review"])
reviewer = supervisor_or_admin


def _flag(flag: SubmissionFlag, lang: str) -> FlagOut:
    return FlagOut(code=flag.code, severity=flag.severity, path=flag.path,
                   message=flag.message_en if lang == "en" else flag.message_zh,
                   related_submission_id=flag.related_submission_id)


@router.get("/submissions", response_model=QueueOut)
def list_submissions(db: Db, principal: Principal = Depends(reviewer), village: str = "",
                     enumerator: int | None = None, state: str = "submitted", flag: str = "",
                     date_from: date | None = None, date_to: date | None = None,
                     sort: str = "oldest", cursor: str | None = None,
                     limit: int = Query(queue.PAGE_SIZE, ge=1, le=200)) -> QueueOut:
    """The queue: households of the caller's villages. `state` "" for every state; `flag` a
    check's code, "errors" or "clean"; `sort` oldest, newest or village."""
    villages = context.villages_of(db, principal)
    filters = queue.QueueFilter(village, enumerator, state, flag, date_from, date_to, sort)
    page = queue.search(db, villages, filters, cursor=cursor, limit=limit)
    return QueueOut(items=[QueueItemOut(**vars(row)) for row in page.rows], total=page.total,
                    next_cursor=page.next_cursor, open_counts=queue.open_counts(db, villages))


@router.get("/submissions/{submission_id}", response_model=SubmissionOut)
def get_submission(submission_id: str, request: Request, db: Db,
                   principal: Principal = Depends(reviewer)) -> SubmissionOut:
    submission = context.submission_for(db, principal, submission_id)
    lang = context.lang(request)
    reader = context.reader(db, context.revision_of(db, submission, None), submission.village_code, lang)
    owner = db.get(User, submission.owner_id)
    return SubmissionOut(
        id=submission.id, village_code=submission.village_code,
        village_name=context.villages_of(db, principal).get(submission.village_code, ""),
        enumerator=owner.display_name if owner else "", form_id=submission.form_id,
        form_version=submission.form_version, revision=submission.revision, state=submission.state,
        received_at=submission.received_at, comment=submission.review_comment,
        field_comments=submission.field_comments, payload=reader.masked(submission.payload),
        flags=[_flag(flag, lang) for flag in flagging.current_flags(db, submission)],
        revisions=[RevisionOut(revision=row.revision, received_at=row.received_at,
                               captured_at=row.captured_at, content_hash=row.content_hash,
                               device_id=row.device_id)
                   for row in context.revisions(db, submission.id)])


@router.get("/submissions/{submission_id}/revisions/{revision}", response_model=RevisionDetailOut)
def get_revision(submission_id: str, revision: int, request: Request, db: Db,
                 principal: Principal = Depends(reviewer)) -> RevisionDetailOut:
    """Any revision as it arrived (masked), with the flags its checks raised."""
    submission = context.submission_for(db, principal, submission_id)
    stored = context.revision_of(db, submission, revision)
    lang = context.lang(request)
    reader = context.reader(db, stored, submission.village_code, lang)
    return RevisionDetailOut(revision=stored.revision, payload=reader.masked(stored.payload),
                             flags=[_flag(flag, lang) for flag in
                                    flagging.flags_of(db, submission.id, stored.revision)])


@router.get("/submissions/{submission_id}/diff", response_model=list[ChangeOut])
def get_diff(submission_id: str, request: Request, db: Db, principal: Principal = Depends(reviewer),
             from_revision: int = Query(alias="from"), to_revision: int = Query(alias="to")):
    """What changed between two revisions, field by field (sensitive values masked)."""
    submission = context.submission_for(db, principal, submission_id)
    before = context.revision_of(db, submission, from_revision)
    after = context.revision_of(db, submission, to_revision)
    reader = context.reader(db, after, submission.village_code, context.lang(request))
    return [ChangeOut(**vars(change)) for change in diff(reader, before.payload, after.payload)]


@router.post("/submissions/{submission_id}/approve", response_model=DecisionOut)
def approve(submission_id: str, body: DecisionIn, db: Db,
            principal: Principal = Depends(reviewer)) -> DecisionOut:
    submission = context.submission_for(db, principal, submission_id)
    service.approve(session=db, actor=principal.actor, submission=submission, revision=body.revision)
    return DecisionOut(id=submission.id, revision=submission.revision, state=submission.state)


@router.post("/submissions/{submission_id}/return", response_model=DecisionOut)
def return_(submission_id: str, body: ReturnIn, db: Db,
            principal: Principal = Depends(reviewer)) -> DecisionOut:
    """Back to the enumerator's phones (sync pull) with the comment."""
    submission = context.submission_for(db, principal, submission_id)
    service.return_(session=db, actor=principal.actor, submission=submission,
                    revision=body.revision, comment=body.comment, field_comments=body.field_comments)
    return DecisionOut(id=submission.id, revision=submission.revision, state=submission.state)


@router.post("/submissions/{submission_id}/reject", response_model=DecisionOut)
def reject(submission_id: str, body: RejectIn, db: Db,
           principal: Principal = Depends(reviewer)) -> DecisionOut:
    """Final: the household never enters the registry."""
    submission = context.submission_for(db, principal, submission_id)
    service.reject(session=db, actor=principal.actor, submission=submission,
                   revision=body.revision, reason=body.reason)
    return DecisionOut(id=submission.id, revision=submission.revision, state=submission.state)


@router.post("/bulk-approve", response_model=BulkOut)
def bulk_approve(body: BulkIn, request: Request, db: Db,
                 principal: Principal = Depends(reviewer)) -> BulkOut:
    """Approve households without error flags; one result per item, in order."""
    gettext = gettext_for(request)
    outcomes = service.bulk_approve(
        session=db, actor=principal.actor, items=[(item.id, item.revision) for item in body.items],
        visible=lambda submission: principal.covers(submission.village_code))
    return BulkOut(results=[BulkResult(id=outcome.id, revision=outcome.revision, status=outcome.status,
                                       code=outcome.code,
                                       message=gettext(outcome.message) if outcome.message else None)
                            for outcome in outcomes])


@router.post("/submissions/{submission_id}/reveal", response_model=RevealOut)
def reveal(submission_id: str, body: RevealIn, db: Db,
           principal: Principal = Depends(reviewer)) -> RevealOut:
    """One full ID number or phone number; written to the audit trail."""
    submission = context.submission_for(db, principal, submission_id)
    value = service.reveal(session=db, actor=principal.actor, submission=submission,
                           path=body.path, revision=body.revision)
    return RevealOut(path=body.path, value=value)


def _events(trail: list[context.TrailEvent]) -> list[EventOut]:
    return [EventOut(id=item.event.id, at=item.event.at, actor=item.actor, action=item.event.action,
                     object_type=item.event.object_type, object_id=item.event.object_id,
                     device_id=item.event.device_id, detail=item.event.detail) for item in trail]


@router.get("/submissions/{submission_id}/events", response_model=list[EventOut])
def submission_events(submission_id: str, db: Db, principal: Principal = Depends(reviewer)):
    """The submission's audit trail, oldest first."""
    submission = context.submission_for(db, principal, submission_id)
    return _events(context.submission_trail(db, submission.id))


@router.get("/users/{user_id}/events", response_model=list[EventOut])
def user_events(user_id: int, db: Db, principal: Principal = Depends(reviewer),
                before: int | None = None):
    """What a user of the caller's area did, newest first, 100 at a time (`before`: an event id)."""
    user = context.user_for(db, principal, user_id)
    return _events(context.user_trail(db, user.id, before))


@router.get("/villages", response_model=list[VillageOut])
def villages(db: Db, principal: Principal = Depends(reviewer)):
    """Each village's progress: targets by status, households by state, done or not."""
    return [VillageOut(code=row.code, name=row.name, done_at=row.done_at, done_by=row.done_by,
                       targets=row.targets, submissions=row.submissions)
            for row in progress.villages(db, context.village_areas(db, principal))]


@router.post("/villages/{code}/done", status_code=204)
def village_done(code: str, db: Db, principal: Principal = Depends(reviewer)) -> None:
    """Every household visited: targets still open are flagged from now on."""
    progress.mark_done(session=db, actor=principal.actor,
                       village_code=context.village_for(db, principal, code).code)


@router.post("/villages/{code}/reopen", status_code=204)
def village_reopen(code: str, db: Db, principal: Principal = Depends(reviewer)) -> None:
    progress.reopen_village(session=db, actor=principal.actor,
                            village_code=context.village_for(db, principal, code).code)


@router.get("/villages/{code}/targets", response_model=list[TargetOut])
def village_targets(code: str, db: Db, principal: Principal = Depends(reviewer)):
    area = context.village_for(db, principal, code)
    return [TargetOut(id=target.id, village_code=target.village_code, name=target.name,
                      id_number_masked=idcard.mask(target.id_number), address=target.address,
                      status=target.status,
                      submission_id=outcome.submission_id if outcome else None,
                      member_index=outcome.member_index if outcome else None,
                      decided_by=decided_by, decided_at=outcome.decided_at if outcome else None)
            for target, outcome, decided_by in progress.targets_of(db, area.code)]


@router.post("/targets/{target_id}/settle", status_code=204)
def settle_target(target_id: int, body: SettleIn, db: Db, principal: Principal = Depends(reviewer)) -> None:
    """registered (with the member: submission_id, member_index), moved, deceased or not_found."""
    target = context.target_for(db, principal, target_id)
    if body.submission_id:
        context.submission_for(db, principal, body.submission_id)
    progress.settle(session=db, actor=principal.actor, target=target, status=body.status,
                    submission_id=body.submission_id, member_index=body.member_index)


@router.post("/targets/{target_id}/reopen", status_code=204)
def reopen_target(target_id: int, db: Db, principal: Principal = Depends(reviewer)) -> None:
    progress.reopen(session=db, actor=principal.actor, target=context.target_for(db, principal, target_id))
