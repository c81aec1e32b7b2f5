"""The synthetic county generator (benchmarks/generate.py), small: its output is valid, the
same seed gives the same file, and both the areas and the roster import cleanly."""
import csv
import subprocess
import sys
from pathlib import Path

from app.common import idcard
from app.targets.checks import insurance_keys
from roster_support import import_api, imported
from support import csrf

GENERATOR = Path(__file__).resolve().parents[2] / "benchmarks" / "generate.py"


def generate(out: Path, *args: str) -> None:
    subprocess.run([sys.executable, str(GENERATOR), "--out", str(out), "--townships", "2",
                    "--villages", "3", *args], check=True, capture_output=True, timeout=120)


def test_same_seed_same_file_and_every_id_number_valid(tmp_path):
    generate(tmp_path / "a", "--people", "2000", "--seed", "7")
    generate(tmp_path / "b", "--people", "2000", "--seed", "7")
    first = (tmp_path / "a" / "roster.csv").read_bytes()
    assert first == (tmp_path / "b" / "roster.csv").read_bytes()
    rows = list(csv.DictReader(first.decode("utf-8-sig").splitlines()))
    assert len(rows) == 2000
    assert all(idcard.check(row["公民身份号码"]).valid for row in rows)
    assert len({row["公民身份号码"] for row in rows}) == 2000
    assert any("·" in row["姓名"] for row in rows)
    assert any(ord(char) > 0xFFFF for row in rows for char in row["姓名"])  # outside the BMP
    households = {row["户编号"] for row in rows}
    assert 2000 / 8 <= len(households) < 2000


def test_generated_areas_and_roster_import(admin, db, tmp_path):
    generate(tmp_path, "--people", "2000")
    areas = admin.post("/admin/areas/import",
                       files={"file": ("areas.csv", (tmp_path / "areas.csv").read_bytes())},
                       data={"csrf_token": csrf(admin)})
    assert areas.status_code == 200, areas.text
    body = import_api(admin, (tmp_path / "roster.csv").read_bytes(), import_valid=True).json()
    assert body["counts"] == {"rows": 2000, "valid": 2000, "bad": 0, "created": 2000,
                              "updated": 0, "unchanged": 0}
    with (tmp_path / "roster.csv").open(encoding="utf-8-sig", newline="") as handle:
        expected = {(row["村（社区）代码"], row["公民身份号码"], row["姓名"], row["户籍地址"],
                     insurance_keys(row["未参保险种"])[0], None) for row in csv.DictReader(handle)}
    assert imported(db) == expected


def test_generated_xlsx_imports_the_same_people(admin, db, tmp_path):
    generate(tmp_path / "csv", "--people", "300")
    generate(tmp_path / "xlsx", "--people", "300", "--format", "xlsx")
    admin.post("/admin/areas/import", data={"csrf_token": csrf(admin)},
               files={"file": ("areas.csv", (tmp_path / "csv" / "areas.csv").read_bytes())})
    body = import_api(admin, (tmp_path / "xlsx" / "roster.xlsx").read_bytes(), name="roster.xlsx",
                      import_valid=True).json()
    assert body["counts"]["created"] == 300 and body["counts"]["bad"] == 0
    again = import_api(admin, (tmp_path / "csv" / "roster.csv").read_bytes(), import_valid=True).json()
    assert again["counts"]["unchanged"] == 300
    assert len(imported(db)) == 300
