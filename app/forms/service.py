"""Uploading, previewing and publishing form versions, and finding the ones a user receives."""
import hashlib
import json
from pathlib import Path

from sqlmodel import Session, col, select

from app.audit import service as audit
from app.audit.service import Actor
from app.clock import utcnow
from app.errors import ApiError
from app.forms import definition as definitions
from app.forms import xlsform
from app.forms.model import FormDefinition
from app.forms.models import FormStatus, FormVersion
from app.forms.problems import DefinitionError
from app.i18n import N_
from sync.changes import next_seq

MAX_FORM_FILE_BYTES = 2 * 1024 * 1024
FORMATS = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".xlsx": "xlsx"}


class FormUploadError(ApiError):
    def __init__(self, code: str, message: str, *, problems: list | None = None, params=None):
        super().__init__(400, code, message, params=params)
        self.problems = problems or []


def content_hash(source: dict) -> str:
    canonical = json.dumps(source, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def parse_upload(filename: str, data: bytes) -> FormDefinition:
    """Read a YAML, JSON or XLSForm .xlsx file into a checked definition, or refuse it with
    every problem found."""
    kind = FORMATS.get(Path(filename or "").suffix.lower())
    if kind is None:
        raise FormUploadError("form_file_type", N_("Upload a .xlsx, .yaml or .json form file."))
    if len(data) > MAX_FORM_FILE_BYTES:
        raise FormUploadError("form_file_size", N_("The form file is larger than 2 MB."))
    try:
        if kind == "xlsx":
            return definitions.load_definition(xlsform.read_xlsx(data))
        return definitions.parse_text(data.decode("utf-8-sig"), kind)
    except DefinitionError as error:
        raise FormUploadError("form_invalid", N_("The form has problems; nothing was saved."),
                              problems=error.problems) from None
    except UnicodeDecodeError:
        raise FormUploadError("form_file_encoding", N_("A YAML or JSON form must be UTF-8 text.")) from None


def upload(*, session: Session, actor: Actor, county_code: str, form: FormDefinition) -> FormVersion:
    """Store a new draft, or replace a draft of the same form_id and version. A published
    version is never replaced: a change needs a new version."""
    source = form.to_source()
    existing = session.exec(select(FormVersion).where(
        FormVersion.county_code == county_code, FormVersion.form_id == form.form_id,
        FormVersion.version == form.version)).first()
    if existing is not None and existing.status == FormStatus.published:
        raise FormUploadError("form_version_published",
                              N_("Version {version} of {form_id} is already published and cannot change. Give the new file a new version."),
                              params={"version": form.version, "form_id": form.form_id})
    row = existing or FormVersion(form_id=form.form_id, version=form.version,
                                  county_code=county_code, title="", definition={},
                                  content_hash="")
    row.title = form.title.get("zh") or form.title.get("en") or form.form_id
    row.definition = source
    row.content_hash = content_hash(source)
    row.uploaded_by_id = actor.user_id
    row.uploaded_at = utcnow()
    session.add(row)
    session.flush()
    audit.record(session, actor, "form.upload", object_type="form_version", object_id=row.id,
                 detail={"form_id": row.form_id, "version": row.version, "hash": row.content_hash})
    return row


def publish(*, session: Session, actor: Actor, row: FormVersion) -> None:
    if row.status == FormStatus.published:
        return
    # The number is taken before the row changes: taking it flushes, and once the row is
    # flushed as published the database refuses any further change to it.
    seq = next_seq(session)
    row.status = FormStatus.published
    row.published_by_id = actor.user_id
    row.published_at = utcnow()
    row.seq = seq
    session.add(row)
    audit.record(session, actor, "form.publish", object_type="form_version", object_id=row.id,
                 detail={"form_id": row.form_id, "version": row.version, "hash": row.content_hash})


def discard_draft(*, session: Session, actor: Actor, row: FormVersion) -> None:
    if row.status != FormStatus.draft:
        raise FormUploadError("form_version_published", N_("A published version cannot be deleted."))
    audit.record(session, actor, "form.discard", object_type="form_version", object_id=row.id,
                 detail={"form_id": row.form_id, "version": row.version})
    session.delete(row)


# Published versions never change (database triggers freeze them), so a server process
# builds each one's definition, and compiles its expressions, once rather than per request.
# The key holds the content hash: ids alone could repeat across databases.
_PUBLISHED: dict[tuple[int, str], FormDefinition] = {}
_PUBLISHED_KEPT = 64  # a county has a handful of forms and versions


def definition_of(row: FormVersion) -> FormDefinition:
    if row.status != FormStatus.published or row.id is None:
        return definitions.load_definition(row.definition)
    key = (row.id, row.content_hash)
    found = _PUBLISHED.get(key)
    if found is None:
        if len(_PUBLISHED) >= _PUBLISHED_KEPT:
            _PUBLISHED.clear()
        found = _PUBLISHED[key] = definitions.load_definition(row.definition)
    return found


def versions_for_counties(session: Session, county_codes: set[str], *,
                          published_only: bool) -> list[FormVersion]:
    query = select(FormVersion).where(col(FormVersion.county_code).in_(county_codes))
    if published_only:
        query = query.where(FormVersion.status == FormStatus.published)
    return list(session.exec(query.order_by(FormVersion.form_id, col(FormVersion.uploaded_at).desc())))


def find_published(session: Session, county_code: str, form_id: str, version: str) -> FormVersion | None:
    return session.exec(select(FormVersion).where(
        FormVersion.county_code == county_code, FormVersion.form_id == form_id,
        FormVersion.version == version, FormVersion.status == FormStatus.published)).first()


def latest_published(session: Session, county_code: str, form_id: str) -> FormVersion | None:
    return session.exec(select(FormVersion).where(
        FormVersion.county_code == county_code, FormVersion.form_id == form_id,
        FormVersion.status == FormStatus.published)
        .order_by(col(FormVersion.published_at).desc(), col(FormVersion.id).desc())).first()


def county_of(area_code: str) -> str:
    return area_code[:6]


BUNDLED_FORMS = Path(__file__).resolve().parent.parent.parent / "survey_forms"


def install_bundled(*, session: Session, actor: Actor, county_code: str, path: Path) -> FormVersion:
    """Upload and publish a form file shipped in survey_forms/ (used for the demo county)."""
    form = definitions.load_file(path)
    existing = find_published(session, county_code, form.form_id, form.version)
    if existing is not None:
        return existing
    row = upload(session=session, actor=actor, county_code=county_code, form=form)
    publish(session=session, actor=actor, row=row)
    return row
