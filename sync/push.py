"""Push: what the server does with each item of a batch (docs/SYNC.md, "Push").

Each item is judged and stored on its own, inside its own savepoint, so one bad item never
blocks the others and never leaves half a record. Idempotency is keyed by (id, revision,
content_hash): sending the same item again finds it stored and answers `duplicate`. Two
requests carrying the same item at once are serialised by the change counter's lock, so the
second one is answered from the first one's row as well.
"""
from dataclasses import dataclass, field

from pydantic import ValidationError
from sqlmodel import Session

from app.accounts.access import Principal
from app.areas.models import Area, AreaLevel
from app.forms import service as forms
from app.forms.model import FormDefinition
from app.forms.validation import MESSAGES as VALIDATION_MESSAGES
from app.forms.validation import FieldError, validate
from app.i18n import N_
from app.submissions import service as submissions
from app.submissions.models import Submission, SubmissionState
from sync import changes
from sync.canonical import content_hash
from sync.schemas import PushItem

# Field messages of an item that is not well formed; the client shows them like the form's own.
MALFORMED_FIELD = ("缺少此项或格式不对", "This value is missing or has the wrong format")
INVALID_PAYLOAD = N_("Some answers are not valid. Correct them and submit again.")


@dataclass
class Outcome:
    id: str
    revision: int | None
    status: str
    code: str | None = None
    message: str | None = None  # an N_() message, translated by the view
    server_revision: int | None = None
    errors: list[FieldError] = field(default_factory=list)


class Batch:
    """One push request: the caller and the form definitions its items use."""

    def __init__(self, session: Session, principal: Principal):
        self.session = session
        self.principal = principal
        self.definitions: dict[int, FormDefinition] = {}

    def push(self, items: list) -> list[Outcome]:
        if items:
            # Before the first look-up: a concurrent push of the same record waits until this
            # one has committed, then finds it (sync/changes.py, hold()).
            changes.hold(self.session)
        return [self.push_item(raw) for raw in items]

    def push_item(self, raw: object) -> Outcome:
        try:
            item = PushItem.model_validate(raw)
        except ValidationError as error:
            return _malformed(raw, error)
        if content_hash(item.payload) != item.content_hash:
            return _refused(item, "rejected", "content_hash_mismatch",
                            N_("The record was damaged on the way (its content hash does not match). It was not stored."))
        with self.session.begin_nested():
            return self._apply(item)

    def _apply(self, item: PushItem) -> Outcome:
        submission = submissions.get(self.session, item.id)
        if submission is not None:
            answer = self._answer_known(item, submission)
            if answer is not None:
                return answer
        checked = self._check(item)
        if isinstance(checked, Outcome):
            return checked
        actor = self.principal.actor
        if submission is None:
            submissions.receive(session=self.session, actor=actor, capture=checked)
        else:
            submissions.resubmit(session=self.session, actor=actor, submission=submission,
                                 capture=checked)
        return Outcome(item.id, item.revision, "accepted")

    def _answer_known(self, item: PushItem, submission: Submission) -> Outcome | None:
        """The answer for an id the server has; None for a new revision to store."""
        if submission.owner_id != self.principal.user.id:
            return _refused(item, "conflict", "id_taken",
                            N_("This record's number belongs to another user's submission. It was not stored."))
        stored = submissions.stored_revision(self.session, submission.id, item.revision)
        if stored is not None and stored.content_hash == item.content_hash:
            return Outcome(item.id, item.revision, "duplicate")
        if item.revision == submission.revision:
            return _refused(item, "conflict", "conflict_content",
                            N_("The server already has this revision of the household with different content."),
                            submission.revision)
        if item.revision < submission.revision:
            return _refused(item, "conflict", "conflict_stale",
                            N_("The server already has a newer revision of this household."),
                            submission.revision)
        if submission.state != SubmissionState.returned:
            return _refused(item, "conflict", "conflict_not_returned",
                            N_("This household was not returned for correction, so it cannot be submitted again."),
                            submission.revision)
        return None

    def _check(self, item: PushItem) -> submissions.Capture | Outcome:
        """Village, form version and the form's rules; the capture to store when all pass."""
        village = item.payload.get("village_code")
        if not isinstance(village, str) or not village:
            missing = FieldError("village_code", "required", *VALIDATION_MESSAGES["required"])
            return _refused(item, "rejected", "invalid_payload", INVALID_PAYLOAD, errors=[missing])
        area = self.session.get(Area, village)
        if area is None or area.level != AreaLevel.village or not self.principal.covers(village):
            return _refused(item, "rejected", "village_not_yours",
                            N_("This village is not one of yours."))
        row = forms.find_published(self.session, forms.county_of(village), item.form_id,
                                   item.form_version)
        if row is None:
            return _refused(item, "rejected", "form_version_unknown",
                            N_("This form version is not published."))
        if row.id not in self.definitions:
            self.definitions[row.id] = forms.definition_of(row)
        result = validate(self.definitions[row.id], item.payload)
        if result.errors:
            return _refused(item, "rejected", "invalid_payload", INVALID_PAYLOAD,
                            errors=result.errors)
        return submissions.Capture(id=item.id, revision=item.revision, village_code=village,
                                   form_id=item.form_id, form_version=item.form_version,
                                   content_hash=item.content_hash, captured_at=item.captured_at,
                                   payload=result.cleaned)


def _refused(item: PushItem, status: str, code: str, message: str,
             server_revision: int | None = None, errors: list[FieldError] | None = None) -> Outcome:
    return Outcome(item.id, item.revision, status, code, message, server_revision, errors or [])


def _malformed(raw: object, error: ValidationError) -> Outcome:
    """Echo what can be echoed of an item that is not well formed, so the phone can match it."""
    sent = raw if isinstance(raw, dict) else {}
    item_id = sent.get("id") if isinstance(sent.get("id"), str) else ""
    revision = sent.get("revision")
    if not isinstance(revision, int) or isinstance(revision, bool):
        revision = None
    errors = [FieldError(".".join(str(part) for part in problem["loc"]), problem["type"],
                         *MALFORMED_FIELD) for problem in error.errors()]
    return Outcome(item_id, revision, "rejected", "invalid_item",
                   N_("This item is not a well-formed submission. It was not stored."),
                   errors=errors)
