"""Pull: what changed for a device's user since its cursor (docs/SYNC.md, "Pull").

The cursor is a position in the change sequence (sync/changes.py). One pull reads the
counter first and then only rows numbered up to it, all of which are committed: so whatever
the three queries below see, the answer is a complete prefix and the next cursor skips
nothing. When the page is full (`more`), the cursor is the last number sent; otherwise it is
the counter itself, so that changes the user may not see are not scanned again next time.
"""
import re

from sqlalchemy import false, or_
from sqlmodel import Session, col, select

from app.accounts.access import Principal
from app.accounts.models import User
from app.common import idcard
from app.errors import ApiError
from app.forms import service as forms
from app.forms.models import FormStatus, FormVersion
from app.i18n import N_
from app.submissions.models import Submission, SubmissionState
from app.targets.models import Target
from sync.changes import current_seq
from sync.schemas import PulledForm, PulledSubmission, PulledTarget, PullResponse

CURSOR = re.compile(r"v1\.(\d{1,18})")
DEFAULT_LIMIT = 500
MAX_LIMIT = 2000
CURSOR_INVALID = N_("The sync position is not valid. Download everything again.")


def parse_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    match = CURSOR.fullmatch(cursor)
    if match is None:
        raise ApiError(400, "cursor_invalid", CURSOR_INVALID)
    return int(match.group(1))



def pull(*, session: Session, principal: Principal, cursor: int, limit: int) -> PullResponse:
    upto = current_seq(session)
    if cursor > upto:
        # Ahead of the server (a database restored from a backup): the device must start over,
        # or it would skip every change numbered again below its cursor.
        raise ApiError(400, "cursor_invalid", CURSOR_INVALID)
    changes = sorted(_forms(session, principal, cursor, upto, limit)
                     + _targets(session, principal, cursor, upto, limit)
                     + _submissions(session, principal, cursor, upto, limit),
                     key=lambda change: change[0])
    more = len(changes) > limit
    page = changes[:limit]
    return PullResponse(
        cursor=f"v1.{page[-1][0] if more else upto}", more=more,
        forms=[item for _, item in page if isinstance(item, PulledForm)],
        targets=[item for _, item in page if isinstance(item, PulledTarget)],
        submissions=[item for _, item in page if isinstance(item, PulledSubmission)])


# Each query returns up to limit + 1 (seq, item) pairs: enough to fill the page and know
# whether there is more.

def _forms(session: Session, principal: Principal, after: int, upto: int, limit: int):
    counties = {forms.county_of(code) for code in principal.area_codes}
    rows = session.exec(
        select(FormVersion).where(FormVersion.status == FormStatus.published,
                                  col(FormVersion.county_code).in_(counties),
                                  col(FormVersion.seq) > after, col(FormVersion.seq) <= upto)
        .order_by(col(FormVersion.seq)).limit(limit + 1))
    return [(row.seq, PulledForm(county_code=row.county_code, form_id=row.form_id, version=row.version, title=row.title,
                                 content_hash=row.content_hash)) for row in rows]


def _targets(session: Session, principal: Principal, after: int, upto: int, limit: int):
    # Villages at or under the user's areas: an enumerator's own villages, a township's.
    inside = or_(false(), *(col(Target.village_code).startswith(code)
                            for code in principal.area_codes))
    rows = session.exec(
        select(Target, User.username)
        .join(User, col(User.id) == Target.assigned_to_id, isouter=True)
        .where(inside, col(Target.seq) > after, col(Target.seq) <= upto)
        .order_by(col(Target.seq)).limit(limit + 1))
    return [(target.seq, PulledTarget(id=target.id, village_code=target.village_code,
                                      name=target.name,
                                      id_number_masked=idcard.mask(target.id_number),
                                      address=target.address, uninsured=target.uninsured,
                                      status=target.status, assigned_to=username))
            for target, username in rows]


def _submissions(session: Session, principal: Principal, after: int, upto: int, limit: int):
    # A state the phone did not set itself: returned, approved, rejected, or submitted again
    # by another of the user's phones (revision > 1), which clears "returned" on this one.
    changed = (col(Submission.state) != SubmissionState.submitted) | (col(Submission.revision) > 1)
    rows = session.exec(
        select(Submission).where(Submission.owner_id == principal.user.id, changed,
                                 col(Submission.seq) > after, col(Submission.seq) <= upto)
        .order_by(col(Submission.seq)).limit(limit + 1))
    return [(row.seq, PulledSubmission(
        id=row.id, form_id=row.form_id, form_version=row.form_version, revision=row.revision,
        state=row.state, comment=row.review_comment,
        field_comments=row.field_comments,
        payload=row.payload if row.state == SubmissionState.returned else None)) for row in rows]
