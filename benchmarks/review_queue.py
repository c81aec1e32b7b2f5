"""The supervisor queue with 100 000 households: how long each kind of page takes.

    .venv/bin/python benchmarks/review_queue.py                      # SQLite, a temporary file
    .venv/bin/python benchmarks/review_queue.py postgresql://postgres@127.0.0.1:5432/postgres

Builds a fresh database (a temporary one on the PostgreSQL server, dropped afterwards), loads
the demo, inserts N households (default 100 000; 60 % in 演示一镇, the township measured, so
the queue is as large as a township's can get), one error flag on every 10th and a warning on
every 7th, then prints the median and the 95th percentile time of the queries a queue page
runs. benchmarks/run.py runs it as its "supervisor queue" section. Not a test: figures depend
on the machine.
"""
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, text
from sqlmodel import Session, select

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import p95, scratch_database  # noqa: E402

from app import demo  # noqa: E402
from app.accounts.models import User  # noqa: E402
from app.accounts.secrets import Passwords  # noqa: E402
from app.areas.models import Area, AreaLevel  # noqa: E402
from app.cli import migrate  # noqa: E402
from app.config import Settings  # noqa: E402
from app.db import make_engine  # noqa: E402
from app.review import queue  # noqa: E402
from app.review.models import SubmissionFlag, SubmissionMember  # noqa: E402
from app.submissions.models import Submission  # noqa: E402

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


SECTION = "supervisor queue"
FIRST_PAGE = "pending, oldest first (default), page 1"


def cases(session, villages: dict[str, str], owner: int) -> dict[str, dict]:
    page = queue.search(session, villages, queue.QueueFilter())
    deep = None
    for _ in range(200):  # the cursor of page 201, or of the last page when there are fewer
        if page.next_cursor is None:
            break
        deep, page = page.next_cursor, queue.search(session, villages, queue.QueueFilter(),
                                                    cursor=page.next_cursor)
    return {
        FIRST_PAGE: dict(filters=queue.QueueFilter()),
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


def timings(url: str, repetitions: int) -> dict[str, list[float]]:
    """Milliseconds of each kind of page (one search, as the page runs it), `repetitions`
    times each, in turns so that a busy moment of the machine does not land on one kind."""
    engine = make_engine(url)
    with Session(engine) as session:
        villages = {area.code: area.name for area in session.exec(
            select(Area).where(Area.level == AreaLevel.village, Area.code.startswith(TOWNSHIP)))}
        owner = session.exec(select(User.id).where(User.username == "enumerator")).one()
        kinds = cases(session, villages, owner)
        times = {name: [] for name in kinds}
        times["tabs (awaiting review, returned)"] = []
        for _ in range(repetitions):
            for name, kwargs in kinds.items():
                began = time.perf_counter()
                queue.search(session, villages, kwargs["filters"], cursor=kwargs.get("cursor"))
                times[name].append((time.perf_counter() - began) * 1000)
            began = time.perf_counter()
            queue.open_counts(session, villages)
            times["tabs (awaiting review, returned)"].append((time.perf_counter() - began) * 1000)
    engine.dispose()
    return times


def measure(ctx) -> list:
    """The section of benchmarks/run.py: p95 of the first page, and of the slowest filter."""
    from common import Figure

    figures = []
    size = f"{ctx.submissions:,} submissions (60 % in the township), {ctx.repetitions} runs each"
    for kind in ctx.databases:
        with scratch_database(kind, ctx.server, ctx.scratch) as url:
            build(url, ctx.submissions)
            times = timings(url, ctx.repetitions)
        first = p95(times.pop(FIRST_PAGE))
        times.pop("tabs (awaiting review, returned)")
        slowest = max(times, key=lambda name: p95(times[name]))
        figures += [
            Figure(SECTION, "first page: p95", kind, first, "ms", size, target="< 200"),
            Figure(SECTION, "filtered page, slowest of 8 kinds: p95", kind, p95(times[slowest]), "ms",
                   size, target="< 200", note=slowest),
        ]
    return figures


def main() -> None:
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    server = sys.argv[1] if len(sys.argv) > 1 and sys.argv[1].startswith("postgresql") else ""
    with tempfile.TemporaryDirectory() as folder:
        with scratch_database("postgresql" if server else "sqlite", server, Path(folder)) as url:
            build(url, count)
            times = timings(url, 25)
    print(f"{'query (25 runs)':45} {'median ms':>10} {'p95 ms':>8}")
    for name, samples in times.items():
        print(f"{name:45} {statistics.median(samples):10.1f} {p95(samples):8.1f}")


if __name__ == "__main__":
    main()
