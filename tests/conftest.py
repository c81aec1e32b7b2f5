"""Shared fixtures. Every database test runs on SQLite, and on PostgreSQL too when
TEST_DATABASE_URL names a server: each test gets its own copy of a migrated, demo-seeded
template database, so tests never see each other's rows."""
import os
import shutil
import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from app import demo
from app.accounts.secrets import Passwords
from app.cli import migrate
from app.config import Settings
from app.db import OBSERVER_OPTION, make_engine
from app.main import create_app
from support import DEMO_PASSWORD, make_settings

PG_URL = os.environ.get("TEST_DATABASE_URL", "")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


def _seed(url: str) -> None:
    migrate(url)
    settings = make_settings(url)
    engine = make_engine(url)
    with Session(engine) as session:
        demo.seed(session, Passwords(settings), DEMO_PASSWORD)
        session.commit()
    engine.dispose()


def _pg_admin():
    url = make_url(PG_URL).set(drivername="postgresql+psycopg")
    return create_engine(url, isolation_level="AUTOCOMMIT"), url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    _seed(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_template():
    admin, url = _pg_admin()
    name = f"canbao_tpl_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    _seed(url.set(database=name).render_as_string(hide_password=False))
    yield name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _fresh_database(backend: str, request, tmp_path: Path):
    """A migrated, demo-seeded database of its own; returns (url, cleanup)."""
    if backend == "sqlite":
        path = tmp_path / "canbao.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}", lambda: None
    template = request.getfixturevalue("pg_template")
    admin, url = _pg_admin()
    name = f"canbao_t_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))

    def cleanup():
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url.set(database=name).render_as_string(hide_password=False), cleanup


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path):
    url, cleanup = _fresh_database(request.param, request, tmp_path)
    yield url
    cleanup()


@pytest.fixture
def settings(database_url) -> Settings:
    return make_settings(database_url)


@pytest.fixture
def app(settings):
    application = create_app(settings)
    yield application
    application.state.engine.dispose()


@pytest.fixture
def db(app):
    """The test's own view of the database. It sees every commit as soon as it happens, like a
    PostgreSQL READ COMMITTED session, also on SQLite (see OBSERVER_OPTION)."""
    with Session(app.state.engine.execution_options(**{OBSERVER_OPTION: True})) as session:
        yield session


@pytest.fixture
def client(app):
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def make_client(app):
    """More clients of the same app: two browsers, or a browser and a phone."""
    clients = []

    def factory(**kwargs) -> TestClient:
        test_client = TestClient(app, **kwargs)
        clients.append(test_client)
        return test_client

    yield factory
    for test_client in clients:
        test_client.close()


def pytest_collection_modifyitems(config, items):
    """A test marked postgresql_only is about PostgreSQL's concurrency: it is not collected
    for SQLite at all (rather than skipped, which would look like a result)."""
    kept, dropped = [], []
    for item in items:
        backend = getattr(getattr(item, "callspec", None), "params", {}).get("database_url")
        if item.get_closest_marker("postgresql_only") and backend != "postgresql":
            dropped.append(item)
        else:
            kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def pytest_sessionfinish(session, exitstatus):
    """In CI a browser test that did not run is a failure, never a quiet skip."""
    import os

    if os.environ.get("CANBAO_REQUIRE_BROWSER") != "1" or exitstatus != 0:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    passed = reporter.stats.get("passed", []) if reporter else []
    skipped = reporter.stats.get("skipped", []) if reporter else []
    ran = [report for report in passed if "tests/browser/" in report.nodeid]
    skipped_browser = [report for report in skipped if "tests/browser/" in report.nodeid]
    if not ran or skipped_browser:
        print("\nCANBAO_REQUIRE_BROWSER=1 but browser tests did not all run")
        session.exitstatus = 1
