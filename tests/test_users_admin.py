"""Admins create, disable, reset and reassign users within their county."""
import re

from sqlmodel import select

from app.accounts.models import User, UserArea, WebSession
from app.audit.models import AuditEvent
from support import login, post_form


def _id(client, username):
    return int(re.search(rf'href="/admin/users/(\d+)">{username}<', client.get("/admin/users").text).group(1))


def test_admin_creates_an_enumerator_who_can_then_log_in(client, make_client, db):
    login(client, "admin")
    response = post_form(client, "/admin/users", {"username": "zhangsan", "display_name": "张三",
                                                  "role": "enumerator", "password": "secret-pass-1",
                                                  "area_codes": ["350524100003", "350524101002"]})
    assert response.status_code == 303
    assert "张三" in client.get("/admin/users").text
    phone = make_client()
    assert login(phone, "zhangsan", "secret-pass-1").headers["location"] == "/enumerator"
    page = phone.get("/enumerator").text
    assert "示范三村" in page and "示范五村" in page
    user = db.exec(select(User).where(User.username == "zhangsan")).one()
    assert user.password_hash.startswith("$argon2id$")
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "user.create",
                                            AuditEvent.object_id == str(user.id))).one()


def test_create_refuses_bad_input_with_chinese_messages_and_writes_nothing(client, db):
    login(client, "admin")
    cases = [
        ({"username": "enumerator", "role": "enumerator", "password": "secret-pass-1",
          "area_codes": "350524100001"}, "已被使用"),
        ({"username": "li", "role": "enumerator", "password": "short", "area_codes": "350524100001"},
         "至少需要 8 个字符"),
        ({"username": "li", "role": "supervisor", "password": "secret-pass-1",
          "area_codes": "350524100001"}, "级别与该角色不符"),
        ({"username": "li", "role": "enumerator", "password": "secret-pass-1"}, "请选择该用户负责的区域"),
        ({"username": "li wei", "role": "enumerator", "password": "secret-pass-1",
          "area_codes": "350524100001"}, "用户名须为"),
    ]
    count = len(db.exec(select(User)).all())
    for form, message in cases:
        response = post_form(client, "/admin/users", form)
        assert response.status_code == 400, form
        assert message in response.text, form
    db.expire_all()
    assert len(db.exec(select(User)).all()) == count


def test_reset_password_logs_the_user_out_everywhere(client, make_client, db):
    browser = make_client()
    login(browser, "enumerator")
    login(client, "admin")
    user_id = _id(client, "enumerator")
    assert post_form(client, f"/admin/users/{user_id}/password", {"password": "new-password-9"}).status_code == 303
    assert browser.get("/enumerator", follow_redirects=False).status_code == 303
    assert login(make_client(), "enumerator", "new-password-9").status_code == 303


def test_reassign_moves_a_user_to_other_villages(client, make_client):
    login(client, "admin")
    user_id = _id(client, "enumerator2")
    response = post_form(client, f"/admin/users/{user_id}/assignment",
                         {"role": "enumerator", "area_codes": ["350524102001"]})
    assert response.status_code == 303
    phone = make_client()
    login(phone, "enumerator2")
    page = phone.get("/enumerator").text
    assert "示范七村" in page and "示范四村" not in page


def test_reassign_refusal_changes_nothing(client, db):
    login(client, "admin")
    user_id = _id(client, "supervisor")
    response = post_form(client, f"/admin/users/{user_id}/assignment",
                         {"role": "supervisor", "area_codes": ["350524101", "350524102"]})
    assert response.status_code == 400 and "只能负责一个区域" in response.text
    db.expire_all()
    assert [row.area_code for row in db.exec(select(UserArea).where(UserArea.user_id == user_id))] == ["350524100"]


def test_admin_cannot_disable_themselves(client):
    login(client, "admin")
    response = post_form(client, f"/admin/users/{_id(client, 'admin')}/active", {"active": "false"})
    assert response.status_code == 400 and "不能停用自己的账号" in response.text


def test_disable_then_enable(client, make_client, db):
    login(client, "admin")
    user_id = _id(client, "supervisor2")
    browser = make_client()
    login(browser, "supervisor2")
    post_form(client, f"/admin/users/{user_id}/active", {"active": "false"})
    assert browser.get("/review", follow_redirects=False).status_code == 303
    assert db.exec(select(WebSession).where(WebSession.user_id == user_id)).all() == []
    post_form(client, f"/admin/users/{user_id}/active", {"active": "true"})
    assert login(make_client(), "supervisor2").status_code == 303
