"""The progress dashboard with 100 000 households: how long its figures take for the county
and for one township.

    .venv/bin/python benchmarks/progress_dashboard.py                   # SQLite, a temporary file
    .venv/bin/python benchmarks/progress_dashboard.py postgresql://postgres@127.0.0.1:5432/postgres [N]

Builds the review benchmark's database (benchmarks/review_queue.py: N households, default
100 000, 60 % in 演示一镇, flags on every 7th and 10th), adds each household's first revision
captured over 30 days, one return event per returned household, and N targets: half of them
members of a household of their village, a fifth of all settled. Then prints the median and
95th percentile of app.reports.progress.report() (every table of the page). Not a test:
figures depend on the machine.
"""
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, text
from sqlmodel import Session, select

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import p95, scratch_database  # noqa: E402
from review_queue import TOWNSHIP, build  # noqa: E402

from app.areas.models import Area  # noqa: E402
from app.audit.models import AuditEvent  # noqa: E402
from app.db import make_engine  # noqa: E402
from app.reports.progress import report  # noqa: E402
from app.review.models import SubmissionMember  # noqa: E402
from app.submissions.models import Submission, SubmissionRevision  # noqa: E402
from app.targets.models import Target  # noqa: E402

COMMENTS = ["地址请写到门牌号", "缺少联系电话", "身份证号码有误", "请补充未参保原因", "照片不清楚"]
SETTLED = ["registered", "moved", "deceased", "not_found"]


def add_progress_rows(url: str, count: int) -> None:
    engine = make_engine(url)
    dice = random.Random(7)
    start = datetime(2026, 10, 25, tzinfo=UTC)
    with Session(engine) as session:
        households = session.exec(select(Submission.id, Submission.village_code, Submission.state,
                                         Submission.owner_id)).all()
        members = dict(session.exec(select(SubmissionMember.submission_id, SubmissionMember.id_number)
                                    .where(SubmissionMember.member_index == 0)).all())
    with engine.begin() as connection:
        for first in range(0, len(households), 5000):
            revisions, events, targets = [], [], []
            for number, (sid, village, state, owner) in enumerate(households[first:first + 5000], first):
                captured = start + timedelta(minutes=dice.randrange(30 * 24 * 60))
                revisions.append(dict(submission_id=sid, revision=1, form_id="canbao_registration",
                                      form_version="2026.1", content_hash="0" * 64, payload={},
                                      captured_at=captured, received_at=captured, device_id=None))
                if state == "returned":
                    events.append(dict(at=captured, actor_id=None, actor_name="bench", action="submission.returned",
                                       object_type="submission", object_id=sid, address="",
                                       detail={"revision": 1, "comment": dice.choice(COMMENTS),
                                               "field_comments": {"members[0].id_number": "x"}}))
                listed = number % 2 == 0
                targets.append(dict(
                    village_code=village, name="测试", address="", uninsured="pension", seq=0,
                    id_number=members[sid] if listed else f"T{number:017d}", assigned_to_id=owner,
                    status=dice.choice(SETTLED) if dice.random() < 0.2 else "open", created_at=start))
            connection.execute(insert(SubmissionRevision), revisions)
            if events:
                connection.execute(insert(AuditEvent), events)
            connection.execute(insert(Target), targets)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"))
    engine.dispose()


def timings(url: str, repetitions: int) -> dict[str, list[float]]:
    engine = make_engine(url)
    times = {"county (3 townships)": [], "township (3 villages, 60 % of households)": []}
    with Session(engine) as session:
        areas = [session.get(Area, "350524"), session.get(Area, TOWNSHIP)]
        for _ in range(repetitions):
            for name, area in zip(times, areas):
                began = time.perf_counter()
                report(session, area)
                times[name].append((time.perf_counter() - began) * 1000)
    engine.dispose()
    return times


def main() -> None:
    server = sys.argv[1] if len(sys.argv) > 1 and sys.argv[1].startswith("postgresql") else ""
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    with tempfile.TemporaryDirectory() as folder:
        with scratch_database("postgresql" if server else "sqlite", server, Path(folder)) as url:
            build(url, count)
            add_progress_rows(url, count)
            times = timings(url, 5)
    print(f"{count:,} households, {count:,} targets; report() 5 runs each")
    print(f"{'area':45} {'median ms':>10} {'p95 ms':>8}")
    for name, samples in times.items():
        print(f"{name:45} {statistics.median(samples):10.1f} {p95(samples):8.1f}")


if __name__ == "__main__":
    main()
