"""Device tokens for the phone app: issue, use, list, revoke."""
from sqlmodel import select

from app.accounts.models import DeviceToken
from support import DEMO_PASSWORD, device_token, login, post_form


def test_device_login_returns_a_token_that_authenticates(client):
    token = device_token(client, "enumerator", name="红米 9A")
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    body = me.json()
    assert body["username"] == "enumerator" and body["role"] == "enumerator"
    assert body["area_codes"] == ["350524100001", "350524100002"]
    assert [node["code"] for node in body["areas"]] == ["350524100001", "350524100002"]
    assert body["device_id"] is not None


def test_me_shows_a_supervisor_their_township_tree(client):
    token = device_token(client, "supervisor")
    body = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert [node["code"] for node in body["areas"]] == ["350524100"]
    assert [child["code"] for child in body["areas"][0]["children"]] == [
        "350524100001", "350524100002", "350524100003"]


def test_tokens_are_stored_hashed(client, db):
    token = device_token(client, "enumerator")
    stored = db.exec(select(DeviceToken)).one()
    assert token not in stored.token_hash and len(stored.token_hash) == 64


def test_wrong_password_gets_a_stable_code(client):
    response = client.post("/api/v1/devices", json={"username": "enumerator", "password": "nope",
                                                     "device_name": "phone"})
    assert response.status_code == 401
    assert response.json()["code"] == "login_failed"


def test_device_login_is_rate_limited_too(client, settings):
    for _ in range(settings.login_max_failures_per_account):
        client.post("/api/v1/devices", json={"username": "enumerator", "password": "nope",
                                              "device_name": "phone"})
    response = client.post("/api/v1/devices", json={"username": "enumerator",
                                                     "password": DEMO_PASSWORD,
                                                     "device_name": "phone"})
    assert response.status_code == 429 and response.json()["code"] == "login_throttled"


def test_user_lists_and_revokes_own_device(client):
    token = device_token(client, "enumerator", name="phone A")
    headers = {"Authorization": f"Bearer {token}"}
    devices = client.get("/api/v1/devices", headers=headers).json()
    assert [d["name"] for d in devices] == ["phone A"] and devices[0]["revoked"] is False
    assert client.delete(f"/api/v1/devices/{devices[0]['id']}", headers=headers).status_code == 204
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401 and response.json()["code"] == "token_invalid"


def test_user_cannot_revoke_someone_elses_device(client):
    theirs = device_token(client, "enumerator2")
    their_id = client.get("/api/v1/devices", headers={"Authorization": f"Bearer {theirs}"}).json()[0]["id"]
    mine = device_token(client, "enumerator")
    response = client.delete(f"/api/v1/devices/{their_id}", headers={"Authorization": f"Bearer {mine}"})
    assert response.status_code == 404
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {theirs}"}).status_code == 200


def test_admin_revokes_a_device_from_the_devices_page(client, make_client):
    phone = make_client()
    token = device_token(phone, "enumerator", name="lost phone")
    login(client, "admin")
    page = client.get("/admin/devices")
    assert "lost phone" in page.text
    device_id = client.get("/api/v1/devices", headers={"Authorization": f"Bearer {token}"}).json()[0]["id"]
    assert post_form(client, f"/admin/devices/{device_id}/revoke").status_code == 303
    assert phone.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_user_revokes_own_device_from_the_web_page(client):
    token = device_token(client, "supervisor", name="old phone")
    login(client, "supervisor")
    assert "old phone" in client.get("/account/devices").text
    device_id = client.get("/api/v1/devices", headers={"Authorization": f"Bearer {token}"}).json()[0]["id"]
    assert post_form(client, f"/account/devices/{device_id}/revoke").status_code == 303
    assert "已注销" in client.get("/account/devices").text


def test_disabling_a_user_revokes_their_devices(client, make_client):
    phone = make_client()
    token = device_token(phone, "enumerator2")
    login(client, "admin")
    import re

    user_id = re.search(r'href="/admin/users/(\d+)">enumerator2<', client.get("/admin/users").text).group(1)
    post_form(client, f"/admin/users/{user_id}/active", {"active": "false"})
    assert phone.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_bad_bearer_token_gets_401_with_code(client):
    response = client.get("/api/v1/me", headers={"Authorization": "Bearer not-a-token"})
    assert response.status_code == 401 and response.json()["code"] == "token_invalid"


def test_api_without_credentials_gets_401_json(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401 and response.json()["code"] == "auth_required"
