"""Logging in and out in the browser: sessions, CSRF, rate limits, the Chinese UI."""
from sqlmodel import select

from app.accounts.models import WebSession
from app.audit.models import AuditEvent
from support import DEMO_PASSWORD, csrf, login, post_form


def test_login_page_is_in_chinese(client):
    page = client.get("/login")
    assert page.status_code == 200
    assert "登录" in page.text and "用户名" in page.text and "密码" in page.text


def test_english_can_be_chosen(client):
    client.get("/lang/en")
    assert "Username" in client.get("/login").text


def test_each_role_lands_on_its_home(client):
    for username, home, marker in [("admin", "/admin", "全县概况"), ("supervisor", "/review", "审核"),
                                   ("enumerator", "/enumerator", "示范一村")]:
        client.cookies.clear()
        response = login(client, username)
        assert response.status_code == 303 and response.headers["location"] == home
        page = client.get(home)
        assert page.status_code == 200 and marker in page.text


def test_session_cookie_is_httponly_and_samesite(client):
    response = login(client, "admin")
    cookie = [value for key, value in response.headers.multi_items()
              if key == "set-cookie" and value.startswith("canbao_session=")][0]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie  # plain HTTP in tests; HTTPS requests get Secure


def test_cookie_is_secure_over_https(app):
    from fastapi.testclient import TestClient

    with TestClient(app, base_url="https://testserver") as secure_client:
        response = login(secure_client, "admin")
        cookie = [value for key, value in response.headers.multi_items()
                  if key == "set-cookie" and value.startswith("canbao_session=")][0]
        assert "Secure" in cookie


def test_wrong_password_shows_chinese_error_and_is_audited(client, db):
    response = login(client, "admin", "not-the-password")
    assert response.status_code == 401
    assert "用户名或密码错误" in response.text
    events = db.exec(select(AuditEvent).where(AuditEvent.action == "login.failed")).all()
    assert [event.object_id for event in events] == ["admin"]


def test_login_without_csrf_token_is_refused(client):
    client.get("/login")
    response = client.post("/login", data={"username": "admin", "password": DEMO_PASSWORD},
                           follow_redirects=False)
    assert response.status_code == 403
    assert "页面已过期" in response.text
    assert "canbao_session" not in client.cookies


def test_unsafe_request_needs_csrf_even_when_logged_in(client):
    login(client, "admin")
    response = client.post("/admin/users/1/active", data={"active": "false"})
    assert response.status_code == 403
    assert client.get("/admin/users/1").status_code == 200  # nothing changed, still logged in


def test_logout_kills_the_session_on_the_server(client, db):
    login(client, "supervisor")
    stolen = client.cookies["canbao_session"]
    assert post_form(client, "/logout").status_code == 303
    assert db.exec(select(WebSession)).all() == []
    client.cookies.set("canbao_session", stolen)
    response = client.get("/review", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_failed_logins_are_limited_per_account(client, settings):
    for _ in range(settings.login_max_failures_per_account):
        assert login(client, "enumerator", "wrong-password").status_code == 401
    blocked = login(client, "enumerator", DEMO_PASSWORD)
    assert blocked.status_code == 429
    assert "登录失败次数过多" in blocked.text
    # Another account from the same address is not locked out by this.
    assert login(client, "supervisor").status_code == 303


def test_failed_logins_are_limited_per_address(app, make_client):
    from support import make_settings

    limit = app.state.settings.login_max_failures_per_address
    browser = make_client()
    for number in range(limit):
        login(browser, f"nobody{number}", "wrong-password")
    assert login(browser, "admin").status_code == 429


def test_next_parameter_cannot_redirect_off_site(client):
    response = client.post("/login", data={"username": "admin", "password": DEMO_PASSWORD,
                                           "next": "//evil.example/", "csrf_token": csrf(client)},
                           follow_redirects=False)
    assert response.headers["location"] == "/admin"


def test_login_returns_to_the_page_asked_for(client):
    response = client.get("/admin/audit", follow_redirects=False)
    assert response.headers["location"] == "/login?next=/admin/audit"
    response = client.post("/login", data={"username": "admin", "password": DEMO_PASSWORD,
                                           "next": "/admin/audit", "csrf_token": csrf(client)},
                           follow_redirects=False)
    assert response.headers["location"] == "/admin/audit"


def test_disabled_user_cannot_log_in(client, make_client):
    login(client, "admin")
    enumerator_id = _user_id(client, "enumerator")
    assert post_form(client, f"/admin/users/{enumerator_id}/active", {"active": "false"}).status_code == 303
    other = make_client()
    response = login(other, "enumerator")
    assert response.status_code == 401 and "已停用" in response.text


def test_pages_send_a_strict_content_security_policy(client):
    policy = client.get("/login").headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy


def _user_id(client, username: str) -> int:
    import re

    page = client.get("/admin/users").text
    return int(re.search(rf'href="/admin/users/(\d+)">{username}<', page).group(1))
