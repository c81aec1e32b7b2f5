"""What the benchmark sections share: scratch databases, timed child processes, a real uvicorn
server on a free loopback port, and the figures they report."""
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BENCH_PASSWORD = "bench-pass-2026"
# The figures are about the server, not Argon2id: logins stay cheap, as in the test suite.
CHEAP_ARGON2 = {"CANBAO_ARGON2_TIME_COST": "1", "CANBAO_ARGON2_MEMORY_KIB": "1024",
                "CANBAO_ARGON2_PARALLELISM": "1"}


@dataclass
class Figure:
    """One measured number, with what it takes to read it without the code."""
    section: str
    name: str
    database: str  # "sqlite", "postgresql", or "" when it does not depend on one
    value: float
    unit: str
    size: str
    target: str = ""  # the target: "≤ 3", "< 300", "≥ 400", "= yes"
    note: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def p95(samples: list[float]) -> float:
    """The 95th percentile, interpolated (statistics.quantiles, inclusive method)."""
    if len(samples) == 1:
        return samples[0]
    return statistics.quantiles(samples, n=20, method="inclusive")[18]


def thousands(number: int) -> str:
    return f"{number:,}"


def raw_postgresql(url: str) -> str:
    """The URL as psycopg and psql take it (no SQLAlchemy driver name)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@contextmanager
def scratch_database(kind: str, server: str, folder: Path):
    """An empty database of its own: a file in `folder`, or a database on the PostgreSQL
    `server` that is dropped afterwards."""
    if kind == "sqlite":
        path = folder / f"bench-{uuid.uuid4().hex[:8]}.db"
        try:
            yield f"sqlite:///{path}"
        finally:
            for leftover in folder.glob(path.name + "*"):
                leftover.unlink()
        return
    admin = create_engine(make_url(server).set(drivername="postgresql+psycopg"),
                          isolation_level="AUTOCOMMIT")
    name = f"canbao_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def migrate_and_seed(url: str) -> None:
    """The schema and the demo county (villages, users, the published form)."""
    from sqlmodel import Session

    from app import demo
    from app.accounts.secrets import Passwords
    from app.cli import migrate
    from app.config import Settings
    from app.db import make_engine

    migrate(url)
    engine = make_engine(url)
    with Session(engine) as session:
        demo.seed(session, Passwords(Settings(database_url=url, argon2_time_cost=1,
                                              argon2_memory_kib=1024, argon2_parallelism=1)),
                  BENCH_PASSWORD)
        session.commit()
    engine.dispose()


def migrate_with_areas(url: str, areas_csv: Path) -> None:
    """The schema and the generated county's areas, as `canbao import-areas` loads them."""
    from sqlmodel import Session

    import app.models  # noqa: F401  (every table known before the first flush)
    from app.areas.service import import_areas
    from app.cli import migrate
    from app.db import make_engine

    migrate(url)
    engine = make_engine(url)
    with Session(engine) as session:
        result = import_areas(session, areas_csv.read_bytes())
        if result.errors:
            raise RuntimeError(f"{areas_csv}: {result.errors[:3]}")
        session.commit()
    engine.dispose()


def app_env(url: str) -> dict:
    env = dict(os.environ, CANBAO_DATABASE_URL=url, CANBAO_REGISTRY_WORKER="false", **CHEAP_ARGON2)
    env.pop("CANBAO_REGISTRY_DATABASE_URL", None)
    return env


@dataclass
class Timed:
    seconds: float
    cpu: float
    rss_kib: int
    stderr: str

    @property
    def rss_mb(self) -> float:
        return self.rss_kib * 1024 / 1e6


def timed(command: list[str], env: dict | None = None) -> Timed:
    """Run a child under /usr/bin/time -v: wall seconds, CPU seconds, peak RSS of the child."""
    result = subprocess.run(["/usr/bin/time", "-v", *command], capture_output=True, text=True,
                            env=env, cwd=ROOT)
    if result.returncode:
        raise RuntimeError(f"{' '.join(command)} failed:\n{result.stderr[-3000:]}")
    found = dict(re.findall(r"^\s*(.+?): (\S+)$", result.stderr, re.MULTILINE))
    wall = found["Elapsed (wall clock) time (h:mm:ss or m:ss)"]
    seconds = sum(float(part) * 60 ** index for index, part in enumerate(reversed(wall.split(":"))))
    return Timed(seconds=seconds,
                 cpu=float(found["User time (seconds)"]) + float(found["System time (seconds)"]),
                 rss_kib=int(found["Maximum resident set size (kbytes)"]),
                 stderr=result.stderr)


def canbao(*args: str) -> list[str]:
    return [sys.executable, "-m", "app.cli", *args]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def uvicorn_server(url: str, workers: int = 1):
    """`canbao serve` (uvicorn; the database already migrated) in a child process on a free
    loopback port; yields its base URL."""
    import httpx

    port = free_port()
    command = [sys.executable, "-m", "app.cli", "serve", "--no-migrate", "--host", "127.0.0.1",
               "--port", str(port), "--workers", str(workers)]
    log = tempfile.TemporaryFile()
    process = subprocess.Popen(command, env=app_env(url), cwd=ROOT, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"uvicorn exited:\n{log.read().decode()[-3000:]}")
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start within 60 s")
            time.sleep(0.1)
        yield base
    except BaseException:
        log.seek(0)
        print(f"uvicorn's log:\n{log.read().decode(errors='replace')[-5000:]}", file=sys.stderr)
        raise
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def device_token(base: str, username: str = "enumerator") -> str:
    import httpx

    response = httpx.post(f"{base}/api/v1/devices", json={
        "username": username, "password": BENCH_PASSWORD, "device_name": "bench phone"}, timeout=30)
    response.raise_for_status()
    return response.json()["token"]


@dataclass
class Context:
    """What every section gets: the sizes asked for, where files go, which databases."""
    people: int  # the county: roster rows, exported people, person facts
    submissions: int  # the supervisor queue
    repetitions: int  # of each queue page, for its 95th percentile
    village_targets: int  # the village a phone pulls
    push_devices: list[int]  # device counts pushing at once
    push_batches: int  # batches per device count; 0: sync_push.py's default
    push_paced_rate: float  # households per second of the paced push; 0: none
    push_paced_batches: int
    databases: list[str]  # "sqlite", "postgresql"
    server: str  # a PostgreSQL URL whose server gets the scratch databases
    out: Path  # generated files (areas.csv, roster.csv, answers.csv)
    scratch: Path  # SQLite files and exported files
    failed: list[str] = field(default_factory=list)  # "section on database" that did not finish

    def roster_size(self) -> str:
        return f"{thousands(self.people)} people"
