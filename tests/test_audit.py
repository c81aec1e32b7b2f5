"""The audit trail: what writes to it, the admin page, and that it cannot be rewritten."""
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import select

from app.audit.models import AuditEvent
from support import device_token, login, post_form


def _actions(db):
    db.expire_all()
    return [event.action for event in db.exec(select(AuditEvent).order_by(AuditEvent.id))]


def test_logins_failures_tokens_and_user_changes_are_recorded(client, db):
    start = len(_actions(db))
    login(client, "admin", "wrong-password")
    login(client, "admin")
    device_token(client, "enumerator")
    post_form(client, "/admin/users", {"username": "wangwu", "role": "enumerator",
                                      "password": "secret-pass-1", "area_codes": "350524100001"})
    post_form(client, "/logout")
    assert _actions(db)[start:] == ["login.failed", "login", "device.issue", "user.create", "logout"]
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "device.issue")).one()
    assert event.actor_name == "enumerator" and event.device_id is not None and event.address


def test_admin_page_filters_by_action_and_user(client):
    login(client, "enumerator", "wrong-password")
    login(client, "admin")
    page = client.get("/admin/audit", params={"action": "login.failed"})
    assert page.status_code == 200
    assert "login.failed" in page.text and "共 1 条记录" in page.text
    page = client.get("/admin/audit", params={"actor": "admin", "action": "login"})
    assert "共 1 条记录" in page.text


@pytest.mark.parametrize("statement", ["UPDATE audit_event SET action = 'forged'",
                                       "DELETE FROM audit_event"])
def test_the_database_refuses_to_rewrite_events(client, db, statement):
    login(client, "admin")
    before = _actions(db)
    assert before
    with pytest.raises(DBAPIError, match="append-only"):
        db.exec(text(statement))
        db.commit()
    db.rollback()
    assert _actions(db) == before


def test_no_code_path_updates_or_deletes_events():
    """Alongside the trigger: the application code never even tries."""
    from pathlib import Path
    import re

    offenders = []
    root = Path(__file__).resolve().parents[1]
    for path in [*(root / "app").rglob("*.py"), *(root / "sync").rglob("*.py")]:
        source = path.read_text(encoding="utf-8")
        if (re.search(r"(update|delete)\(\s*AuditEvent", source) or "session.delete(event" in source
                or re.search(r"(UPDATE|DELETE\s+FROM)\s+audit_event", source, re.IGNORECASE)):
            offenders.append(str(path))
    assert offenders == []


def test_paging_through_the_log_keeps_the_filters(client, db):
    from app.audit import service as audit
    from app.audit.service import Actor

    for number in range(60):
        audit.record(db, Actor(username="cli"), "areas.import", object_id=f"file{number}")
    db.commit()
    login(client, "admin")
    first = client.get("/admin/audit", params={"action": "areas.import"}).text
    assert 'href="?action=areas.import&amp;page=2"' in first
    second = client.get("/admin/audit", params={"action": "areas.import", "page": 2}).text
    assert "file9<" in second and 'href="?action=areas.import&amp;page=1"' in second
