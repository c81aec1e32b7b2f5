"""Engine construction and the per-request session (one transaction per request)."""
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, create_engine


def make_engine(url: str, *, create_folder: bool = True) -> Engine:
    """An engine for `url`. create_folder=False leaves a missing SQLite folder missing, so a
    database that is not there (an unmounted registry volume) fails to connect instead."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if create_folder and parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    return create_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # Python's sqlite3 driver opens a transaction only before a data change, so a SAVEPOINT
    # taken first would stand alone and its RELEASE would commit for good. SQLAlchemy then
    # emits BEGIN itself (_sqlite_begin): savepoints nest and a rollback undoes everything.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # WAL lets the review pages read while a sync push writes; foreign keys are off by default.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


WRITE_OPTION = "canbao_write"
# For an observer only (the tests' view of the database): every statement runs on its own,
# so each read sees the latest commit instead of the snapshot a transaction would keep.
OBSERVER_OPTION = "canbao_observer"


def _sqlite_begin(connection) -> None:
    # A request that writes takes SQLite's write lock at once (waiting up to the busy timeout)
    # rather than reading first and failing to upgrade a stale snapshot; reads stay deferred
    # and, under WAL, never wait for a writer.
    options = connection.get_execution_options()
    if options.get(OBSERVER_OPTION):
        return
    connection.exec_driver_sql("BEGIN IMMEDIATE" if options.get(WRITE_OPTION) else "BEGIN")


def get_db(request: Request) -> Iterator[Session]:
    """Yield the request's session; commit once when the view returns, roll back if it raises.

    Declared with scope="function" below so the commit happens before the response is sent:
    a client never sees success for a write that did not commit.
    """
    with Session(request.app.state.engine) as session:
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            session.connection(execution_options={WRITE_OPTION: True})
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


Db = Annotated[Session, Depends(get_db, scope="function")]
