"""Health check, error codes and the translation catalog."""
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_unknown_api_path_has_a_stable_code(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_bad_api_body_has_validation_code_and_paths(client):
    response = client.post("/api/v1/devices", json={"username": "x"})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert {error["path"] for error in body["errors"]} == {"password", "device_name"}


def test_html_errors_are_pages_in_chinese(client):
    response = client.get("/nothing-here")
    assert response.status_code == 404 and "未找到" in response.text


def test_every_message_has_a_chinese_translation(tmp_path):
    """Extract the strings from code and templates now; every one must be in the zh_CN catalog."""
    pot = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
                    "-k", "N_", "-o", str(pot), "."], check=True, capture_output=True)
    with pot.open("rb") as handle:
        wanted = {message.id for message in read_po(handle) if message.id}
    with Path("app/locale/zh_CN/LC_MESSAGES/messages.po").open("rb") as handle:
        catalog = read_po(handle, locale="zh_CN")
    translated = {message.id for message in catalog if message.id and message.string}
    assert len(wanted) > 50
    assert sorted(wanted - translated) == []
