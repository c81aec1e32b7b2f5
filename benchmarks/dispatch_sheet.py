"""调度表（一） for the whole synthetic county: app.reports.dispatch.dispatch_one on SQLite and
PostgreSQL, the median of three runs after one to warm the caches.

The county is benchmarks/generate.py's: its areas, its roster loaded with the real
`canbao import-targets`, and person facts (table person_fact, one row per approved person)
from its answers.csv for four households in five (those whose number is not a multiple of
five): the rest of the roster counts through the roster's branch of the population query, as
in a county whose survey is four-fifths done. Facts go in by COPY on PostgreSQL and executemany
on SQLite, then ANALYZE, as autovacuum would do after such a load.
"""
import csv
import statistics
import time
from datetime import datetime

from sqlalchemy import text
from sqlmodel import Session

from common import (Context, Figure, app_env, canbao, migrate_with_areas, raw_postgresql,
                    scratch_database, thousands, timed)

SECTION = "调度表（一）"
COUNTY = "350524"
RUNS = 3


def fact_rows(answers_path):
    """The answers of the people given a fact, as dicts of person_fact's columns."""
    with answers_path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if int(row["submission_id"].replace("-", ""), 16) % 5:
                yield row


def load_postgresql(url: str, answers_path) -> int:
    import psycopg

    from generate import ANSWER_HEADERS

    count = 0
    with psycopg.connect(raw_postgresql(url)) as connection, connection.cursor() as cursor:
        with cursor.copy(f"COPY person_fact ({', '.join(ANSWER_HEADERS)}) FROM STDIN") as copy:
            for row in fact_rows(answers_path):
                copy.write_row([row[name] or "" for name in ANSWER_HEADERS])
                count += 1
    return count


def load_sqlite(url: str, answers_path) -> int:
    from app.db import make_engine
    from app.reports.models import PersonFact

    engine = make_engine(url)
    table, count, chunk = PersonFact.__table__, 0, []
    with engine.begin() as connection:
        for row in fact_rows(answers_path):
            row["approved_at"] = datetime.fromisoformat(row["approved_at"])
            row["revision"], row["member_index"] = int(row["revision"]), int(row["member_index"])
            chunk.append(row)
            if len(chunk) == 20_000:
                connection.execute(table.insert(), chunk)
                count, chunk = count + len(chunk), []
        if chunk:
            connection.execute(table.insert(), chunk)
            count += len(chunk)
    engine.dispose()
    return count


def time_dispatch(url: str, on) -> tuple[list[float], int]:
    from app.db import make_engine
    from app.reports.dispatch import dispatch_one
    from app.reports.rules import default_rules

    engine = make_engine(url)
    rules = default_rules()
    seconds = []
    with Session(engine) as session:
        for run in range(RUNS + 1):
            began = time.perf_counter()
            report = dispatch_one(session, COUNTY, on, rules)
            if run:  # the first only warms the caches
                seconds.append(time.perf_counter() - began)
        population = report.total.values["population"]
    engine.dispose()
    return seconds, population


def measure(ctx: Context) -> list[Figure]:
    from app.clock import CHINA_TZ
    from app.db import make_engine

    on = datetime.now(CHINA_TZ).date()
    figures = []
    for kind in ctx.databases:
        with scratch_database(kind, ctx.server, ctx.scratch) as url:
            env = app_env(url)
            migrate_with_areas(url, ctx.out / "areas.csv")
            timed(canbao("import-targets", str(ctx.out / "roster.csv"), "--import-valid"), env)
            load = load_postgresql if kind == "postgresql" else load_sqlite
            facts = load(url, ctx.out / "answers.csv")
            engine = make_engine(url)
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("ANALYZE"))
            engine.dispose()
            seconds, population = time_dispatch(url, on)
        size = (f"county of {ctx.roster_size()}: roster {thousands(ctx.people)}, "
                f"{thousands(facts)} person facts, 400 villages")
        figures.append(Figure(SECTION, f"whole county, median of {RUNS}", kind,
                              statistics.median(seconds), "s", size,
                              note=f"population counted: {thousands(population)}"))
    return figures
