"""`canbao export-batch`, run as an operator runs it."""
import hashlib
import os
import subprocess
import sys

from sqlmodel import select

from app.exports.models import ExportBatchFile
from registry_support import approved_household, family, id_number


def run(*args, database_url):
    env = dict(os.environ, CANBAO_DATABASE_URL=database_url)
    env.pop("CANBAO_REGISTRY_DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "app.cli", *args], capture_output=True, text=True,
                          env=env, timeout=120)


def test_export_batch_writes_a_new_batch_and_rewrites_an_old_one(app, db, database_url, tmp_path):
    approved_household(app, family(ids=[id_number(1), id_number(2), id_number(3)]))
    created = run("export-batch", "-o", str(tmp_path / "b1.csv"), database_url=database_url)
    assert created.returncode == 0, created.stderr
    assert "batch 1 of county 350524: 3 people" in created.stderr
    again = run("export-batch", "--batch", "1", "--format", "xlsx", "-o", str(tmp_path / "b1.xlsx"),
                database_url=database_url)
    assert again.returncode == 0, again.stderr
    recorded = {row.format: row.sha256 for row in db.exec(select(ExportBatchFile))}
    for fmt in ("csv", "xlsx"):
        data = (tmp_path / f"b1.{fmt}").read_bytes()
        assert hashlib.sha256(data).hexdigest() == recorded[fmt]
        assert recorded[fmt] in (created.stderr + again.stderr)

    empty = run("export-batch", "-o", str(tmp_path / "b2.csv"), database_url=database_url)
    assert empty.returncode == 1 and empty.stderr.count("\n") == 1
    assert "Nothing has been verified since the last batch" in empty.stderr
    assert not (tmp_path / "b2.csv").exists()
    missing = run("export-batch", "--batch", "7", "-o", str(tmp_path / "b7.csv"), database_url=database_url)
    assert missing.returncode == 1 and "county 350524 has no batch 7" in missing.stderr
