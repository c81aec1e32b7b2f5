"""The registry database: its engine, its tables, and the idempotent write of one person.

The registry is the app's own database unless CANBAO_REGISTRY_DATABASE_URL names another. Alembic
manages only the app's database, so a separate registry gets its two tables from
ensure_schema(): `canbao registry-init`, or the worker's first connection to it. That is a
CREATE TABLE IF NOT EXISTS, safe to repeat and safe for two processes at once.
"""
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import Connection, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from app.config import Settings
from app.db import WRITE_OPTION, make_engine
from app.registry.models import REGISTRY_TABLES, RegistryOutbox, RegistryPerson, RegistryPersonVersion

VERSION = RegistryPersonVersion.__table__
PERSON = RegistryPerson.__table__
# Any constant: PostgreSQL advisory lock taken while creating the tables.
_SCHEMA_LOCK_KEY = 7_351_524
_schema_lock = threading.Lock()
_schema_ready: weakref.WeakSet = weakref.WeakSet()


def make_registry_engine(settings: Settings, app_engine: Engine) -> Engine:
    """The app's engine when the registry shares its database. A separate SQLite registry's
    folder is never created here: a missing folder is an unreachable registry."""
    if not settings.registry_database_url:
        return app_engine
    return make_engine(settings.registry_database_url, create_folder=False)


@contextmanager
def write_connection(engine: Engine) -> Iterator[Connection]:
    """One write transaction (SQLite: BEGIN IMMEDIATE, see app/db.py)."""
    with engine.connect() as connection:
        connection.execution_options(**{WRITE_OPTION: True})
        with connection.begin():
            yield connection


def ensure_schema(engine: Engine, app_engine: Engine) -> None:
    """Create the registry tables in a separate registry database if they are missing."""
    if engine is app_engine or engine in _schema_ready:
        return
    with _schema_lock:
        if engine in _schema_ready:
            return
        with write_connection(engine) as connection:
            if connection.dialect.name == "postgresql":
                # Two processes creating the same table at once: the second would fail.
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SCHEMA_LOCK_KEY})
            SQLModel.metadata.create_all(connection, tables=REGISTRY_TABLES)
        _schema_ready.add(engine)


def _insert(connection: Connection):
    return (postgresql if connection.dialect.name == "postgresql" else sqlite).insert


def apply(connection: Connection, row: RegistryOutbox, pushed_at: datetime) -> None:
    """Write one approved member into the registry. Idempotent: a replay finds its version by
    the source key and inserts nothing, and the person row moves only to a version that ranks
    higher (a later approval), so pushing in any order ends in the same state."""
    insert = _insert(connection)
    connection.execute(insert(VERSION).values(
        id_number=row.id_number, submission_id=row.submission_id, revision=row.revision,
        member_index=row.member_index, order_key=row.id, village_code=row.village_code,
        data=row.data, approved_at=row.created_at, pushed_at=pushed_at,
    ).on_conflict_do_nothing(index_elements=["submission_id", "revision", "member_index"]))
    version_id = connection.execute(select(VERSION.c.id).where(
        VERSION.c.submission_id == row.submission_id, VERSION.c.revision == row.revision,
        VERSION.c.member_index == row.member_index)).scalar_one()
    upsert = insert(PERSON).values(id_number=row.id_number, current_version_id=version_id,
                                   order_key=row.id, village_code=row.village_code,
                                   updated_at=pushed_at)
    connection.execute(upsert.on_conflict_do_update(
        index_elements=["id_number"],
        set_={"current_version_id": upsert.excluded.current_version_id,
              "order_key": upsert.excluded.order_key,
              "village_code": upsert.excluded.village_code,
              "updated_at": upsert.excluded.updated_at},
        where=PERSON.c.order_key < upsert.excluded.order_key))
