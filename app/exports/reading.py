"""Reading a batch's people: version ids from the app's database, the versions themselves from
the registry (which may be another database), a chunk of ids at a time, through the drivers'
own cursors: a million rows through SQLAlchemy's rows and the standard JSON decoder cost more
than all the rest of an export."""
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import orjson
from psycopg.types.json import set_json_loads
from sqlalchemy import Connection

from app.exports.columns import Person

CHUNK_IDS = 2000
VERSION_FIELDS = "id, submission_id, revision, village_code, data"


class ExportMismatch(RuntimeError):
    """The bytes rendered now differ from the SHA-256 recorded when the batch was made."""


def fetcher(connection: Connection) -> Callable[[list[int]], list[Person]]:
    """Read registry versions by id, in id order."""
    cursor = connection.connection.driver_connection.cursor()
    if connection.dialect.name == "postgresql":
        set_json_loads(orjson.loads, cursor)  # psycopg hands the JSON over as bytes

        def fetch(ids: list[int]) -> list[Person]:
            cursor.execute(f"SELECT {VERSION_FIELDS} FROM registry_person_version "
                           "WHERE id = ANY(%s::bigint[]) ORDER BY id", (ids,))
            return cursor.fetchall()
        return fetch

    def fetch_sqlite(ids: list[int]) -> list[Person]:
        cursor.execute(f"SELECT {VERSION_FIELDS} FROM registry_person_version "
                       f"WHERE id IN ({','.join('?' * len(ids))}) ORDER BY id", ids)
        return [(id_, submission, revision, village, orjson.loads(data))
                for id_, submission, revision, village, data in cursor.fetchall()]
    return fetch_sqlite


def complete(found: list[Person], ids: list[int], batch_id: int) -> list[Person]:
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


def read_ahead(chunks: Iterator[list[Person]]) -> Iterator[list[Person]]:
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
