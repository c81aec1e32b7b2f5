"""Reading a batch's people: version ids from the app's database, the versions themselves from
the registry (which may be another database), a chunk of ids at a time, through the drivers'
own cursors: a million rows through SQLAlchemy's rows and the standard JSON decoder cost more
than all the rest of an export.

The stored JSON text is decoded by `decoded`, PART people at a time, just before they are
rendered: the decoded people are then still in the processor's cache when they are turned into
rows. Decoding a whole chunk first and rendering it after made decoding and rendering take half
as long again, as the people had to be read back from memory."""
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import orjson
from psycopg.types.string import ByteaBinaryLoader
from sqlalchemy import Connection

from app.exports.columns import Person

CHUNK_IDS = 2000
PART = 100
VERSION_FIELDS = "id, submission_id, revision, village_code, data"

# A registry version as read, its data the JSON text stored.
Stored = tuple[int, str, int, str, bytes | str]


class ExportMismatch(RuntimeError):
    """The bytes rendered now differ from the SHA-256 recorded when the batch was made."""


def fetcher(connection: Connection) -> Callable[[list[int]], list[Stored]]:
    """Read registry versions by id, in id order, their data undecoded."""
    cursor = connection.connection.driver_connection.cursor()
    if connection.dialect.name == "postgresql":
        # The binary form of json is its text, in UTF-8: read as bytes, it reaches orjson without
        # becoming a str first (data::json, should the column ever be jsonb).
        cursor.adapters.register_loader("json", ByteaBinaryLoader)

        def fetch(ids: list[int]) -> list[Stored]:
            cursor.execute(f"SELECT {VERSION_FIELDS}::json FROM registry_person_version "
                           "WHERE id = ANY(%s::bigint[]) ORDER BY id", (ids,), binary=True)
            return cursor.fetchall()
        return fetch

    def fetch_sqlite(ids: list[int]) -> list[Stored]:
        cursor.execute(f"SELECT {VERSION_FIELDS} FROM registry_person_version "
                       f"WHERE id IN ({','.join('?' * len(ids))}) ORDER BY id", ids)
        return cursor.fetchall()
    return fetch_sqlite


def complete(found: list[Stored], ids: list[int], batch_id: int) -> list[Stored]:
    if len(found) != len(ids):
        raise ExportMismatch(f"batch {batch_id}: registry versions are missing")
    return found


def item_ids(app: Connection, batch_id: int) -> Iterator[list[int]]:
    """The batch's version ids in order, CHUNK_IDS at a time, through the driver's cursor (a
    server-side one on PostgreSQL)."""
    query = "SELECT person_version_id FROM export_batch_item WHERE batch_id = %s ORDER BY person_version_id"
    driver = app.connection.driver_connection
    if app.dialect.name == "postgresql":
        cursor = driver.cursor(name=f"export_batch_{batch_id}")
    else:
        cursor, query = driver.cursor(), query.replace("%s", "?")
    try:
        cursor.execute(query, (batch_id,))
        while rows := cursor.fetchmany(CHUNK_IDS):
            yield [version_id for version_id, in rows]
    finally:
        cursor.close()


def read_ahead(chunks: Iterator[list[Stored]]) -> Iterator[list[Stored]]:
    """The chunks of `chunks`, the next one read by a second thread while this one is rendered:
    the databases look rows up and send them meanwhile (the driver lets go of the GIL while it
    waits), instead of in turns with the rendering."""
    try:
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="export-read") as reader:
            coming = reader.submit(next, chunks, None)
            while (chunk := coming.result()) is not None:
                coming = reader.submit(next, chunks, None)
                yield chunk
    finally:
        chunks.close()


def decoded(chunks: Iterator[list[Stored]]) -> Iterator[list[Person]]:
    """The people of `chunks`, their data decoded, PART at a time."""
    loads = orjson.loads
    try:
        for chunk in chunks:
            for start in range(0, len(chunk), PART):
                yield [(id_, submission_id, revision, village_code, loads(data))
                       for id_, submission_id, revision, village_code, data in chunk[start:start + PART]]
    finally:
        chunks.close()
