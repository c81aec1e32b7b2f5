"""Roster import of the county: `canbao import-targets` on a fresh SQLite and a fresh
PostgreSQL database, against PostgreSQL's plain COPY of the same file into a bare table.

For each database: the schema, the generated areas (`canbao import-areas`), then, each under
/usr/bin/time -v, a dry run, the import, and a re-import of the same file that changes
nothing. The floor is psql's `\\copy` of the CSV into a table of seven text columns, which
checks nothing; the import checks every row (ID number checksum and birth date, name,
village, insurance words) and keeps the roster's keys, so the ratio says what that costs.
"""
from common import (Context, Figure, app_env, canbao, migrate_with_areas, raw_postgresql,
                    scratch_database, timed)

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


def measure(ctx: Context) -> list[Figure]:
    size = f"{ctx.roster_size()}, {(ctx.out / 'roster.csv').stat().st_size / 2**20:.0f} MiB CSV"
    floor = copy_floor(ctx) if "postgresql" in ctx.databases else None
    figures = []
    if floor is not None:
        figures.append(Figure(SECTION, "floor: PostgreSQL COPY into a bare table", "postgresql",
                              floor, "s", size, note="psql \\copy, no checks"))
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
    return figures
