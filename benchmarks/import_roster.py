"""Roster import of the county: `canbao import-targets` on a fresh SQLite and a fresh
PostgreSQL database, against PostgreSQL's plain COPY of the same file into a bare table.

For each database: the schema, the generated areas (`canbao import-areas`), then, each under
/usr/bin/time -v, a dry run, the import, and a re-import of the same file that changes
nothing. The floor is psql's `\\copy` of the CSV into a table of seven text columns, which
checks nothing; the import checks every row (ID number checksum and birth date, name,
village, insurance words) and keeps the roster's keys, so the ratio says what that costs.

A second floor says what the destination costs: psql's `\\copy` of the same people, already
in the target table's columns (made from the CSV beforehand, untimed), into canbao's `target`
table with its indexes and foreign keys, which every import, PostgreSQL's own COPY included,
has to keep up to date.
"""
import csv

from common import (Context, Figure, app_env, canbao, migrate_with_areas, raw_postgresql,
                    scratch_database, timed)
from generate import ROSTER_HEADERS

SECTION = "roster import"
BARE_TABLE = ("CREATE TABLE bare (household text, name text, relation text, id_number text, "
              "address text, village_code text, uninsured text)")


def copy_floor(ctx: Context) -> float:
    """Seconds for psql to COPY the roster into a bare table (no checks, no index)."""
    with scratch_database("postgresql", ctx.server, ctx.scratch) as url:
        psql = ["psql", raw_postgresql(url), "-qX", "-v", "ON_ERROR_STOP=1"]
        timed([*psql, "-c", BARE_TABLE, "-c", "CHECKPOINT"])
        return timed([*psql, "-c", f"\\copy bare FROM '{ctx.out / 'roster.csv'}' "
                                   "WITH (FORMAT csv, HEADER true)"]).seconds


def target_copy_floor(ctx: Context) -> float:
    """Seconds for psql to COPY the roster's people, as target rows, into canbao's target
    table (a migrated database with the county's areas)."""
    rows = ctx.scratch / "target_rows.csv"
    _target_rows(ctx.out / "roster.csv", rows)
    columns = "village_code, id_number, name, address, uninsured, status, seq, created_at"
    with scratch_database("postgresql", ctx.server, ctx.scratch) as url:
        migrate_with_areas(url, ctx.out / "areas.csv")
        psql = ["psql", raw_postgresql(url), "-qX", "-v", "ON_ERROR_STOP=1"]
        timed([*psql, "-c", "CHECKPOINT"])
        seconds = timed([*psql, "-c", f"\\copy target ({columns}) FROM '{rows}' "
                                      "WITH (FORMAT csv)"]).seconds
    rows.unlink()
    return seconds


def _target_rows(roster, out) -> None:
    """The roster as target rows (first row of each person and village), numbered in file
    order."""
    column = {name: index for index, name in enumerate(ROSTER_HEADERS)}
    village, id_number, name, address, uninsured = (column[name] for name in (
        "村（社区）代码", "公民身份号码", "姓名", "户籍地址", "未参保险种"))
    seen = set()
    with open(roster, newline="", encoding="utf-8-sig") as source, \
            open(out, "w", newline="", encoding="utf-8") as sink:
        rows = csv.reader(source)
        next(rows)  # generate.py's ROSTER_HEADERS
        writer = csv.writer(sink)
        for number, row in enumerate(rows, start=1):
            key = (row[village], row[id_number])
            if key in seen:
                continue
            seen.add(key)
            writer.writerow([*key, row[name], row[address], row[uninsured], "open", number,
                             "2026-11-24T00:00:00+00:00"])


def measure(ctx: Context) -> list[Figure]:
    size = f"{ctx.roster_size()}, {(ctx.out / 'roster.csv').stat().st_size / 2**20:.0f} MiB CSV"
    floor = copy_floor(ctx) if "postgresql" in ctx.databases else None
    into_target = target_copy_floor(ctx) if floor is not None else None
    figures = []
    if floor is not None:
        figures += [
            Figure(SECTION, "floor: PostgreSQL COPY into a bare table", "postgresql", floor, "s",
                   size, note="psql \\copy, no checks"),
            Figure(SECTION, "floor: PostgreSQL COPY into the target table", "postgresql",
                   into_target, "s", size, note="psql \\copy, no checks; 3 indexes, 2 foreign keys"),
        ]
    roster = str(ctx.out / "roster.csv")
    for kind in ctx.databases:
        with scratch_database(kind, ctx.server, ctx.scratch) as url:
            env = app_env(url)
            migrate_with_areas(url, ctx.out / "areas.csv")
            dry = timed(canbao("import-targets", roster), env)
            imported = timed(canbao("import-targets", roster, "--import-valid"), env)
            again = timed(canbao("import-targets", roster, "--import-valid"), env)
        figures += [
            Figure(SECTION, "dry run (check every row, write nothing)", kind, dry.seconds, "s", size),
            Figure(SECTION, "import", kind, imported.seconds, "s", size),
            Figure(SECTION, "import: peak RSS", kind, imported.rss_mb, "MB", size, target="< 300"),
            Figure(SECTION, "re-import, nothing changes", kind, again.seconds, "s", size),
        ]
        if floor is not None:
            figures.append(Figure(SECTION, "import ÷ COPY (same run)", kind,
                                  imported.seconds / floor, "×", size, target="≤ 3"))
        if into_target is not None and kind == "postgresql":  # the same database's own COPY
            figures.append(Figure(SECTION, "import ÷ COPY into the target table (same run)",
                                  kind, imported.seconds / into_target, "×", size))
    return figures
