"""Export of a county-sized registry (`canbao export-batch`): wall time and peak memory.

    .venv/bin/python benchmarks/run.py --only export [--people 1000000]

The export section of benchmarks/run.py. On a fresh database (a temporary one
on the PostgreSQL server, dropped afterwards) with the demo county (its villages and the form's
choice labels), N synthetic verified people go straight into registry_person_version /
registry_person (COPY on PostgreSQL, executemany on SQLite), as if the push worker had written
them. Then the real command runs, each time under /usr/bin/time -v:

1. `export-batch --format csv`: makes batch 1 (its items, and one rendering of each of the
   three formats to record their SHA-256) and writes the CSV (a fourth rendering);
2. `export-batch --batch 1 --format csv` and `--format xlsx`: a download each.

On PostgreSQL the floor is `COPY (SELECT the stored rows) TO STDOUT`: what the database alone
needs to hand the rows over. Not a test: figures depend on the machine.
"""
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from stdnum.cn import ric

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (Context, Figure, app_env, canbao, migrate_and_seed, raw_postgresql,  # noqa: E402
                    scratch_database, timed)

from app import demo  # noqa: E402
from app.db import make_engine  # noqa: E402

VILLAGES = [area.code for area in demo.demo_areas() if area.level == "village"]
VERSION_COLUMNS = ("id", "id_number", "submission_id", "revision", "member_index", "order_key",
                   "village_code", "data", "approved_at", "pushed_at")
SURNAMES, GIVEN = "王李张刘陈杨黄赵吴周", "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平"


def person(serial: int) -> tuple:
    """One verified person: an ID number unique within 1 030 000 (birth day × sequence)."""
    birth = date(1940, 1, 1) + timedelta(days=serial % 30_000)
    body = f"350524{birth:%Y%m%d}{serial // 30_000 * 2 + 1 + serial % 2:03d}"
    number = body + ric.calc_check_digit(body + "0")
    village = VILLAGES[serial % len(VILLAGES)]
    member = {"full_name": SURNAMES[serial % 10] + GIVEN[serial % 19] + GIVEN[serial // 19 % 19],
              "id_number": number, "sex": "1" if serial % 2 == 0 else "2",
              "birth_date": birth.isoformat(), "relation": "head", "hukou_type": "agricultural",
              "hukou_place": "福建省泉州市安溪县示例镇示例村", "residence_same": "same",
              "personal_status": "employee", "employment": "unit_employed",
              "employer": "示例建材有限公司", "unit_type": "enterprise", "special_groups": "none",
              "pension_status": "enrolled", "pension_scheme": "enterprise",
              "medical_status": "enrolled", "medical_scheme": "employee",
              "work_injury_status": "enrolled", "unemployment_status": "enrolled",
              "maternity_status": "enrolled", "phone": f"138{serial:08d}"}
    household = {"village_code": village, "address": f"示例村{serial % 50}组{serial % 300}号",
                 "household_type": "family", "contact_phone": f"139{serial:08d}",
                 "visit_date": "2026-11-20"}
    data = {"form_id": "canbao_registration", "form_version": "2026.1",
            "household": household, "member": member}
    now = datetime(2026, 11, 23, tzinfo=UTC)
    return (serial + 1, number, str(uuid.UUID(int=serial)), 1, 0, serial + 1, village, data, now, now)


def fill_postgresql(url: str, people: int) -> None:
    import json

    import psycopg

    with psycopg.connect(url) as connection, connection.cursor() as cursor:
        with cursor.copy(f"COPY registry_person_version ({', '.join(VERSION_COLUMNS)}) FROM STDIN") as copy:
            for serial in range(people):
                row = list(person(serial))
                row[7] = json.dumps(row[7], ensure_ascii=False)
                copy.write_row(row)
        cursor.execute("SELECT setval('registry_person_version_id_seq', %s)", (people,))
        cursor.execute("INSERT INTO registry_person (id_number, current_version_id, order_key, "
                       "village_code, updated_at) SELECT id_number, id, order_key, village_code, "
                       "pushed_at FROM registry_person_version")


def fill_sqlite(url: str, people: int) -> None:
    from app.registry.models import RegistryPerson, RegistryPersonVersion

    engine = make_engine(url)
    version, current = RegistryPersonVersion.__table__, RegistryPerson.__table__
    with engine.begin() as connection:
        for start in range(0, people, 20_000):
            rows = [dict(zip(VERSION_COLUMNS, person(serial)))
                    for serial in range(start, min(start + 20_000, people))]
            connection.execute(version.insert(), rows)
            connection.execute(current.insert(), [
                {"id_number": row["id_number"], "current_version_id": row["id"],
                 "order_key": row["order_key"], "village_code": row["village_code"],
                 "updated_at": row["pushed_at"]} for row in rows])
    engine.dispose()


def copy_floor(url: str) -> float:
    """Seconds for PostgreSQL to hand over the batch's stored rows as they are: the floor of
    any export, which must at least read them."""
    import psycopg

    query = ("COPY (SELECT v.id, v.submission_id, v.revision, v.village_code, v.data "
             "FROM registry_person p JOIN registry_person_version v ON v.id = p.current_version_id "
             "ORDER BY v.id) TO STDOUT (FORMAT csv)")
    started = time.perf_counter()
    with psycopg.connect(url) as connection, connection.cursor() as cursor:
        with cursor.copy(query) as copy:
            for _block in copy:
                pass
    return time.perf_counter() - started


SECTION = "export"


def export_runs(url: str, scratch: Path) -> dict:
    """Make batch 1 (writing its CSV), then download it again as CSV and as XLSX."""
    env = app_env(url)
    runs = {
        "make batch + write CSV": ["export-batch", "--format", "csv", "-o", str(scratch / "b.csv")],
        "download CSV": ["export-batch", "--batch", "1", "--format", "csv", "-o", str(scratch / "b2.csv")],
        "download XLSX": ["export-batch", "--batch", "1", "--format", "xlsx", "-o", str(scratch / "b.xlsx")],
    }
    try:
        return {label: timed(canbao(*command), env) for label, command in runs.items()}
    finally:
        for name in ("b.csv", "b2.csv", "b.xlsx"):
            (scratch / name).unlink(missing_ok=True)


def measure(ctx: Context) -> list[Figure]:
    """Wall time and peak RSS of each run, and the downloads' ratio to the COPY floor."""
    size = f"{ctx.people:,} verified people"
    results, floor = {}, None
    for kind in ctx.databases:
        with scratch_database(kind, ctx.server, ctx.scratch) as url:
            migrate_and_seed(url)
            if kind == "postgresql":
                fill_postgresql(raw_postgresql(url), ctx.people)
                floor = copy_floor(raw_postgresql(url))
            else:
                fill_sqlite(url, ctx.people)
            results[kind] = export_runs(url, ctx.scratch)
    figures = []
    if floor is not None:
        figures.append(Figure(SECTION, "floor: COPY (SELECT stored rows) TO STDOUT", "postgresql",
                              floor, "s", size))
    for kind, runs in results.items():
        for label, run in runs.items():
            figures.append(Figure(SECTION, label, kind, run.seconds, "s", size))
            if label != "make batch + write CSV":
                figures.append(Figure(SECTION, f"{label}: peak RSS", kind, run.rss_mb, "MB", size,
                                      target="< 300"))
        if floor is not None:
            for label, target in (("download CSV", "≤ 2"), ("download XLSX", "")):
                figures.append(Figure(SECTION, f"{label} ÷ COPY TO (same run)", kind,
                                      runs[label].seconds / floor, "×", size, target=target))
    return figures
