"""What `canbao export-batch` costs for a county-sized registry: wall time and peak memory.

    .venv/bin/python benchmarks/export_batch.py                      # SQLite, a temporary file
    .venv/bin/python benchmarks/export_batch.py postgresql://postgres@127.0.0.1:5432/postgres
        [--people 1000000]

Builds a fresh database (a temporary one on the PostgreSQL server, dropped afterwards),
migrates it, loads the demo county (for its villages and the form's choice labels), and puts N
synthetic verified people straight into registry_person_version / registry_person (COPY on
PostgreSQL, executemany on SQLite), as if the push worker had written them. Then it runs the
real command, each time under /usr/bin/time -v, and prints wall time and peak RSS:

1. `export-batch --format csv`: makes batch 1 (its items, and one rendering of each of the
   three formats to record their SHA-256) and writes the CSV (a fourth rendering);
2. `export-batch --batch 1 --format xlsx` and `--format jsonl`: a re-download each.

On PostgreSQL it also times `COPY (SELECT …) TO STDOUT (FORMAT csv)` of the same 23 columns
(codes, no labels) as the floor: what the database alone needs to hand the rows over.
Not a test: figures depend on the machine.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session
from stdnum.cn import ric

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app import demo  # noqa: E402
from app.accounts.secrets import Passwords  # noqa: E402
from app.cli import migrate  # noqa: E402
from app.config import Settings  # noqa: E402
from app.db import make_engine  # noqa: E402
from app.exports.columns import COLUMNS  # noqa: E402

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


def timed(args: list[str], url: str) -> dict:
    """Run the canbao command under /usr/bin/time -v: wall seconds, peak RSS in MiB."""
    env = dict(os.environ, CANBAO_DATABASE_URL=url)
    env.pop("CANBAO_REGISTRY_DATABASE_URL", None)
    result = subprocess.run(["/usr/bin/time", "-v", sys.executable, "-m", "app.cli", *args],
                            capture_output=True, text=True, env=env, cwd=ROOT)
    if result.returncode:
        raise SystemExit(result.stderr)
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr).group(1))
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", result.stderr).group(1)
    seconds = sum(float(part) * 60 ** index for index, part in enumerate(reversed(wall.split(":"))))
    cpu = sum(float(re.search(rf"{kind} time \(seconds\): ([\d.]+)", result.stderr).group(1))
              for kind in ("User", "System"))
    return {"seconds": seconds, "cpu": cpu, "rss_mib": rss / 1024}


def copy_floor(url: str, columns: bool) -> float:
    """Seconds for PostgreSQL to hand over the batch's rows: the stored JSON as it is, or the
    23 columns taken out of it (`json` is re-parsed for every ->>, so that costs more)."""
    import psycopg

    fields = "v.id, v.submission_id, v.revision, v.village_code, v.data"
    if columns:
        fields = ", ".join(f"v.{column.key}" if column.key in ("village_code", "submission_id", "revision")
                           else f"v.data->'member'->>'{column.key}'" for column in COLUMNS)
    query = (f"COPY (SELECT {fields} FROM registry_person p JOIN registry_person_version v "
             f"ON v.id = p.current_version_id ORDER BY v.id) TO STDOUT (FORMAT csv)")
    started = time.perf_counter()
    with psycopg.connect(url) as connection, connection.cursor() as cursor:
        with cursor.copy(query) as copy:
            for _block in copy:
                pass
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("server", nargs="?", help="a PostgreSQL URL; SQLite when left out")
    parser.add_argument("--people", type=int, default=1_000_000)
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="canbao-export-bench-"))
    admin, name = None, f"canbao_bench_{uuid.uuid4().hex[:8]}"
    if args.server:
        admin = create_engine(make_url(args.server).set(drivername="postgresql+psycopg"),
                              isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(args.server).set(database=name).render_as_string(hide_password=False)
    else:
        url = f"sqlite:///{scratch / 'bench.db'}"
    try:
        migrate(url)
        engine = make_engine(url)
        with Session(engine) as session:
            demo.seed(session, Passwords(Settings(argon2_time_cost=1, argon2_memory_kib=1024,
                                                  argon2_parallelism=1)), "bench-pass-2026")
            session.commit()
        engine.dispose()
        started = time.perf_counter()
        (fill_postgresql if args.server else fill_sqlite)(
            make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
            if args.server else url, args.people)
        print(f"{args.people} people inserted in {time.perf_counter() - started:.0f} s")
        runs = {
            "create batch + write csv": ["export-batch", "--format", "csv", "-o", str(scratch / "b.csv")],
            "re-download xlsx": ["export-batch", "--batch", "1", "--format", "xlsx", "-o", str(scratch / "b.xlsx")],
            "re-download jsonl": ["export-batch", "--batch", "1", "--format", "jsonl", "-o", str(scratch / "b.jsonl")],
            "re-download csv": ["export-batch", "--batch", "1", "--format", "csv", "-o", str(scratch / "b2.csv")],
        }
        for label, command in runs.items():
            figures = timed(command, url)
            print(f"{label}: {figures['seconds']:.1f} s wall, {figures['cpu']:.1f} s CPU, "
                  f"peak RSS {figures['rss_mib']:.0f} MiB")
        for suffix in ("csv", "xlsx", "jsonl"):
            print(f"  {suffix}: {(scratch / f'b.{suffix}').stat().st_size / 2**20:.0f} MiB")
        if args.server:
            raw = url.replace("+psycopg", "")
            print(f"floor, COPY (SELECT the stored rows) TO STDOUT: {copy_floor(raw, False):.1f} s")
            print(f"floor, COPY (SELECT 23 columns ->>) TO STDOUT (FORMAT csv): {copy_floor(raw, True):.1f} s")
    finally:
        if admin is not None:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
        for path in scratch.iterdir():
            path.unlink()
        scratch.rmdir()


if __name__ == "__main__":
    main()
