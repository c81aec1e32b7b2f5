"""`make bench` end to end at a tiny size: every section runs against real databases, a real
uvicorn and real Chromium, and the table it prints has every figure, each a sane number.
The speed itself is not asserted (benchmarks/README.md holds the full-size figures)."""
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

# Not imported from conftest: tests/targets has a conftest module of its own, and which one
# `import conftest` finds depends on what was collected first.
PG_URL = os.environ.get("TEST_DATABASE_URL", "")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])

RUN = Path(__file__).resolve().parents[1] / "benchmarks" / "run.py"

PER_DATABASE = {
    ("roster import", "dry run (check every row, write nothing)", "s"),
    ("roster import", "import", "s"),
    ("roster import", "import: peak RSS", "MB"),
    ("roster import", "re-import, nothing changes", "s"),
    ("export", "make batch + write CSV", "s"),
    ("export", "download CSV", "s"),
    ("export", "download CSV: peak RSS", "MB"),
    ("export", "download XLSX", "s"),
    ("export", "download XLSX: peak RSS", "MB"),
    ("supervisor queue", "first page: p95", "ms"),
    ("supervisor queue", "filtered page, slowest of 8 kinds: p95", "ms"),
    ("sync pull", "first download: time", "ms"),
    ("sync pull", "first download: bytes", "KB"),
    ("sync pull", "re-pull when up to date: time (median of 20)", "ms"),
    ("sync pull", "re-pull when up to date: bytes", "KB"),
    ("调度表（一）", "whole county, median of 3", "s"),
    *(("sync push", f"{devices}: {figure}", unit)
      for devices in ("1 device", "2 devices", "2 devices, paced at 200 households/s")
      for figure, unit in (("households per second", "households/s"), ("batch p50", "ms"),
                           ("batch p95", "ms"))),
}
AGAINST_COPY = {  # only where the PostgreSQL floor was measured in the same run
    ("roster import", "import ÷ COPY (same run)", "×"),
    ("roster import", "import ÷ COPY into the target table (same run)", "×"),
    ("export", "download CSV ÷ COPY TO (same run)", "×"),
    ("export", "download XLSX ÷ COPY TO (same run)", "×"),
}
FLOORS = {("roster import", "floor: PostgreSQL COPY into a bare table", "s"),
          ("roster import", "floor: PostgreSQL COPY into the target table", "s"),
          ("export", "floor: COPY (SELECT stored rows) TO STDOUT", "s")}
APP = {("enumerator app", f"{moment}: {what}", unit)
       for moment in ("cold first load of /app (with the service worker's precache)",
                      "log in and first sync (token, pull, form page)", "open the form once cached")
       for what, unit in (("bytes", "KB"), ("requests", "requests"))}
APP.add(("enumerator app", "every app response cacheable", "yes/no"))


def run_bench(out: Path, databases: list[str], sections: str) -> tuple[str, dict]:
    command = [sys.executable, str(RUN), "--people", "300", "--submissions", "300",
               "--repetitions", "5", "--village-targets", "200", "--push-devices", "1,2",
               "--push-batches", "2", "--push-paced-rate", "200", "--push-paced-batches", "4", "--only", sections, "--databases", ",".join(databases),
               "--out", str(out)]
    if PG_URL:
        command += ["--postgresql", PG_URL]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-4000:]
    return result.stdout, json.loads((out / "results.json").read_text())


@pytest.fixture(scope="module", params=BACKENDS)
def bench(request, tmp_path_factory):
    """One run per database, like every database test; the app's figures (the same for both)
    come with SQLite's."""
    sections = "import,export,queue,pull,dispatch,push" + (",app" if request.param == "sqlite" else "")
    return request.param, *run_bench(tmp_path_factory.mktemp("bench"), [request.param], sections)


def test_the_table_has_every_figure(bench):
    database, table, results = bench
    expected = {(*row, database) for row in PER_DATABASE}
    if database == "sqlite":
        expected |= {(*row, "") for row in APP}
    else:
        expected |= {(*row, database) for row in AGAINST_COPY | FLOORS}
    found = [(f["section"], f["name"], f["unit"], f["database"]) for f in results["figures"]]
    assert sorted(found) == sorted(expected)
    assert results["cpus"] >= 1 and "300 people" in results["sizes"]
    for figure in results["figures"]:
        line = f"| {figure['section']} | {figure['name']} | {figure['database'] or '—'} |"
        assert line in table


def test_every_figure_is_a_sane_number(bench):
    _, _, results = bench
    figures = {(f["section"], f["name"], f["database"]): f for f in results["figures"]}
    for figure in results["figures"]:
        value = figure["value"]
        assert math.isfinite(value) and value >= 0, figure
        if figure["unit"] in ("s", "ms", "MB", "×", "households/s"):
            assert value > 0, figure
        if figure["unit"] == "MB":  # a Python process with the app loaded
            assert 20 < value < 2000, figure
        if figure["unit"] == "yes/no":
            assert value in (0, 1)
        if figure["target"]:
            assert figure["verdict"].startswith(("met", "not met")), figure
    for database in {f["database"] for f in results["figures"]} - {""}:
        first = figures[("sync pull", "first download: bytes", database)]["value"]
        again = figures[("sync pull", "re-pull when up to date: bytes", database)]["value"]
        assert 0 < again < first
    if bench[0] == "sqlite":
        cold = figures[("enumerator app", "cold first load of /app (with the service worker's "
                        "precache): requests", "")]["value"]
        assert cold >= 5  # the page, its CSS and modules, the manifest, the worker


def test_only_runs_the_sections_named(tmp_path):
    table, results = run_bench(tmp_path, ["sqlite"], "queue")
    assert {figure["section"] for figure in results["figures"]} == {"supervisor queue"}
    assert "sync pull" not in table
