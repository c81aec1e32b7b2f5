"""Push: what the server does with each item of a batch (docs/SYNC.md, "Push").

Each item is judged on its own, so one bad item never blocks the others and never leaves half
a record: what is refused is refused before anything of it is written. Idempotency is keyed by
(id, revision, content_hash): sending the same item again finds it stored and answers
`duplicate`. Two requests carrying the same item at once are serialised by the change
counter's lock, so the second one is answered from the first one's row as well.
"""
from dataclasses import dataclass, field

from pydantic import ValidationError
from sqlmodel import Session

from app.accounts.access import Principal
from app.areas.models import Area, AreaLevel
from app.forms import service as forms
from app.forms.model import FormDefinition
from app.forms.models import FormVersion
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


@dataclass
class Prepared:
    """An item after the checks that need no lock: its shape and hash, and, when it turns out
    to be stored, what storing it would answer (`checked`: the capture, or the refusal)."""

    item: PushItem | None
    refused: Outcome | None = None  # shape or hash: answered whatever the server holds
    checked: "submissions.Capture | Outcome | None" = None


class Batch:
    """One push request: the caller and the form definitions its items use.

    A push works in two steps. First, without any lock, every item is parsed, hashed and,
    unless its id is already stored, judged against its village, form version and the
    form's rules, and given the review checks that look at its answers alone: this is most
    of a push's work (a household's answers are validated expression by expression), and
    pushes from many phones do it side by side. Then the
    change counter's lock is taken (sync/changes.py) and the items are answered in order
    against what the server holds at that moment: an id that exists goes the one-by-one way
    (duplicate, conflicts, a new revision), the new ones are stored together. The lock is
    held only for that second step, which reads and writes a handful of statements per batch.
    """

    def __init__(self, session: Session, principal: Principal):
        self.session = session
        self.principal = principal
        self.definitions: dict[int, FormDefinition] = {}
        self.villages: dict[str, Area | None] = {}
        self.forms: dict[tuple[str, str, str], FormVersion | None] = {}

    def push(self, items: list) -> list[Outcome]:
        if not items:
            return []
        prepared = [self.prepare(raw) for raw in items]
        existing = submissions.existing_ids(
            self.session, [entry.item.id for entry in prepared if entry.refused is None])
        for entry in prepared:
            if entry.refused is None and entry.item.id not in existing:
                entry.checked = self._check(entry.item)
        # From here on one push at a time: two requests carrying the same record run one
        # after the other and the second finds the first's row, and households sharing an
        # ID number are checked one after the other (app/review/flagging.py).
        changes.hold(self.session)
        return self.store(prepared)

    def prepare(self, raw: object) -> Prepared:
        try:
            item = PushItem.model_validate(raw)
        except ValidationError as error:
            return Prepared(None, _malformed(raw, error))
        if content_hash(item.payload) != item.content_hash:
            return Prepared(item, _refused(item, "rejected", "content_hash_mismatch",
                                           N_("The record was damaged on the way (its content hash does not match). It was not stored.")))
        return Prepared(item)

    def store(self, prepared: list[Prepared]) -> list[Outcome]:
        """Answer the items in order; new submissions are written together, before any item
        that could refer to one of them (the same id again) is answered."""
        known = submissions.load(self.session, [entry.item.id for entry in prepared
                                                if entry.refused is None])
        outcomes: list[Outcome] = []
        arriving: list[submissions.Capture] = []
        for entry in prepared:
            if entry.refused is not None:
                outcomes.append(entry.refused)
                continue
            item = entry.item
            if item.id in known:
                if arriving:
                    submissions.receive_many(session=self.session, actor=self.principal.actor,
                                             captures=arriving)
                    arriving = []
                with self.session.begin_nested():
                    outcomes.append(self._apply(item, known[item.id]))
                continue
            checked = entry.checked if entry.checked is not None else self._check(item)
            if isinstance(checked, Outcome):
                outcomes.append(checked)
                continue
            arriving.append(checked)
            known[item.id] = None  # stored by the time a later item meets it
            outcomes.append(Outcome(item.id, item.revision, "accepted"))
        if arriving:
            submissions.receive_many(session=self.session, actor=self.principal.actor,
                                     captures=arriving)
        return outcomes

    def _apply(self, item: PushItem, submission: Submission | None) -> Outcome:
        """An id the server holds (or that an earlier item of this batch stored)."""
        submission = submission or submissions.get(self.session, item.id)
        answer = self._answer_known(item, submission)
        if answer is not None:
            return answer
        checked = self._check(item)
        if isinstance(checked, Outcome):
            return checked
        submissions.resubmit(session=self.session, actor=self.principal.actor,
                             submission=submission, capture=checked)
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
        """Village, form version and the form's rules; the capture to store when all pass,
        with its own review checks done."""
        village = item.payload.get("village_code")
        if not isinstance(village, str) or not village:
            missing = FieldError("village_code", "required", *VALIDATION_MESSAGES["required"])
            return _refused(item, "rejected", "invalid_payload", INVALID_PAYLOAD, errors=[missing])
        if village not in self.villages:
            self.villages[village] = self.session.get(Area, village)
        area = self.villages[village]
        if area is None or area.level != AreaLevel.village or not self.principal.covers(village):
            return _refused(item, "rejected", "village_not_yours",
                            N_("This village is not one of yours."))
        key = (forms.county_of(village), item.form_id, item.form_version)
        if key not in self.forms:
            self.forms[key] = forms.find_published(self.session, *key)
        row = self.forms[key]
        if row is None:
            return _refused(item, "rejected", "form_version_unknown",
                            N_("This form version is not published."))
        if row.id not in self.definitions:
            self.definitions[row.id] = forms.definition_of(row)
        result = validate(self.definitions[row.id], item.payload)
        if result.errors:
            return _refused(item, "rejected", "invalid_payload", INVALID_PAYLOAD,
                            errors=result.errors)
        return submissions.with_own_checks(submissions.Capture(
            id=item.id, revision=item.revision, village_code=village, form_id=item.form_id,
            form_version=item.form_version, content_hash=item.content_hash,
            captured_at=item.captured_at, payload=result.cleaned))


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
