"""Running the automatic checks (app/review/checks.py) against the database and storing their
flags.

`run_checks()` runs whenever a submission or a new revision of it is stored (from
app/submissions/service.py, inside the push's transaction) and whenever what a check looks at
changes: another household with one of its ID numbers was stored, approved or rejected; its
village was marked done or reopened; a target of its village was settled. Re-runs touch only
households awaiting review: a decided household keeps the flags it was decided with.

Every writer that runs checks holds the change counter's lock (sync/changes.py) first, so two
households carrying the same new ID number are checked one after the other and the second
sees the first.
"""
from typing import Protocol

from sqlalchemy import delete, insert
from sqlmodel import Session, col, select

from app.areas.models import Area
from app.audit import service as audit
from app.audit.service import SYSTEM
from app.common import idcard
from app.review import checks
from app.review.models import SubmissionFlag, SubmissionMember, VillageProgress
from app.submissions.models import Submission, SubmissionState
from app.targets.models import Target, TargetStatus


class Arrived(Protocol):
    """A submission revision just stored, as check_arrivals() needs it."""
    id: str
    revision: int
    village_code: str
    payload: dict
    own_flags: checks.OwnFlags | None  # checks.own_flags(payload), when already found


def run_checks(session: Session, submission: Submission, *, cascade: bool = True,
               arrived: bool = False, own_flags: checks.OwnFlags | None = None) -> list[SubmissionFlag]:
    """Check the submission's current revision and replace that revision's flags. With
    `cascade`, households awaiting review that share an ID number with it (before or after
    this revision) are checked again too, since their flags point at this one. `arrived`:
    the revision was just stored, so a corrected revision's result is written to the trail
    even when it is clean (the reviewer sees the earlier flags are gone). `own_flags`: the checks
    of its payload alone, when already done (checks.own_flags)."""
    session.flush()
    before = _member_ids(session, submission.id)
    own = _index_members(session, submission)
    flags = checks.all_flags(submission.payload, _elsewhere(session, submission, own),
                             _open_targets_if_done(session, submission.village_code), own_flags)
    stored = _store(session, submission, flags, announce=arrived and submission.revision > 1)
    if cascade:
        recheck_sharers(session, submission.id, before | own)
    return stored


def current_flags(session: Session, submission: Submission) -> list[SubmissionFlag]:
    return flags_of(session, submission.id, submission.revision)


def flags_of(session: Session, submission_id: str, revision: int) -> list[SubmissionFlag]:
    return list(session.exec(select(SubmissionFlag).where(
        SubmissionFlag.submission_id == submission_id, SubmissionFlag.revision == revision)
        .order_by(col(SubmissionFlag.id))))


def recheck_sharers(session: Session, submission_id: str, id_numbers: set[str] | None = None) -> None:
    """Check again the households awaiting review that list one of these ID numbers (by
    default the submission's own)."""
    if id_numbers is None:
        id_numbers = _member_ids(session, submission_id)
    _recheck_holders(session, id_numbers, {submission_id})


def check_arrivals(session: Session, arrived: list[Arrived]) -> None:
    """`run_checks()` for submissions just stored under new ids, all at once (a push's new
    households). Their members are indexed first, so each one's checks see the others, as
    they would have had they arrived one by one (each arrival rechecks the earlier ones that
    share an ID number with it); households already awaiting review that share an ID number
    with them are checked again afterwards, once each. Members, flags and events go in as
    plain rows, one statement each, like the submissions themselves."""
    members = {submission.id: _member_rows(submission) for submission in arrived}
    _insert(session, SubmissionMember, [row for rows in members.values() for row in rows])
    numbers = {row["id_number"] for rows in members.values() for row in rows}
    holders = _holders(session, numbers)
    done: dict[str, list[str] | None] = {}
    flag_rows, flagged = [], []
    for submission in arrived:
        own = {row["id_number"] for row in members[submission.id]}
        if submission.village_code not in done:
            done[submission.village_code] = _open_targets_if_done(session, submission.village_code)
        elsewhere = _elsewhere_of(holders, submission.id, own)
        flags = checks.all_flags(submission.payload, elsewhere, done[submission.village_code],
                                 submission.own_flags)
        # As _store() with no earlier flags: rows and an event when there are flags, and
        # the event alone for a later revision (its earlier flags are gone).
        if flags or submission.revision > 1:
            flag_rows += [_flag_row(submission, flag) for flag in flags]
            flagged.append((submission.id, _flagged_detail(submission, flags)))
    _insert(session, SubmissionFlag, flag_rows)
    audit.record_many(session, SYSTEM, "submission.flagged", object_type="submission",
                      events=flagged)
    # The households to check again are among the holders just read: no second look-up by
    # ID number, and none at all when no household awaiting review shares one.
    awaiting = {other for listed in holders.values() for other, state, *_ in listed
                if state == SubmissionState.submitted and other not in members}
    if awaiting:
        _recheck(session, col(Submission.id).in_(awaiting))


def _insert(session: Session, model, rows: list[dict]) -> None:
    if rows:
        session.execute(insert(model.__table__), rows)


def _recheck_holders(session: Session, id_numbers: set[str], exclude: set[str]) -> None:
    if not id_numbers:
        return
    sharing = select(SubmissionMember.submission_id).where(col(SubmissionMember.id_number).in_(id_numbers))
    _recheck(session, col(Submission.id).in_(sharing), col(Submission.id).not_in(exclude),
             Submission.state == SubmissionState.submitted)


def _recheck(session: Session, *where) -> None:
    """Check the households that match again, each alone, in id order."""
    for other in list(session.exec(select(Submission).where(*where).order_by(col(Submission.id)))):
        run_checks(session, other, cascade=False)


def recheck_village(session: Session, village_code: str) -> None:
    """Check again the village's households awaiting review (its targets or its done mark
    changed)."""
    for submission in list(session.exec(select(Submission).where(
            Submission.village_code == village_code, Submission.state == SubmissionState.submitted))):
        run_checks(session, submission, cascade=False)


def _member_ids(session: Session, submission_id: str) -> set[str]:
    return set(session.exec(select(SubmissionMember.id_number).where(
        SubmissionMember.submission_id == submission_id)))


def _index_members(session: Session, submission: Submission) -> set[str]:
    """Replace the submission's member rows with those of its current revision; their ID
    numbers."""
    session.exec(delete(SubmissionMember).where(col(SubmissionMember.submission_id) == submission.id))
    rows = _member_rows(submission)
    _insert(session, SubmissionMember, rows)
    return {row["id_number"] for row in rows}


def _member_rows(submission: Submission | Arrived) -> list[dict]:
    rows = []
    for index, member in enumerate(submission.payload.get("members") or []):
        if not isinstance(member, dict) or not member.get("id_number"):
            continue
        rows.append({
            "submission_id": submission.id, "member_index": index,
            "id_number": idcard.normalize(str(member["id_number"]))[:18],
            "name": str(member.get("full_name") or "")[:64],
            "pension_scheme": " ".join(sorted(checks.active_schemes(member, "pension")))[:64],
            "medical_scheme": " ".join(sorted(checks.active_schemes(member, "medical")))[:64]})
    return rows


def _elsewhere(session: Session, submission: Submission,
               own: set[str]) -> dict[str, list[checks.Elsewhere]]:
    """Other households (not rejected) listing one of this one's ID numbers (`own`), by ID
    number."""
    return _elsewhere_of(_holders(session, own), submission.id, own)


def _holders(session: Session, id_numbers: set[str]) -> dict[str, list]:
    """By ID number: every household (not rejected) listing it, in household order, as
    (submission id, state, village name, pension scheme, medical scheme)."""
    found: dict[str, list] = {}
    if not id_numbers:
        return found
    rows = session.exec(
        select(SubmissionMember.id_number, SubmissionMember.submission_id, Submission.state,
               Area.name, SubmissionMember.pension_scheme, SubmissionMember.medical_scheme)
        .join(Submission, col(Submission.id) == SubmissionMember.submission_id)
        .join(Area, col(Area.code) == Submission.village_code)
        .where(col(SubmissionMember.id_number).in_(id_numbers),
               Submission.state != SubmissionState.rejected)
        .order_by(col(SubmissionMember.submission_id), col(SubmissionMember.member_index)))
    for id_number, *holder in rows:
        found.setdefault(id_number, []).append(holder)
    return found


def _elsewhere_of(holders: dict[str, list], submission_id: str,
                  own: set[str]) -> dict[str, list[checks.Elsewhere]]:
    """What `holders` says about this household's ID numbers, itself left out: each other
    household once per ID number."""
    found: dict[str, list[checks.Elsewhere]] = {}
    for id_number in own:
        listed: list[checks.Elsewhere] = []
        for other, state, village_name, pension, medical in holders.get(id_number, ()):
            if other != submission_id and all(known.submission_id != other for known in listed):
                listed.append(checks.Elsewhere(other, state == SubmissionState.approved,
                                               village_name, pension, medical))
        if listed:
            found[id_number] = listed
    return found


def _open_targets_if_done(session: Session, village_code: str) -> list[str] | None:
    progress = session.get(VillageProgress, village_code)
    if progress is None or progress.done_at is None:
        return None
    return list(session.exec(select(Target.name).where(
        Target.village_code == village_code, Target.status == TargetStatus.open).order_by(col(Target.id))))


def _key(flag: SubmissionFlag | checks.Flag) -> tuple:
    return flag.code, flag.path, flag.message_zh, flag.related_submission_id or ""


def _store(session: Session, submission: Submission, flags: list[checks.Flag], *,
           announce: bool, previous: list[SubmissionFlag] | None = None) -> list[SubmissionFlag]:
    """Replace the revision's flags when they changed, with a `submission.flagged` event that
    lists them (codes and paths only: no personal data in the trail); with `announce`, the
    event is written even when nothing changed. `previous`: the revision's flags when the
    caller knows them (none, for a revision just stored)."""
    if previous is None:
        previous = current_flags(session, submission)
    if sorted(map(_key, previous)) == sorted(map(_key, flags)):
        if announce:
            _announce(session, submission, flags)
        return previous
    session.exec(delete(SubmissionFlag).where(col(SubmissionFlag.submission_id) == submission.id,
                                              col(SubmissionFlag.revision) == submission.revision))
    rows = [SubmissionFlag(**_flag_row(submission, flag)) for flag in flags]
    session.add_all(rows)
    _announce(session, submission, flags)
    session.flush()
    return rows


def _flag_row(submission: Submission | Arrived, flag: checks.Flag) -> dict:
    return {"submission_id": submission.id, "revision": submission.revision, "code": flag.code,
            "severity": flag.severity, "path": flag.path, "message_zh": flag.message_zh[:300],
            "message_en": flag.message_en[:300],
            "related_submission_id": flag.related_submission_id}


def _announce(session: Session, submission: Submission, flags: list[checks.Flag]) -> None:
    audit.record(session, SYSTEM, "submission.flagged", object_type="submission",
                 object_id=submission.id, detail=_flagged_detail(submission, flags))


def _flagged_detail(submission: Submission | Arrived, flags: list[checks.Flag]) -> dict:
    """Codes and paths only: no personal data in the trail."""
    return {"revision": submission.revision,
            "flags": [{"code": flag.code, "severity": flag.severity, "path": flag.path}
                      for flag in flags]}
