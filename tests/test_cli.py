"""The `canbao` console command, run as a separate process the way an operator runs it."""
import os
import subprocess
import sys

import pytest
from sqlalchemy import create_engine, text


def run(*args, database_url, input_text=None):
    env = dict(os.environ, CANBAO_DATABASE_URL=database_url, CANBAO_ARGON2_MEMORY_KIB="1024",
               CANBAO_ARGON2_TIME_COST="1", CANBAO_ARGON2_PARALLELISM="1")
    return subprocess.run([sys.executable, "-m", "app.cli", *args], capture_output=True,
                          text=True, env=env, input=input_text, timeout=120)


@pytest.fixture
def empty_db(tmp_path):
    return f"sqlite:///{tmp_path / 'cli.db'}"


def _count(url, table):
    engine = create_engine(url)
    with engine.connect() as conn:
        value = conn.execute(text(f'SELECT count(*) FROM "{table}"')).scalar()
    engine.dispose()
    return value


def test_migrate_seed_twice_and_create_user(empty_db, tmp_path):
    assert run("migrate", database_url=empty_db).returncode == 0
    first = run("seed-demo", database_url=empty_db)
    assert first.returncode == 0 and "13 areas and 5 users added" in first.stderr
    second = run("seed-demo", database_url=empty_db)
    assert "0 areas and 0 users added" in second.stderr
    created = run("create-user", "liuliu", "--role", "enumerator", "--area", "350524100003",
                  "--password", "secret-pass-1", database_url=empty_db)
    assert created.returncode == 0, created.stderr
    assert _count(empty_db, "user") == 6


def test_errors_are_one_line_and_exit_nonzero(empty_db, tmp_path):
    run("migrate", database_url=empty_db)
    run("seed-demo", database_url=empty_db)
    bad_user = run("create-user", "x", "--role", "supervisor", "--area", "999999999",
                   "--password", "secret-pass-1", database_url=empty_db)
    assert bad_user.returncode == 1
    assert bad_user.stderr.strip().count("\n") == 0 and "Area 999999999 does not exist" in bad_user.stderr

    missing = run("import-areas", str(tmp_path / "nope.csv"), database_url=empty_db)
    assert missing.returncode == 1 and missing.stderr.startswith("canbao: error: no such file")


def test_import_areas_is_all_or_nothing(empty_db, tmp_path):
    run("migrate", database_url=empty_db)
    good = tmp_path / "good.csv"
    good.write_bytes("代码,名称\n350524,某县\n350524100,某镇\n350524100001,某村\n".encode("gbk"))
    result = run("import-areas", str(good), database_url=empty_db)
    assert result.returncode == 0 and "3 created" in result.stderr
    bad = tmp_path / "bad.csv"
    bad.write_text("350524101,新镇\n12345,坏\n", encoding="utf-8")
    result = run("import-areas", str(bad), database_url=empty_db)
    assert result.returncode == 1
    assert f"{bad}:2: area_code_invalid" in result.stderr
    assert _count(empty_db, "area") == 3


def test_serve_refuses_the_default_secret_in_production(empty_db):
    env_url = empty_db
    result = subprocess.run([sys.executable, "-m", "app.cli", "serve"], capture_output=True,
                            text=True, timeout=60,
                            env=dict(os.environ, CANBAO_DATABASE_URL=env_url, CANBAO_ENV="production"))
    assert result.returncode == 1
    assert "CANBAO_SECRET_KEY" in result.stderr
