"""Making export batches and streaming them.

A batch holds the current registry version of every person in its scope (a county, or one
township) that no earlier batch holds, which is what "everything verified since the last
batch" means. The batch tables live in the app's database (so a batch, its items and its audit
event commit together) while the people are read from the registry, which may be another
database: items are matched to registry rows in chunks by id, never by a cross-database join.
"""
import hashlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import BinaryIO

from sqlalchemy import Connection, insert
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, func, select

from app.areas.models import Area, AreaLevel
from app.areas.service import code_under
from app.audit import service as audit
from app.audit.service import Actor
from app.errors import ApiError
from app.exports import render
from app.exports.columns import LabelBook, json_lines, table_rows
from app.exports.models import ExportBatch, ExportBatchFile, ExportBatchItem
from app.exports.reading import (CHUNK_IDS, ExportMismatch, Stored, complete, decoded, fetcher, item_ids,
                                 read_ahead)
from app.i18n import N_
from app.registry.models import RegistryPerson, RegistryPersonVersion

FORMATS = ("csv", "xlsx", "jsonl")
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8",
               "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
               "jsonl": "application/jsonl; charset=utf-8"}
PROGRESS_EVERY = 100_000
Progress = Callable[[str, int], None]

PERSON = RegistryPerson.__table__
VERSION = RegistryPersonVersion.__table__
ITEM = ExportBatchItem.__table__


def registry_unavailable() -> ApiError:
    return ApiError(503, "registry_unavailable",
                    N_("The registry database cannot be reached. Please try again later."))


@dataclass(frozen=True)
class BatchInfo:
    """A batch and its files, detached from any session (downloads stream after the request's
    transaction has ended)."""

    batch: ExportBatch
    files: dict[str, ExportBatchFile]

    @property
    def count(self) -> int:
        return next(iter(self.files.values())).row_count

    def manifest(self) -> dict:
        batch = self.batch
        return {"id": batch.id, "batch": batch.number, "county_code": batch.county_code,
                "township_code": batch.township_code,
                "scope": batch.township_code or batch.county_code,
                "created_at": batch.created_at.isoformat(), "created_by": batch.created_by_name,
                "count": self.count,
                "files": [{"format": name, "name": self.files[name].file_name,
                           "sha256": self.files[name].sha256, "bytes": self.files[name].byte_size}
                          for name in FORMATS if name in self.files]}


def file_name(batch: ExportBatch, fmt: str) -> str:
    scope = f"-{batch.township_code}" if batch.township_code else ""
    return f"canbao-{batch.county_code}-batch-{batch.number:04d}{scope}.{fmt}"


def check_scope(session: Session, county_code: str, township_code: str | None) -> None:
    """The township, when given, must be a township of the county."""
    if township_code is None:
        return
    area = session.get(Area, township_code)
    if area is None or area.level != AreaLevel.township or area.parent_code != county_code:
        raise ApiError(422, "township_invalid", N_("Choose a township of your county."))


def create_batch(*, session: Session, app_engine: Engine, registry_engine: Engine, actor: Actor,
                 county_code: str, township_code: str | None = None,
                 progress: Progress | None = None, copy_to: tuple[str, BinaryIO] | None = None) -> BatchInfo:
    """Make the county's next batch. Raises ApiError 409 `nothing_to_export` rather than make an
    empty one; the caller rolls back whatever was flushed (a savepoint in the views).

    The people are read once: each chunk becomes batch items and is rendered in all three
    formats, whose SHA-256 is all that is kept. `copy_to` (format, file) keeps one of them too,
    so that the command line need not render the new batch a second time."""
    check_scope(session, county_code, township_code)
    # One batch at a time per county, so numbers and "since the last batch" cannot race
    # (PostgreSQL row lock; SQLite writers are serialised anyway).
    if session.exec(select(Area).where(Area.code == county_code).with_for_update()).first() is None:
        raise ApiError(404, "not_found", N_("Not found."))
    last = session.exec(select(func.max(ExportBatch.number))
                        .where(ExportBatch.county_code == county_code)).one()
    batch = ExportBatch(county_code=county_code, number=(last or 0) + 1, township_code=township_code,
                        created_by_id=actor.user_id, created_by_name=actor.username)
    session.add(batch)
    session.flush()
    digests = {fmt: hashlib.sha256() for fmt in FORMATS}
    sizes = dict.fromkeys(FORMATS, 0)

    def keep(fmt: str, data: bytes) -> None:
        digests[fmt].update(data)
        sizes[fmt] += len(data)
        if copy_to and copy_to[0] == fmt:
            copy_to[1].write(data)

    labels, count = LabelBook(app_engine), 0
    with _writers(FORMATS, batch) as writers:
        scope = township_code or county_code
        for chunk in decoded(read_ahead(_new_people(session, registry_engine, batch, scope))):
            tables = table_rows(chunk, labels)
            keep("csv", writers["csv"].add(tables))
            keep("xlsx", writers["xlsx"].add(tables))
            keep("jsonl", writers["jsonl"].add(json_lines(chunk)))
            count = _advance(count, len(chunk), "batch", progress)
        if not count:
            raise ApiError(409, "nothing_to_export",
                           N_("Nothing has been verified since the last batch, so there is nothing to export."))
        for fmt in FORMATS:
            for data in writers[fmt].finish():
                keep(fmt, data)
    files = {fmt: ExportBatchFile(batch_id=batch.id, format=fmt, file_name=file_name(batch, fmt),
                                  sha256=digests[fmt].hexdigest(), byte_size=sizes[fmt], row_count=count)
             for fmt in FORMATS}
    session.add_all(files.values())
    audit.record(session, actor, "export.created", object_type="export_batch", object_id=batch.id,
                 detail={"county_code": county_code, "number": batch.number,
                         "township_code": township_code, "count": count,
                         "sha256": {fmt: row.sha256 for fmt, row in files.items()}})
    session.flush()
    return BatchInfo(batch, files)


def _new_people(session: Session, registry_engine: Engine, batch: ExportBatch,
                prefix: str) -> Iterator[list[Stored]]:
    """The current version of every person under `prefix` that no batch holds yet, in version
    order, a chunk at a time; each chunk is added to the batch's items before it is handed on."""
    current = select(PERSON.c.current_version_id).where(code_under(PERSON.c.village_code, prefix)) \
        .order_by(PERSON.c.current_version_id)
    app = session.connection()
    with _registry(registry_engine) as connection:
        try:
            result = connection.execution_options(yield_per=CHUNK_IDS).execute(current)
        except SQLAlchemyError as error:  # a separate registry whose tables are not made yet
            raise registry_unavailable() from error
        fetch = fetcher(connection)
        for chunk in result.scalars().partitions():
            # Chunks come in id order, so each range is looked at once.
            taken = set(app.execute(select(ITEM.c.person_version_id).where(
                ITEM.c.person_version_id.between(chunk[0], chunk[-1]))).scalars())
            new = [version_id for version_id in chunk if version_id not in taken]
            if new:
                _insert_items(app, batch.id, new)
                yield complete(fetch(new), new, batch.id)


def _insert_items(app: Connection, batch_id: int, version_ids: list[int]) -> None:
    if app.dialect.name == "postgresql":
        # COPY: a multi-row INSERT of 2,000 placeholders costs psycopg more to parse than to send.
        with app.connection.driver_connection.cursor() as cursor, \
                cursor.copy("COPY export_batch_item (batch_id, person_version_id) FROM STDIN") as copy:
            for version_id in version_ids:
                copy.write_row((batch_id, version_id))
    else:
        app.execute(insert(ITEM), [{"batch_id": batch_id, "person_version_id": version_id}
                                   for version_id in version_ids])


@contextmanager
def _registry(registry_engine: Engine) -> Iterator[Connection]:
    try:
        connection = registry_engine.connect()
    except SQLAlchemyError as error:
        raise registry_unavailable() from error
    with connection:
        yield connection


def probe(registry_engine: Engine) -> None:
    """Raise 503 `registry_unavailable` now, rather than break off a download that started."""
    with _registry(registry_engine) as connection:
        try:
            connection.execute(select(VERSION.c.id).limit(1)).all()
        except SQLAlchemyError as error:
            raise registry_unavailable() from error


def people(session: Session, registry_engine: Engine, batch_id: int) -> Iterator[list[Stored]]:
    """The batch's people in version order, in chunks read from both databases, undecoded."""
    with _registry(registry_engine) as connection:
        fetch = fetcher(connection)
        for chunk in item_ids(session.connection(), batch_id):
            yield complete(fetch(chunk), chunk, batch_id)


@contextmanager
def _writers(formats: Iterable[str], batch: ExportBatch) -> Iterator[dict]:
    writers = {fmt: render.XlsxFile(batch.created_at) if fmt == "xlsx"
               else render.JsonLinesFile() if fmt == "jsonl" else render.CsvFile() for fmt in formats}
    try:
        yield writers
    finally:
        if "xlsx" in writers:
            writers["xlsx"].close()


def render_batch(session: Session, app_engine: Engine, registry_engine: Engine,
                 batch: ExportBatch, fmt: str, progress: Progress | None = None) -> Iterator[bytes]:
    labels, count = LabelBook(app_engine), 0
    with _writers([fmt], batch) as writers:
        writer = writers[fmt]
        for chunk in decoded(read_ahead(people(session, registry_engine, batch.id))):
            data = writer.add(json_lines(chunk) if fmt == "jsonl" else table_rows(chunk, labels))
            if data:
                yield data
            count = _advance(count, len(chunk), fmt, progress)
        yield from writer.finish()


def _advance(count: int, more: int, what: str, progress: Progress | None) -> int:
    """Report every PROGRESS_EVERY people."""
    if progress and (count + more) // PROGRESS_EVERY > count // PROGRESS_EVERY:
        progress(what, (count + more) // PROGRESS_EVERY * PROGRESS_EVERY)
    return count + more


def stream(app_engine: Engine, registry_engine: Engine, info: BatchInfo, fmt: str,
           progress: Progress | None = None) -> Iterator[bytes]:
    """Render a batch again for a download, checking the bytes against the recorded SHA-256 as
    they go. A mismatch raises at the end, so the download breaks off instead of completing
    with different content."""
    expected = info.files[fmt].sha256
    digest = hashlib.sha256()
    with Session(app_engine) as session:
        for chunk in render_batch(session, app_engine, registry_engine, info.batch, fmt, progress):
            digest.update(chunk)
            yield chunk
    if digest.hexdigest() != expected:
        raise ExportMismatch(f"batch {info.batch.id} {fmt}: rendered {digest.hexdigest()}, recorded {expected}")


def get(session: Session, batch_id: int) -> BatchInfo | None:
    batch = session.get(ExportBatch, batch_id)
    return _with_files(session, [batch])[0] if batch else None


def by_number(session: Session, county_code: str, number: int) -> BatchInfo | None:
    batch = session.exec(select(ExportBatch).where(ExportBatch.county_code == county_code,
                                                   ExportBatch.number == number)).first()
    return _with_files(session, [batch])[0] if batch else None


def batches(session: Session, county_codes: list[str]) -> list[BatchInfo]:
    """The counties' batches, newest first."""
    rows = session.exec(select(ExportBatch).where(col(ExportBatch.county_code).in_(county_codes))
                        .order_by(col(ExportBatch.created_at).desc(), col(ExportBatch.id).desc())).all()
    return _with_files(session, list(rows))


def _with_files(session: Session, rows: list[ExportBatch]) -> list[BatchInfo]:
    files: dict[int, dict[str, ExportBatchFile]] = {row.id: {} for row in rows}
    for item in session.exec(select(ExportBatchFile).where(col(ExportBatchFile.batch_id).in_(list(files)))):
        files[item.batch_id][item.format] = item
    for row in rows:
        session.expunge(row)
    for group in files.values():
        for item in group.values():
            session.expunge(item)
    return [BatchInfo(row, files[row.id]) for row in rows]


def record_download(session: Session, actor: Actor, info: BatchInfo, fmt: str) -> None:
    audit.record(session, actor, "export.downloaded", object_type="export_batch",
                 object_id=info.batch.id,
                 detail={"county_code": info.batch.county_code, "number": info.batch.number,
                         "format": fmt, "sha256": info.files[fmt].sha256})
