"""Export batches: numbered, immutable, byte-identical at every download, scoped to a county or
a township, "since the last batch" by default, and for the county's admins only."""
import csv
import hashlib
import io
import json
import time

import openpyxl
import pytest
from sqlalchemy import text
from sqlmodel import Session, func, select

from app.accounts.secrets import Passwords
from app.accounts import service as accounts
from app.areas.models import Area
from app.audit.models import AuditEvent
from app.audit.service import Actor
from app.exports import render
from app.exports.columns import HEADERS
from app.exports.models import ExportBatch, ExportBatchItem
from app.exports.service import ExportMismatch
from registry_support import OTHER_TOWNSHIP_VILLAGE, approved_household, family, id_number
from support import csrf, login, post_form

FORMATS = ("csv", "xlsx", "jsonl")


@pytest.fixture
def admin(client):
    login(client, "admin")
    client.headers["X-CSRF-Token"] = csrf(client)
    return client


def _create(client, **body):
    return client.post("/api/v1/exports", json=body)


def _download(client, manifest: dict, fmt: str) -> bytes:
    response = client.get(f"/api/v1/exports/{manifest['id']}/files/{fmt}")
    assert response.status_code == 200, response.text
    return response.content


def _file(manifest: dict, fmt: str) -> dict:
    return next(item for item in manifest["files"] if item["format"] == fmt)


def _csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_a_batch_downloads_byte_identical_and_matches_its_manifest(app, admin, db):
    approved_household(app, family(ids=[id_number(1), id_number(2), id_number(3)]))
    created = _create(admin)
    assert created.status_code == 201, created.text
    manifest = created.json()
    assert (manifest["batch"], manifest["count"], manifest["scope"]) == (1, 3, "350524")
    assert manifest["created_by"] == "admin"
    for fmt in FORMATS:
        first = _download(admin, manifest, fmt)
        time.sleep(1.1 if fmt == "xlsx" else 0)  # a workbook stamped with "now" would differ
        second = _download(admin, manifest, fmt)
        assert first == second
        assert hashlib.sha256(first).hexdigest() == _file(manifest, fmt)["sha256"]
        assert len(first) == _file(manifest, fmt)["bytes"]
    assert admin.get(f"/api/v1/exports/{manifest['id']}").json() == manifest
    downloads = db.exec(select(AuditEvent.detail).where(AuditEvent.action == "export.downloaded")).all()
    assert sorted(detail["format"] for detail in downloads) == sorted(FORMATS * 2)
    assert db.exec(select(func.count()).where(AuditEvent.action == "export.created")).one() == 1


def test_the_csv_opens_in_excel_with_the_official_columns_and_labels(app, admin):
    approved_household(app, family(ids=[id_number(1), id_number(2), id_number(3)]))
    manifest = _create(admin).json()
    data = _download(admin, manifest, "csv")
    assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
    rows = _csv_rows(data)
    assert rows[0] == HEADERS
    assert rows[0][:3] == ["姓名", "公民身份号码", "性别"] and rows[0][-1] == "版本"
    head = dict(zip(HEADERS, rows[1]))
    assert head["姓名"] == "张三" and head["公民身份号码"] == id_number(1)
    assert (head["性别"], head["户口性质"], head["就业状态"]) == ("男", "农业户口", "单位就业")
    assert (head["养老保险参保状态"], head["养老保险险种"]) == ("已参保", "企业职工基本养老保险")
    assert head["现居住地"] == "示例镇示例村三组12号"  # same as the household
    assert head["联系电话"] == "13800000002"
    assert head["村（社区）代码"] == "350524100001" and head["版本"] == "1"
    spouse = dict(zip(HEADERS, rows[2]))
    assert spouse["姓名"] == "阿依古丽·买买提" and spouse["现居住地"].startswith("新疆")
    assert spouse["联系电话"] == "13800000001"  # the household's, as she gave none
    assert len(rows) == 4


def test_the_xlsx_reads_back_with_the_same_rows(app, admin, tmp_path):
    approved_household(app, family(ids=[id_number(1), id_number(2), id_number(3)]))
    manifest = _create(admin).json()
    path = tmp_path / "batch.xlsx"
    path.write_bytes(_download(admin, manifest, "xlsx"))
    sheet = openpyxl.load_workbook(path, read_only=True).active
    rows = [["" if value is None else value for value in row] for row in sheet.iter_rows(values_only=True)]
    expected = _csv_rows(_download(admin, manifest, "csv"))
    assert rows[0] == HEADERS
    assert [row[:-1] for row in rows[1:]] == [row[:-1] for row in expected[1:]]
    assert [row[-1] for row in rows[1:]] == [1, 1, 1]


def test_the_xlsx_starts_a_new_sheet_when_one_is_full(app, admin, tmp_path, monkeypatch):
    monkeypatch.setattr(render, "SHEET_ROWS", 2)
    approved_household(app, family(ids=[id_number(1), id_number(2), id_number(3)]))
    path = tmp_path / "batch.xlsx"
    path.write_bytes(_download(admin, _create(admin).json(), "xlsx"))
    workbook = openpyxl.load_workbook(path, read_only=True)
    assert workbook.sheetnames == ["人员", "人员2"]
    sizes = [len(list(workbook[name].iter_rows(values_only=True))) for name in workbook.sheetnames]
    assert sizes == [3, 2]  # each with its header


def test_json_lines_keep_codes_in_a_fixed_key_order(app, admin):
    approved_household(app, family(ids=[id_number(1), id_number(2), id_number(3)]))
    lines = _download(admin, _create(admin).json(), "jsonl").decode("utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert len(records) == 3
    assert list(records[0])[:4] == ["full_name", "id_number", "sex", "birth_date"]
    assert list(records[0])[-3:] == ["village_code", "submission_id", "revision"]
    assert {tuple(record) for record in records} == {tuple(records[0])}
    assert (records[0]["sex"], records[0]["hukou_type"]) == ("1", "agricultural")
    assert "阿依古丽·买买提" in lines[1]  # UTF-8 as itself, not \u escapes


def test_a_cell_that_looks_like_a_formula_is_neutralised(app, admin, tmp_path):
    approved_household(app, family(ids=[id_number(1), id_number(2), id_number(3)],
                                   employer="=HYPERLINK(\"http://x\")", hukou_place="+86 某地"))
    manifest = _create(admin).json()
    head = dict(zip(HEADERS, _csv_rows(_download(admin, manifest, "csv"))[1]))
    assert head["工作单位"] == "'=HYPERLINK(\"http://x\")" and head["户籍所在地"] == "'+86 某地"
    path = tmp_path / "batch.xlsx"
    path.write_bytes(_download(admin, manifest, "xlsx"))
    row = next(openpyxl.load_workbook(path).active.iter_rows(min_row=2, values_only=True))
    assert row[HEADERS.index("工作单位")] == "'=HYPERLINK(\"http://x\")"
    record = json.loads(_download(admin, manifest, "jsonl").splitlines()[0])
    assert record["employer"] == "=HYPERLINK(\"http://x\")"  # JSON is no spreadsheet


def test_nothing_new_since_the_last_batch_says_so(app, admin, db):
    approved_household(app, family(ids=[id_number(1), id_number(2), id_number(3)]))
    assert _create(admin).status_code == 201
    again = _create(admin)
    assert again.status_code == 409 and again.json()["code"] == "nothing_to_export"
    admin.cookies.set("canbao_lang", "en")
    page = post_form(admin, "/admin/exports", {"township_code": ""})
    assert page.status_code == 409 and 'data-testid="export-error"' in page.text
    assert "Nothing has been verified since the last batch" in page.text
    assert db.exec(select(func.count()).select_from(ExportBatch)).one() == 1


def test_the_page_lists_batches_with_their_hashes(app, admin):
    approved_household(app, family(ids=[id_number(1), id_number(2), id_number(3)]))
    created = post_form(admin, "/admin/exports", {"township_code": ""})
    assert created.status_code == 303
    page = admin.get("/admin/exports")
    manifest = admin.get("/api/v1/exports").json()["batches"][0]
    for item in manifest["files"]:
        assert item["sha256"] in page.text and f"/api/v1/exports/{manifest['id']}/files/{item['format']}" in page.text


def test_a_township_batch_holds_only_that_township(app, admin):
    approved_household(app, family(ids=[id_number(1), id_number(2), id_number(3)]))
    approved_household(app, family(OTHER_TOWNSHIP_VILLAGE, ids=[id_number(4), id_number(5), id_number(6)]))
    manifest = _create(admin, township_code="350524101").json()
    assert (manifest["count"], manifest["scope"]) == (3, "350524101")
    rows = _csv_rows(_download(admin, manifest, "csv"))[1:]
    assert {row[HEADERS.index("村（社区）代码")] for row in rows} == {OTHER_TOWNSHIP_VILLAGE}
    # The rest of the county comes in the next default batch, and nothing twice.
    rest = _create(admin).json()
    assert (rest["batch"], rest["count"]) == (2, 3)
    assert _create(admin, township_code="350524999").json()["code"] == "township_invalid"


def test_the_next_default_batch_holds_only_what_came_after(app, admin):
    approved_household(app, family(ids=[id_number(1), id_number(2), id_number(3)]))
    first = _create(admin).json()
    approved_household(app, family(ids=[id_number(7), id_number(8), id_number(9)]))
    # Someone of the first batch verified again (another household): the new version is new.
    approved_household(app, family(ids=[id_number(1), id_number(10), id_number(11)], employer="新单位"))
    second = _create(admin).json()
    assert (first["batch"], second["batch"]) == (1, 2)
    rows = _csv_rows(_download(admin, second, "csv"))[1:]
    people = [row[HEADERS.index("公民身份号码")] for row in rows]
    assert sorted(people) == sorted(id_number(serial) for serial in (7, 8, 9, 1, 10, 11))
    assert rows[people.index(id_number(1))][HEADERS.index("工作单位")] == "新单位"
    # The first batch still downloads as it was.
    assert hashlib.sha256(_download(admin, first, "csv")).hexdigest() == _file(first, "csv")["sha256"]


def test_supervisors_and_other_counties_can_neither_create_nor_download(app, admin, make_client, db):
    approved_household(app, family(ids=[id_number(1), id_number(2), id_number(3)]))
    manifest = _create(admin).json()
    with Session(app.state.engine) as session:
        session.add(Area(code="350525", name="另一县（演示）", level="county"))
        session.flush()
        accounts.create_user(session=session, passwords=Passwords(app.state.settings),
                             actor=Actor(username="test"), username="admin2", display_name="另一县管理员",
                             role="admin", password="another-pass-2026", area_codes_=["350525"])
        session.commit()
    supervisor = make_client()
    login(supervisor, "supervisor")
    supervisor.headers["X-CSRF-Token"] = csrf(supervisor)
    other = make_client()
    login(other, "admin2", "another-pass-2026")
    other.headers["X-CSRF-Token"] = csrf(other)
    batch = f"/api/v1/exports/{manifest['id']}"
    for url in ("/api/v1/exports", batch, f"{batch}/files/csv", "/admin/exports"):
        assert supervisor.get(url).status_code == 403
    assert _create(supervisor).status_code == 403
    assert other.get(batch).status_code == 404
    assert other.get(f"{batch}/files/csv").status_code == 404
    assert other.get("/api/v1/exports").json() == {"batches": []}
    assert _create(other, county_code="350524").status_code == 404
    assert _create(other).json()["code"] == "nothing_to_export"
    assert db.exec(select(func.count()).where(AuditEvent.action == "export.downloaded")).one() == 0


def test_batches_are_immutable_in_the_database(app, admin):
    approved_household(app, family(ids=[id_number(1), id_number(2), id_number(3)]))
    manifest = _create(admin).json()
    statements = [
        "UPDATE export_batch SET number = 9",
        "DELETE FROM export_batch",
        "UPDATE export_batch_file SET sha256 = 'x'",
        "DELETE FROM export_batch_item",
        f"INSERT INTO export_batch_item (batch_id, person_version_id) VALUES ({manifest['id']}, 999)",
    ]
    for statement in statements:
        with Session(app.state.engine) as session:
            with pytest.raises(Exception, match="immutable"):
                session.exec(text(statement))
            session.rollback()
    with Session(app.state.engine) as session:
        assert session.exec(select(func.count()).select_from(ExportBatchItem)).one() == 3


def test_an_unreachable_registry_is_a_clear_error(app, admin):
    approved_household(app, family(ids=[id_number(1), id_number(2), id_number(3)]))
    manifest = _create(admin).json()
    from app.db import make_engine

    app.state.registry_engine = make_engine("sqlite:////nonexistent-folder/registry.db", create_folder=False)
    assert admin.get(f"/api/v1/exports/{manifest['id']}/files/csv").json()["code"] == "registry_unavailable"
    assert _create(admin).json()["code"] == "registry_unavailable"


def test_a_download_that_would_differ_breaks_off(app, admin):
    approved_household(app, family(ids=[id_number(1), id_number(2), id_number(3)]))
    manifest = _create(admin).json()
    # The registry's rows are not the batch's to guard; someone changes one behind its back.
    with Session(app.state.registry_engine) as session:
        session.exec(text("UPDATE registry_person_version SET revision = 7"))
        session.commit()
    with pytest.raises(ExportMismatch):
        admin.get(f"/api/v1/exports/{manifest['id']}/files/jsonl")
