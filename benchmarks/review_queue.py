"""The supervisor queue with 100 000 households: how long each kind of page takes.

    .venv/bin/python benchmarks/review_queue.py                      # SQLite, a temporary file
    .venv/bin/python benchmarks/review_queue.py postgresql://postgres@127.0.0.1:5432/postgres

Builds a fresh database (a temporary one on the PostgreSQL server, dropped afterwards), loads
the demo, inserts N households (default 100 000; 60 % in 演示一镇, the township measured, so
the queue is as large as a township's can get), one error flag on every 10th and a warning on
every 7th, then prints the median time of the queries a queue page runs. Not a test: figures
depend on the machine.
"""
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, select

from app import demo
from app.accounts.models import User
from app.accounts.secrets import Passwords
from app.areas.models import Area, AreaLevel
from app.cli import migrate
from app.config import Settings
from app.db import make_engine
from app.review import queue
from app.review.models import SubmissionFlag, SubmissionMember
from app.submissions.models import Submission

STATES = ["approved"] * 6 + ["submitted"] * 3 + ["returned"]  # 60 / 30 / 10 %
TOWNSHIP = "350524100"


def build(url: str, count: int) -> None:
    migrate(url)
    engine = make_engine(url)
    with Session(engine) as session:
        demo.seed(session, Passwords(Settings(database_url=url, argon2_time_cost=1,
                                              argon2_memory_kib=1024, argon2_parallelism=1)),
                  "bench-pass-2026")
        session.commit()
        villages = [area.code for area in session.exec(select(Area).where(Area.level == AreaLevel.village))]
        owner = session.exec(select(User.id).where(User.username == "enumerator")).one()
    mine = [code for code in villages if code.startswith(TOWNSHIP)]
    others = [code for code in villages if not code.startswith(TOWNSHIP)]
    start = datetime(2026, 11, 1, tzinfo=UTC)
    dice = random.Random(2026)
    with engine.begin() as connection:
        for first in range(0, count, 5000):
            submissions, members, flags = [], [], []
            for n in range(first, min(first + 5000, count)):
                sid = str(uuid.UUID(int=n + 1))
                village = dice.choice(mine) if dice.random() < 0.6 else dice.choice(others)
                submissions.append(dict(
                    id=sid, owner_id=owner, device_id=None, village_code=village,
                    form_id="canbao_registration", form_version="2026.1", revision=1,
                    content_hash="0" * 64, payload={"village_code": village, "members": []},
                    captured_at=start, received_at=start + timedelta(seconds=n * 7),
                    state=dice.choice(STATES), review_comment=None, field_comments={},
                    seq=0, address=f"测试{n}号", visit_outcome="registered", member_count=2))
                members += [dict(submission_id=sid, member_index=i, id_number=f"{n:016d}{i:02d}",
                                 name="测试", pension_scheme="", medical_scheme="") for i in range(2)]
                if n % 10 == 0:
                    flags.append(dict(submission_id=sid, revision=1, code="id_invalid", severity="error",
                                      path="members[0].id_number", message_zh="x", message_en="x"))
                if n % 7 == 0:
                    flags.append(dict(submission_id=sid, revision=1, code="phone_invalid", severity="warning",
                                      path="contact_phone", message_zh="x", message_en="x"))
            connection.execute(insert(Submission), submissions)
            connection.execute(insert(SubmissionMember), members)
            connection.execute(insert(SubmissionFlag), flags)
    # As autovacuum would soon after such a load: statistics, and PostgreSQL's visibility map
    # (without it an index-only count still visits the table).
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"))
    engine.dispose()


def measure(url: str) -> None:
    engine = make_engine(url)
    with Session(engine) as session:
        villages = {area.code: area.name for area in session.exec(
            select(Area).where(Area.level == AreaLevel.village, Area.code.startswith(TOWNSHIP)))}
        owner = session.exec(select(User.id).where(User.username == "enumerator")).one()
        page = queue.search(session, villages, queue.QueueFilter())
        for _ in range(200):  # the cursor of page 200
            page = queue.search(session, villages, queue.QueueFilter(), cursor=page.next_cursor)
        deep = page.next_cursor
        cases = {
            "pending, oldest first (default), page 1": dict(filters=queue.QueueFilter()),
            "pending, page 201 (keyset cursor)": dict(filters=queue.QueueFilter(), cursor=deep),
            "pending, newest first": dict(filters=queue.QueueFilter(sort="newest")),
            "pending, by village": dict(filters=queue.QueueFilter(sort="village")),
            "pending with errors": dict(filters=queue.QueueFilter(flag="errors")),
            "pending without errors": dict(filters=queue.QueueFilter(flag="clean")),
            "pending, one flag code": dict(filters=queue.QueueFilter(flag="phone_invalid")),
            "one village + enumerator + dates": dict(filters=queue.QueueFilter(
                village=next(iter(villages)), enumerator=owner,
                date_from=datetime(2026, 11, 5).date(), date_to=datetime(2026, 11, 9).date())),
            "every state, newest first": dict(filters=queue.QueueFilter(state="", sort="newest")),
        }
        print(f"{'query':45} {'median ms':>10} {'rows':>6} {'total':>7}")
        for name, kwargs in cases.items():
            times = []
            for _ in range(7):
                began = time.perf_counter()
                page = queue.search(session, villages, kwargs["filters"], cursor=kwargs.get("cursor"))
                times.append((time.perf_counter() - began) * 1000)
            print(f"{name:45} {statistics.median(times):10.1f} {len(page.rows):6} {page.total:7}")
        times = []
        for _ in range(7):
            began = time.perf_counter()
            counts = queue.open_counts(session, villages)
            times.append((time.perf_counter() - began) * 1000)
        label = "tabs (awaiting review, returned)"
        print(f"{label:45} {statistics.median(times):10.1f} {'':6} {sum(counts.values()):7}")
    engine.dispose()


def main() -> None:
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    if len(sys.argv) > 1 and sys.argv[1].startswith("postgresql"):
        admin = create_engine(make_url(sys.argv[1]).set(drivername="postgresql+psycopg"),
                              isolation_level="AUTOCOMMIT")
        name = f"canbao_bench_{uuid.uuid4().hex[:8]}"
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(sys.argv[1]).set(database=name).render_as_string(hide_password=False)
        try:
            build(url, count)
            measure(url)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    else:
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{folder}/bench.db"
            build(url, count)
            measure(url)


if __name__ == "__main__":
    main()
