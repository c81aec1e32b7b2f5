"""The registry push worker: drains registry_outbox into the registry database.

Exactly once in effect:
- A worker claims work with one atomic UPDATE that sets a lease (claimed_by, claimed_until) on
  rows nobody holds, so two workers (threads, processes, hosts) never hold the same row; this
  works on SQLite and PostgreSQL alike. The claim takes whole submission revisions, so one
  worker pushes all members of a household together and writes its one audit event.
- The registry write is idempotent (store.apply), and a row is marked done only after the
  registry committed, by the worker that still holds its lease. A worker that dies, or whose
  lease ran out, leaves rows that another worker pushes again: the replay changes nothing.
- If the registry cannot be reached, the claimed rows record the error and back off
  (min(2^attempts s, 10 min), with jitter); approvals go on filling the outbox meanwhile.
"""
import logging
import os
import random
import socket
import threading
import uuid
from collections.abc import Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import tuple_, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlmodel import Session, and_, col, or_, select

from app.audit import service as audit
from app.audit.service import Actor
from app.clock import utcnow
from app.db import WRITE_OPTION
from app.registry import store
from app.registry.models import RegistryOutbox
from app.registry.service import scrub

log = logging.getLogger("canbao.registry")
WORKER_ACTOR = Actor(username="registry-worker")
LEASE = timedelta(minutes=5)
CLAIM_ROWS = 200
MAX_BACKOFF_SECONDS = 600


def backoff(attempts: int) -> timedelta:
    """The wait after the n-th failed attempt: 2^n seconds up to 10 minutes, jittered down by up
    to half so that many rows (and workers) do not all retry in the same second."""
    ceiling = min(2 ** attempts, MAX_BACKOFF_SECONDS)
    return timedelta(seconds=random.uniform(ceiling / 2, ceiling))


def new_worker_id() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass
class DrainResult:
    people: int = 0  # pushed now
    households: int = 0
    failed: int = 0  # households whose push failed now and wait for their next attempt
    error: str | None = None  # the last failure, scrubbed


def _write_session(engine: Engine) -> Session:
    session = Session(engine)
    session.connection(execution_options={WRITE_OPTION: True})
    return session


def claim(app_engine: Engine, worker_id: str, *, due_only: bool, now: datetime,
          started: datetime) -> list[RegistryOutbox]:
    """Lease up to about CLAIM_ROWS pending rows, whole submission revisions at a time.

    due_only=False (an operator's one-off run) also takes rows still waiting out a backoff,
    except those that failed since `started`, so that one run tries each household once.
    On PostgreSQL a concurrent claim of the same rows waits for this one's row locks, then finds
    them leased and leaves them."""
    rows = RegistryOutbox
    free = and_(col(rows.done_at).is_(None),
                or_(col(rows.claimed_until).is_(None), col(rows.claimed_until) < now))
    if due_only:
        wanted = and_(free, col(rows.next_attempt_at) <= now)
    else:
        wanted = and_(free, or_(col(rows.last_error_at).is_(None), col(rows.last_error_at) < started))
    revisions = select(rows.submission_id, rows.revision).where(wanted) \
        .order_by(col(rows.id)).limit(CLAIM_ROWS)
    with _write_session(app_engine) as session:
        session.exec(update(rows).where(free, tuple_(rows.submission_id, rows.revision).in_(revisions))
                     .values(claimed_by=worker_id, claimed_until=now + LEASE))
        session.commit()
        claimed = session.exec(select(rows).where(rows.claimed_by == worker_id,
                                                  col(rows.done_at).is_(None))
                               .order_by(col(rows.id))).all()
        session.expunge_all()
    return list(claimed)


def _finish(app_engine: Engine, worker_id: str, group: list[RegistryOutbox]) -> bool:
    """Mark a pushed household done and audit it, if this worker still holds its lease."""
    first = group[0]
    with _write_session(app_engine) as session:
        marked = session.exec(update(RegistryOutbox).where(
            RegistryOutbox.submission_id == first.submission_id,
            RegistryOutbox.revision == first.revision,
            RegistryOutbox.claimed_by == worker_id, col(RegistryOutbox.done_at).is_(None),
        ).values(done_at=utcnow(), claimed_by=None, claimed_until=None)).rowcount
        if marked:
            audit.record(session, WORKER_ACTOR, "submission.pushed", object_type="submission",
                         object_id=first.submission_id,
                         detail={"revision": first.revision, "people": len(group),
                                 "village_code": first.village_code})
        session.commit()
    return bool(marked)


def _fail(app_engine: Engine, worker_id: str, groups: list[list[RegistryOutbox]], error: str,
          now: datetime) -> None:
    """Record the error on the households' rows, give them back, and schedule their retry."""
    with _write_session(app_engine) as session:
        for group in groups:
            first = group[0]
            attempts = first.attempts + 1
            session.exec(update(RegistryOutbox).where(
                RegistryOutbox.submission_id == first.submission_id,
                RegistryOutbox.revision == first.revision,
                RegistryOutbox.claimed_by == worker_id, col(RegistryOutbox.done_at).is_(None),
            ).values(attempts=attempts, last_error=error, last_error_at=now,
                     next_attempt_at=now + backoff(attempts), claimed_by=None, claimed_until=None))
        session.commit()


def _describe(error: BaseException) -> str:
    # The driver's first line says what happened ("database … does not exist"); the rest is
    # SQLAlchemy's help link and the statement.
    original = getattr(error, "orig", None) or error
    first_line = (str(original).strip().splitlines() or [""])[0]
    return scrub(f"{type(original).__name__}: {first_line}")


def drain(app_engine: Engine, registry_engine: Engine, *, due_only: bool = True,
          worker_id: str | None = None, stop: Callable[[], bool] = lambda: False) -> DrainResult:
    """Push until nothing is left to claim, the registry is unreachable, or stop() says so.
    A household the registry refuses (anything but a connection or operational error) waits
    for its own retry while the others go on."""
    worker_id = worker_id or new_worker_id()
    result, started = DrainResult(), utcnow()
    while not stop():
        now = utcnow()
        claimed = claim(app_engine, worker_id, due_only=due_only, now=now, started=started)
        if not claimed:
            break
        groups: dict[tuple[str, int], list[RegistryOutbox]] = {}
        for row in claimed:  # ids of concurrent approvals interleave: group by key, not by run
            groups.setdefault((row.submission_id, row.revision), []).append(row)
        pending = list(groups.values())
        try:
            store.ensure_schema(registry_engine, app_engine)
        except Exception as error:
            return _stop(app_engine, worker_id, result, pending, error)
        for index, group in enumerate(pending):
            try:
                with store.write_connection(registry_engine) as connection:
                    pushed_at = utcnow()
                    # One lock order for everybody: two workers pushing households that share
                    # people cannot deadlock on the person rows.
                    for row in sorted(group, key=lambda row: (row.id_number, row.id)):
                        store.apply(connection, row, pushed_at)
            except (OperationalError, InterfaceError) as error:
                return _stop(app_engine, worker_id, result, pending[index:], error)
            except Exception as error:
                result.error = _describe(error)
                result.failed += 1
                _fail(app_engine, worker_id, [group], result.error, utcnow())
                log.warning("registry refused submission %s: %s", group[0].submission_id, result.error)
                continue
            if _finish(app_engine, worker_id, group):
                result.people += len(group)
                result.households += 1
    return result


def _stop(app_engine: Engine, worker_id: str, result: DrainResult,
          groups: list[list[RegistryOutbox]], error: BaseException) -> DrainResult:
    """The registry cannot be reached: every household still held waits for its retry."""
    result.error = _describe(error)
    result.failed += len(groups)
    _fail(app_engine, worker_id, groups, result.error, utcnow())
    log.warning("registry unreachable: %s", result.error)
    return result


class BackgroundWorker:
    """The worker as a daemon thread of the server process: drains, then sleeps for the poll
    interval, or for a growing backoff while the registry is unreachable."""

    def __init__(self, app_engine: Engine, registry_engine: Engine, poll_seconds: float):
        self.app_engine = app_engine
        self.registry_engine = registry_engine
        self.poll_seconds = poll_seconds
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="registry-worker", daemon=True)

    def start(self) -> "BackgroundWorker":
        self._thread.start()
        return self

    def stop(self, timeout: float = 30) -> None:
        self._stopping.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        failures = 0
        worker_id = new_worker_id()
        while not self._stopping.is_set():
            try:
                result = drain(self.app_engine, self.registry_engine, worker_id=worker_id,
                               stop=self._stopping.is_set)
                failed = result.error is not None
            except Exception:  # the app's own database failed: log it and try again later
                log.exception("registry worker failed")
                failed = True
            failures = failures + 1 if failed else 0
            wait = backoff(failures).total_seconds() if failures else self.poll_seconds
            self._stopping.wait(wait)


@asynccontextmanager
async def lifespan(app):
    """The server's lifespan: a background worker when settings.registry_worker is on."""
    settings = app.state.settings
    worker = None
    if settings.registry_worker:
        worker = BackgroundWorker(app.state.engine, app.state.registry_engine,
                                  settings.registry_poll_seconds).start()
    yield
    if worker is not None:
        worker.stop()
