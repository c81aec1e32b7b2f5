"""`canbao import-targets`, run as an operator runs it: dry run, import, report, mapping, and a
refused file with a one-line error."""
import os
import subprocess
import sys

from roster_support import VILLAGE, csv_bytes, id_number, imported, xlsx_bytes

GOOD = ["张三", id_number("19900101", "501"), "一组1号", VILLAGE, "养老"]
BAD = ["李四", id_number("19900101", "612"), "二组2号", "350524999001", "医疗"]


def run(database_url, *args):
    env = dict(os.environ, CANBAO_DATABASE_URL=database_url)
    return subprocess.run([sys.executable, "-m", "app.cli", "import-targets", *args],
                          capture_output=True, text=True, env=env, timeout=120)


def test_dry_run_then_import_with_a_report(database_url, db, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_bytes(csv_bytes([GOOD, BAD]))
    report = tmp_path / "report.csv"

    dry = run(database_url, str(roster), "--report", str(report))
    assert dry.returncode == 0, dry.stderr
    assert f"{roster}:3: village_not_yours:" in dry.stderr
    assert "2 rows, 1 valid, 1 bad; 1 new, 0 changed, 0 unchanged; dry run" in dry.stderr
    assert report.read_text("utf-8-sig").splitlines()[1].startswith("3,李四,")
    assert imported(db) == set()

    done = run(database_url, str(roster), "--import-valid")
    assert done.returncode == 0 and done.stderr.strip().endswith("imported")
    again = run(database_url, str(roster), "--import-valid")
    assert "0 new, 0 changed, 1 unchanged" in again.stderr
    assert imported(db) == {(VILLAGE, GOOD[1], "张三", "一组1号", "pension", None)}


def test_unknown_headers_need_a_map(database_url, db, tmp_path):
    roster = tmp_path / "roster.xlsx"
    roster.write_bytes(xlsx_bytes([GOOD], headers=["XM", "身份证号", "地址", "村代码", "未参保险种"]))
    refused = run(database_url, str(roster), "--import-valid")
    assert refused.returncode == 1
    line = refused.stderr.strip()
    assert "\n" not in line and line.startswith("canbao: error: ")
    assert "XM、身份证号、地址、村代码、未参保险种" in line and "--map" in line
    assert imported(db) == set()

    mapped = run(database_url, str(roster), "--import-valid", "--map", "姓名=XM")
    assert mapped.returncode == 0, mapped.stderr
    assert imported(db) == {(VILLAGE, GOOD[1], "张三", "一组1号", "pension", None)}


def test_a_file_that_is_not_a_roster_is_refused(database_url, db, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    result = run(database_url, str(empty), "--import-valid")
    assert result.returncode == 1 and "The file has no rows." in result.stderr
    xls = tmp_path / "old.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    result = run(database_url, str(xls))
    assert result.returncode == 1 and ".xls" in result.stderr
    assert imported(db) == set()
