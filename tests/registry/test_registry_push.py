"""The registry push: approvals queue people in the app's database, the worker pushes each
exactly once in effect, also when the registry was down and two workers drain at once."""
import threading
from datetime import timedelta

import pytest
from sqlmodel import func, select
from sqlmodel import Session, col

from app.audit.models import AuditEvent
from app.clock import utcnow
from app.registry import service as registry
from app.registry import store, worker
from app.registry.models import RegistryOutbox, RegistryPerson, RegistryPersonVersion
from app.submissions.models import Submission
from registry_support import approve, family, id_number, resubmit, submit, write_session
from support import login

PEOPLE = [id_number(1), id_number(2, "19920202"), id_number(3, "20160901")]


def _registry(app) -> dict:
    """What the registry holds: each person's current (submission, revision) and all versions."""
    with app.state.registry_engine.connect() as connection:
        person, version = RegistryPerson.__table__, RegistryPersonVersion.__table__
        current = dict(connection.execute(
            select(person.c.id_number, version.c.revision)
            .join(version, version.c.id == person.c.current_version_id)).all())
        versions = sorted(connection.execute(
            select(version.c.id_number, version.c.revision, version.c.member_index)).all())
    return {"current": current, "versions": versions}


def _pushed_events(db, submission_id) -> list[int]:
    return sorted(detail["revision"] for detail in db.exec(
        select(AuditEvent.detail).where(AuditEvent.action == "submission.pushed",
                                        AuditEvent.object_id == submission_id)))


def test_pushed_exactly_once_after_the_registry_comes_back(app, db, separate_registry):
    engine, registry_engine = app.state.engine, app.state.registry_engine
    household = submit(engine, family(ids=PEOPLE))
    assert approve(engine, household) == 3
    # The household comes back corrected (a new employer) and is approved again.
    resubmit(engine, household, family(ids=PEOPLE, employer="示例茶叶合作社"))
    assert approve(engine, household) == 3

    assert db.get(Submission, household).state == "approved"
    assert db.exec(select(func.count()).select_from(RegistryOutbox)).one() == 6

    failed = worker.drain(engine, registry_engine, due_only=False)
    assert failed.people == 0 and failed.failed == 2 and failed.error
    rows = db.exec(select(RegistryOutbox)).all()
    assert {(row.attempts, row.done_at, row.claimed_by) for row in rows} == {(1, None, None)}
    assert all(row.next_attempt_at > utcnow() for row in rows)
    assert all(row.last_error == failed.error for row in rows)
    # The background worker respects the backoff: nothing is due yet.
    assert worker.drain(engine, registry_engine).failed == 0

    separate_registry.make_reachable()
    results, start = [], threading.Barrier(2)

    def run():
        start.wait()
        results.append(worker.drain(engine, registry_engine, due_only=False))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert [result.error for result in results] == [None, None]
    assert sum(result.people for result in results) == 6
    assert sum(result.households for result in results) == 2

    assert _registry(app) == {
        "current": {number: 2 for number in PEOPLE},
        "versions": sorted((number, revision, index) for revision in (1, 2)
                           for index, number in enumerate(PEOPLE)),
    }
    assert _pushed_events(db, household) == [1, 2]
    db.expire_all()
    assert all(row.done_at is not None for row in db.exec(select(RegistryOutbox)).all())
    # Nothing is left, and a replay of every row writes nothing new.
    assert worker.drain(engine, registry_engine, due_only=False).people == 0
    with store.write_connection(registry_engine) as connection:
        for row in db.exec(select(RegistryOutbox)).all():
            store.apply(connection, row, utcnow())
    assert len(_registry(app)["versions"]) == 6


def test_two_workers_share_a_backlog_without_pushing_anything_twice(app, db, separate_registry,
                                                                    monkeypatch):
    separate_registry.make_reachable()
    engine = app.state.engine
    monkeypatch.setattr(worker, "CLAIM_ROWS", 4)  # many small claims, so the workers interleave
    households = []
    for serial in range(12):
        # Every household shares its second person with the next one: shared person rows.
        ids = [id_number(100 + serial), id_number(200 + serial), id_number(201 + serial)]
        households.append(submit(engine, family(ids=ids)))
        approve(engine, households[-1])
    results, start = [], threading.Barrier(2)

    def run():
        start.wait()
        results.append(worker.drain(engine, app.state.registry_engine, due_only=False))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert [result.error for result in results] == [None, None]
    assert sum(result.households for result in results) == 12
    held = _registry(app)
    assert len(held["versions"]) == 36 and len(set(held["versions"])) == 36
    assert len(held["current"]) == 12 + 13
    events = db.exec(select(AuditEvent.object_id).where(AuditEvent.action == "submission.pushed")).all()
    assert sorted(events) == sorted(households)


def test_a_household_the_registry_refuses_waits_alone(app, db, separate_registry, monkeypatch):
    separate_registry.make_reachable()
    engine = app.state.engine
    refused = submit(engine, family(ids=PEOPLE))
    approve(engine, refused)
    accepted = submit(engine, family(ids=[id_number(7), id_number(8), id_number(9)]))
    approve(engine, accepted)
    apply = store.apply

    def picky(connection, row, pushed_at):
        if row.submission_id == refused:
            raise ValueError("value too long for type character varying(18)")
        apply(connection, row, pushed_at)

    monkeypatch.setattr(store, "apply", picky)
    result = worker.drain(engine, app.state.registry_engine, due_only=False)  # ends: tries each once
    assert (result.households, result.failed) == (1, 1)
    assert "ValueError" in result.error
    rows = {row.submission_id: row for row in db.exec(select(RegistryOutbox))}
    assert rows[accepted].done_at is not None
    assert (rows[refused].done_at, rows[refused].attempts) == (None, 1)
    assert rows[refused].next_attempt_at > utcnow()


def test_an_older_version_never_replaces_a_newer_one(app, db, separate_registry):
    separate_registry.make_reachable()
    engine = app.state.engine
    first = submit(engine, family(ids=PEOPLE, employer="旧单位"))
    approve(engine, first)
    second = submit(engine, family(ids=PEOPLE[:1], employer="新单位"))  # the same person, later
    approve(engine, second)
    store.ensure_schema(app.state.registry_engine, engine)
    rows = db.exec(select(RegistryOutbox).order_by(col(RegistryOutbox.id).desc())).all()
    with store.write_connection(app.state.registry_engine) as connection:
        for row in rows:  # newest first: the older approval arrives last
            store.apply(connection, row, utcnow())
    with app.state.registry_engine.connect() as connection:
        person, version = RegistryPerson.__table__, RegistryPersonVersion.__table__
        current = connection.execute(
            select(version.c.submission_id, version.c.data)
            .join(person, version.c.id == person.c.current_version_id)
            .where(person.c.id_number == PEOPLE[0])).one()
    assert current.submission_id == second and current.data["member"]["employer"] == "新单位"


def test_queueing_needs_an_approved_submission_and_happens_once(app, db):
    engine = app.state.engine
    household = submit(engine, family(ids=PEOPLE))
    with write_session(engine) as session:
        with pytest.raises(ValueError):
            registry.enqueue_approved(session, session.get(Submission, household))
    approve(engine, household)
    with write_session(engine) as session:
        assert registry.enqueue_approved(session, session.get(Submission, household)) == 0
        session.commit()
    outbox = db.exec(select(RegistryOutbox).order_by(col(RegistryOutbox.member_index))).all()
    assert [row.id_number for row in outbox] == PEOPLE
    assert outbox[1].data["household"]["village_code"] == "350524100001"
    assert outbox[1].data["member"]["hukou_type"] == "unified"


def test_backoff_doubles_up_to_ten_minutes_with_jitter():
    for attempts in range(1, 25):
        ceiling = min(2 ** attempts, 600)
        waits = {worker.backoff(attempts).total_seconds() for _ in range(20)}
        assert all(ceiling / 2 <= wait <= ceiling for wait in waits)
        assert len(waits) > 1


def test_the_admin_sees_the_backlog_and_the_last_error(app, client, separate_registry):
    engine = app.state.engine
    approve(engine, submit(engine, family(ids=PEOPLE)))
    worker.drain(engine, app.state.registry_engine, due_only=False)
    login(client, "admin")
    status = client.get("/api/v1/registry/status").json()
    assert status["pending"] == 3 and status["failing"] == 3 and status["done"] == 0
    assert status["registry_people"] is None
    assert status["oldest_pending_age_seconds"] >= 0 and status["last_error_at"]
    page = client.get("/admin/registry")
    assert page.status_code == 200 and 'data-testid="registry-unreachable"' in page.text
    assert status["last_error"] in page.text.replace("&#39;", "'").replace("&#34;", '"')

    separate_registry.make_reachable()
    worker.drain(engine, app.state.registry_engine, due_only=False)
    status = client.get("/api/v1/registry/status").json()
    assert (status["pending"], status["done"], status["registry_people"]) == (0, 3, 3)
    assert status["last_pushed_at"]


def test_only_admins_see_the_push(app, client):
    login(client, "supervisor")
    assert client.get("/api/v1/registry/status").status_code == 403
    assert client.get("/admin/registry").status_code == 403


def test_error_messages_mask_id_numbers():
    assert registry.scrub("Key (id_number)=(35052419900101001X) exists") == \
        "Key (id_number)=(350524********001X) exists"


def test_the_server_runs_the_worker_when_told(database_url, separate_registry):
    from fastapi.testclient import TestClient

    from app.main import create_app
    from support import make_settings

    separate_registry.make_reachable()
    application = create_app(make_settings(database_url, registry_database_url=separate_registry.url,
                                           registry_worker=True, registry_poll_seconds=0.05))
    try:
        with TestClient(application):
            approve(application.state.engine, submit(application.state.engine, family(ids=PEOPLE)))
            deadline = utcnow() + timedelta(seconds=20)
            with Session(application.state.engine) as session:
                while registry.status(session, None).done < 3 and utcnow() < deadline:
                    threading.Event().wait(0.05)
                    session.rollback()
                assert registry.status(session, None).done == 3
    finally:
        application.state.registry_engine.dispose()
        application.state.engine.dispose()


def test_batches_export_from_a_separate_registry(app, client, separate_registry):
    import hashlib

    from support import csrf

    separate_registry.make_reachable()
    engine = app.state.engine
    approve(engine, submit(engine, family(ids=PEOPLE)))
    assert worker.drain(engine, app.state.registry_engine).people == 3
    login(client, "admin")
    manifest = client.post("/api/v1/exports", json={}, headers={"X-CSRF-Token": csrf(client)}).json()
    assert manifest["count"] == 3
    for item in manifest["files"]:
        data = client.get(f"/api/v1/exports/{manifest['id']}/files/{item['format']}").content
        assert hashlib.sha256(data).hexdigest() == item["sha256"]
