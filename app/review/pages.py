"""The supervisor's review pages: the queue (/review, the supervisor's home), one household,
the villages' progress and their targets, and a user's trail. Server-rendered, working
without script; htmx refreshes the list as filters change, loads more rows in place and
reveals a masked value without leaving the page.

Decisions are plain form posts that redirect (to the next household awaiting review, when
asked). A refused decision (someone else was first, a new revision arrived) renders the
household again with the reason, and nothing of it is written.
"""
from datetime import date
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlmodel import Session

from app.accounts import service as accounts
from app.accounts.access import Principal, supervisor_or_admin
from app.accounts.models import Role, User
from app.common import idcard
from app.db import Db
from app.errors import ApiError
from app.i18n import gettext_for
from app.review import context, flagging, progress, queue, service
from app.review.checks import CODES
from app.review.labels import EVENT_LABELS, STATE_LABELS
from app.review.present import diff
from app.submissions.models import Submission, SubmissionState
from app.targets.models import STATUS_LABELS as TARGET_LABELS
from app.web import render

router = APIRouter()
reviewer = supervisor_or_admin
FIELD_COMMENT_ROWS = 3


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _common(request: Request) -> dict:
    return {"state_labels": STATE_LABELS, "event_labels": EVENT_LABELS, "lang": context.lang(request),
            "flag_codes": CODES, "target_labels": TARGET_LABELS}


@router.get("/review")
def queue_page(request: Request, db: Db, principal: Principal = Depends(reviewer),
               village: str = "", enumerator: str = "", state: str = SubmissionState.submitted,
               flag: str = "", date_from: str = "", date_to: str = "", sort: str = "oldest",
               cursor: str = "", approved: int | None = None, refused: int | None = None):
    """The queue of the caller's villages: households awaiting review, oldest first."""
    villages = context.villages_of(db, principal)
    filters = queue.QueueFilter(village, int(enumerator) if enumerator.isdigit() else None, state,
                                flag, _date(date_from), _date(date_to), sort).normalised()
    page = queue.search(db, villages, filters, cursor=cursor or None)
    params = {"village": filters.village, "enumerator": enumerator, "state": filters.state,
              "flag": filters.flag, "date_from": date_from, "date_to": date_to, "sort": filters.sort}
    query = urlencode({key: value for key, value in params.items() if value})
    enumerators = [user for user in accounts.users_within(db, list(principal.area_codes))
                   if user.role == Role.enumerator]
    return render(request, "review/queue.html", {
        **_common(request), "page": page, "filters": params, "query": query,
        "villages": villages, "enumerators": enumerators, "counts": queue.open_counts(db, villages),
        "next_url": f"/review?{query}&cursor={page.next_cursor}" if page.next_cursor else None,
        "first_page": bool(cursor), "approved": approved, "refused": refused})


@router.post("/review/bulk-approve")
async def bulk_approve(request: Request, db: Db, principal: Principal = Depends(reviewer)):
    """Approve the ticked households (each named with its revision: "id:revision")."""
    form = await request.form()
    items = []
    for value in form.getlist("item"):
        submission_id, _, revision = str(value).partition(":")
        if revision.isdigit():
            items.append((submission_id, int(revision)))
    outcomes = service.bulk_approve(session=db, actor=principal.actor, items=items,
                                    visible=lambda submission: principal.covers(submission.village_code))
    back = str(form.get("query", ""))
    done = sum(outcome.status == "approved" for outcome in outcomes)
    return RedirectResponse(f"/review?{back}&approved={done}&refused={len(outcomes) - done}",
                            status_code=303)


def _detail(request: Request, db: Session, principal: Principal, submission: Submission, *,
            revision: int | None = None, compare: int | None = None, error: ApiError | None = None,
            revealed: dict | None = None, status_code: int = 200):
    lang = context.lang(request)
    stored = context.revision_of(db, submission, revision)
    reader = context.reader(db, stored, submission.village_code, lang)
    flags = flagging.flags_of(db, submission.id, stored.revision)
    current = stored.revision == submission.revision
    comments = submission.field_comments if current else {}
    blocks = reader.blocks(stored.payload, flags=flags, comments=comments)
    shown = {line.path for block in blocks for line in block.lines}
    earlier = compare or (stored.revision - 1 if stored.revision > 1 else None)
    changes = None
    if earlier and earlier != stored.revision:
        changes = diff(reader, context.revision_of(db, submission, earlier).payload, stored.payload)
    related = {}  # other households named by a flag: may the caller open them?
    for flag in flags:
        other = db.get(Submission, flag.related_submission_id) if flag.related_submission_id else None
        if other is not None:
            related[other.id] = principal.covers(other.village_code)
    owner = db.get(User, submission.owner_id)
    message = None
    if error is not None:
        message = gettext_for(request)(error.message).format(**error.params)
    return render(request, "review/detail.html", {
        **_common(request), "submission": submission, "stored": stored, "current": current,
        "blocks": blocks, "loose_flags": [flag for flag in flags if flag.path not in shown],
        "changes": changes, "compared_with": earlier, "related": related,
        "flag_count": {severity: sum(flag.severity == severity for flag in flags)
                       for severity in ("error", "warning")},
        "village_name": context.villages_of(db, principal).get(submission.village_code, ""),
        "enumerator": owner, "revisions": context.revisions(db, submission.id),
        "trail": context.submission_trail(db, submission.id), "revealed": revealed or {},
        "error": message, "error_code": error.code if error else None,
        "comment_paths": [(line.path, f"{block.title} · {line.label}" if block.index is not None else line.label)
                          for block in blocks for line in sorted(block.lines, key=lambda line: not line.flags)],
        "comment_rows": range(FIELD_COMMENT_ROWS)}, status_code=status_code)


@router.get("/review/submissions/{submission_id}")
def detail_page(submission_id: str, request: Request, db: Db, principal: Principal = Depends(reviewer),
                revision: int | None = None, compare: int | None = None):
    """One household: its members, flags next to their fields, the changes since the previous
    revision (or `compare`), the revisions, the trail, and the decision forms."""
    submission = context.submission_for(db, principal, submission_id)
    return _detail(request, db, principal, submission, revision=revision, compare=compare)


def _decided(request: Request, db: Session, principal: Principal, submission: Submission,
             decide, go_next: bool):
    """Apply a decision; on refusal show the household again with the reason (the savepoint
    makes sure nothing of a refused decision is kept)."""
    try:
        with db.begin_nested():
            decide()
    except ApiError as refusal:
        db.refresh(submission)
        return _detail(request, db, principal, submission, error=refusal, status_code=refusal.status)
    if go_next:
        following = queue.search(db, context.villages_of(db, principal), queue.QueueFilter(),
                                 limit=1, count=False).rows
        if following:
            return RedirectResponse(f"/review/submissions/{following[0].id}", status_code=303)
        return RedirectResponse("/review", status_code=303)
    return RedirectResponse(f"/review/submissions/{submission.id}", status_code=303)


@router.post("/review/submissions/{submission_id}/approve")
def approve(submission_id: str, request: Request, db: Db, principal: Principal = Depends(reviewer),
            revision: int = Form(), go_next: bool = Form(False)):
    submission = context.submission_for(db, principal, submission_id)
    return _decided(request, db, principal, submission, lambda: service.approve(
        session=db, actor=principal.actor, submission=submission, revision=revision), go_next)


@router.post("/review/submissions/{submission_id}/return")
async def return_(submission_id: str, request: Request, db: Db, principal: Principal = Depends(reviewer),
                  revision: int = Form(), comment: str = Form(""), go_next: bool = Form(False)):
    submission = context.submission_for(db, principal, submission_id)
    form = await request.form()
    fields = {}
    for path, text in zip(form.getlist("field_path"), form.getlist("field_comment")):
        if str(path) and str(text).strip():
            fields[str(path)] = str(text)
    return _decided(request, db, principal, submission, lambda: service.return_(
        session=db, actor=principal.actor, submission=submission, revision=revision,
        comment=comment, field_comments=fields), go_next)


@router.post("/review/submissions/{submission_id}/reject")
def reject(submission_id: str, request: Request, db: Db, principal: Principal = Depends(reviewer),
           revision: int = Form(), reason: str = Form(""), go_next: bool = Form(False)):
    submission = context.submission_for(db, principal, submission_id)
    return _decided(request, db, principal, submission, lambda: service.reject(
        session=db, actor=principal.actor, submission=submission, revision=revision,
        reason=reason), go_next)


@router.post("/review/submissions/{submission_id}/reveal")
def reveal(submission_id: str, request: Request, db: Db, principal: Principal = Depends(reviewer),
           path: str = Form(), revision: int | None = Form(None)):
    """The full value, logged: as a fragment for htmx, else the household page showing it."""
    submission = context.submission_for(db, principal, submission_id)
    value = service.reveal(session=db, actor=principal.actor, submission=submission, path=path,
                           revision=revision)
    if request.headers.get("HX-Request"):
        return render(request, "review/_revealed.html", {"value": value})
    return _detail(request, db, principal, submission, revision=revision, revealed={path: value})


@router.get("/review/villages")
def villages_page(request: Request, db: Db, principal: Principal = Depends(reviewer)):
    """Progress of each village: targets by how they ended, households by state."""
    rows = progress.villages(db, context.village_areas(db, principal))
    return render(request, "review/villages.html", {**_common(request), "rows": rows})


@router.get("/review/villages/{code}")
def village_page(code: str, request: Request, db: Db, principal: Principal = Depends(reviewer)):
    area = context.village_for(db, principal, code)
    [row] = progress.villages(db, [area])
    targets = [(target, outcome, decided_by, idcard.mask(target.id_number),
                progress.candidates(db, target) if target.status == "open" else [])
               for target, outcome, decided_by in progress.targets_of(db, area.code)]
    return render(request, "review/village.html", {**_common(request), "row": row, "targets": targets})


@router.post("/review/villages/{code}/done")
def village_done(code: str, db: Db, principal: Principal = Depends(reviewer)):
    area = context.village_for(db, principal, code)
    progress.mark_done(session=db, actor=principal.actor, village_code=area.code)
    return RedirectResponse(f"/review/villages/{area.code}", status_code=303)


@router.post("/review/villages/{code}/reopen")
def village_reopen(code: str, db: Db, principal: Principal = Depends(reviewer)):
    area = context.village_for(db, principal, code)
    progress.reopen_village(session=db, actor=principal.actor, village_code=area.code)
    return RedirectResponse(f"/review/villages/{area.code}", status_code=303)


@router.post("/review/targets/{target_id}/settle")
def settle_target(target_id: int, db: Db, principal: Principal = Depends(reviewer),
                  status: str = Form(), member: str = Form("")):
    """`member` is "submission_id:index" when the target is registered by hand."""
    target = context.target_for(db, principal, target_id)
    submission_id, _, index = member.partition(":")
    if submission_id:
        context.submission_for(db, principal, submission_id)
    progress.settle(session=db, actor=principal.actor, target=target, status=status,
                    submission_id=submission_id or None,
                    member_index=int(index) if index.isdigit() else None)
    return RedirectResponse(f"/review/villages/{target.village_code}", status_code=303)


@router.post("/review/targets/{target_id}/reopen")
def reopen_target(target_id: int, db: Db, principal: Principal = Depends(reviewer)):
    target = context.target_for(db, principal, target_id)
    progress.reopen(session=db, actor=principal.actor, target=target)
    return RedirectResponse(f"/review/villages/{target.village_code}", status_code=303)


@router.get("/review/users/{user_id}", response_class=HTMLResponse)
def user_page(user_id: int, request: Request, db: Db, principal: Principal = Depends(reviewer),
              before: int | None = None):
    """What one user of the caller's area did, newest first."""
    user = context.user_for(db, principal, user_id)
    trail = context.user_trail(db, user.id, before)
    more = trail[-1].event.id if len(trail) == context.USER_EVENTS_PAGE else None
    return render(request, "review/user.html", {**_common(request), "user": user, "trail": trail,
                                                "more": more})
