"""An admin uploads a new form version (XLSForm .xlsx), previews, publishes; enumerators get it."""
import io
import openpyxl
import yaml
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import select

import pytest

from app.forms.models import FormVersion
from app.forms.xlsform import write_xlsx
from form_samples import local_version
from support import csrf, device_token, login, post_form

def upload(client, name: str, data: bytes):
    return client.post("/admin/forms", data={"csrf_token": csrf(client)},
                       files={"file": (name, data, "application/octet-stream")}, follow_redirects=False)


def _row(db, version):
    db.expire_all()
    return db.exec(select(FormVersion).where(FormVersion.version == version)).one()


def test_upload_preview_publish_and_the_enumerator_gets_it(client, make_client, db):
    phone = make_client()
    headers = {"Authorization": f"Bearer {device_token(phone, 'enumerator')}"}
    assert [f["version"] for f in phone.get("/api/v1/forms", headers=headers).json()] == ["2026.1"]

    login(client, "admin")
    response = upload(client, "county.xlsx", write_xlsx(local_version()))
    assert response.status_code == 303
    row = _row(db, "2026.2")
    assert row.status == "draft"
    preview = client.get(response.headers["location"])
    assert "是否茶农户" in preview.text and "草稿" in preview.text
    # A draft reaches no phone.
    assert [f["version"] for f in phone.get("/api/v1/forms", headers=headers).json()] == ["2026.1"]
    assert phone.get("/api/v1/forms/canbao_registration/2026.2", headers=headers).status_code == 404

    assert post_form(client, f"/admin/forms/{row.id}/publish").status_code == 303
    assert _row(db, "2026.2").status == "published"
    versions = {f["version"] for f in phone.get("/api/v1/forms", headers=headers).json()}
    assert versions == {"2026.1", "2026.2"}
    body = phone.get("/api/v1/forms/canbao_registration/2026.2", headers=headers).json()
    names = [child["name"] for child in body["definition"]["fields"][0]["children"]]
    assert "tea_farmer" in names
    browser = make_client()
    login(browser, "enumerator")
    assert "是否茶农户" in browser.get("/enumerator/forms/canbao_registration").text


def test_a_broken_xlsx_lists_every_problem_and_saves_nothing(client, db):
    login(client, "admin")
    broken = local_version("2026.3")
    broken["survey"] = list(broken["survey"]) + [
        {"type": "text", "name": "address", "label": "重复"},
        {"type": "select_one nowhere", "name": "x1", "label": "缺列表"},
        {"type": "text", "name": "x2", "label": "坏表达式", "relevant": "${missing} = 1"},
    ]
    response = upload(client, "broken.xlsx", write_xlsx(broken))
    assert response.status_code == 400
    assert "表单有错误，未保存任何内容" in response.text
    problems = response.text.split('data-testid="form-problems"')[1].split("</ul>")[0]
    assert problems.count("<li>") >= 3
    db.expire_all()
    assert db.exec(select(FormVersion).where(FormVersion.version == "2026.3")).first() is None


def test_a_published_version_cannot_be_replaced(client, db):
    login(client, "admin")
    response = upload(client, "same.yaml", yaml.safe_dump(local_version("2026.1"), allow_unicode=True).encode())
    assert response.status_code == 400
    assert "已经发布，不能修改" in response.text
    assert "tea_farmer" not in str(_row(db, "2026.1").definition)


@pytest.mark.parametrize("statement", ["UPDATE form_version SET title = 'x'", "DELETE FROM form_version"])
def test_the_database_keeps_published_versions_frozen(db, statement):
    with pytest.raises(DBAPIError, match="immutable"):
        db.exec(text(statement))
        db.commit()
    db.rollback()


def test_wrong_file_types_are_refused(client):
    login(client, "admin")
    response = upload(client, "form.pdf", b"%PDF")
    assert response.status_code == 400 and "请上传 .xlsx、.yaml 或 .json" in response.text
    response = upload(client, "form.xlsx", b"not a zip")
    assert response.status_code == 400


def test_admin_downloads_the_version_as_xlsx(client):
    login(client, "admin")
    rows = client.get("/admin/forms").text
    form_id = rows.split('href="/admin/forms/')[1].split('"')[0]
    response = client.get(f"/admin/forms/{form_id}/download.xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert {"survey", "choices", "settings"} <= set(book.sheetnames)


def test_server_check_uses_the_published_rules_and_scopes_the_village(client):
    headers = {"Authorization": f"Bearer {device_token(client, 'enumerator')}"}
    payload = {"village_code": "350524100001", "address": "一组", "visit_outcome": "not_home",
               "visit_date": "2026-11-20"}
    result = client.post("/api/v1/forms/canbao_registration/2026.1/validate", json=payload, headers=headers).json()
    assert result == {"valid": True, "errors": [], "warnings": []}
    bad = client.post("/api/v1/forms/canbao_registration/2026.1/validate",
                      json={**payload, "members": "x", "nickname": 1}, headers=headers).json()
    assert {(e["path"], e["code"]) for e in bad["errors"]} >= {("nickname", "field_unknown")}
    foreign = client.post("/api/v1/forms/canbao_registration/2026.1/validate",
                          json={**payload, "village_code": "350524101001"}, headers=headers)
    assert foreign.status_code == 403 and foreign.json()["code"] == "village_not_yours"


def test_supervisor_cannot_upload_forms(client):
    login(client, "supervisor")
    assert upload(client, "x.yaml", b"settings: {}").status_code == 403
