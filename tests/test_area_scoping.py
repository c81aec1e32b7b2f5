"""People see and touch only what lies inside their area; roles limit what they may do."""
import re

from support import device_token, login, post_form

TOWNSHIP2_VILLAGE = "350524101001"


def _bearer(client, username):
    return {"Authorization": f"Bearer {device_token(client, username)}"}


def test_enumerator_cannot_read_another_townships_area(client):
    headers = _bearer(client, "enumerator")
    assert client.get("/api/v1/areas/350524100001", headers=headers).status_code == 200
    for code in (TOWNSHIP2_VILLAGE, "350524101", "350524", "350524100003"):
        response = client.get(f"/api/v1/areas/{code}", headers=headers)
        assert response.status_code == 404, code
        assert "name" not in response.json()


def test_supervisor_sees_own_township_only(client):
    headers = _bearer(client, "supervisor")
    body = client.get("/api/v1/areas/350524100", headers=headers).json()
    assert [child["code"] for child in body["children"]] == ["350524100001", "350524100002",
                                                             "350524100003"]
    assert client.get("/api/v1/areas/350524101", headers=headers).status_code == 404


def test_supervisor_cannot_manage_users(client):
    login(client, "supervisor")
    for path in ("/admin/users", "/admin/users/1", "/admin/devices", "/admin/audit", "/admin/areas"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 403, path
        assert "没有执行此操作的权限" in response.text
    response = post_form(client, "/admin/users", {"username": "sneaky", "role": "admin",
                                                  "password": "password123",
                                                  "area_codes": "350524"})
    assert response.status_code == 403


def test_enumerator_cannot_use_admin_or_review_pages(client):
    login(client, "enumerator")
    assert client.get("/admin", follow_redirects=False).status_code == 403
    assert client.get("/review", follow_redirects=False).status_code == 403


def test_enumerator_home_lists_only_their_villages(client):
    login(client, "enumerator")
    page = client.get("/enumerator").text
    assert "示范一村" in page and "示范二村" in page
    assert "示范三村" not in page and "示范四村" not in page


def test_admin_of_another_county_sees_nothing_of_ours(client, db):
    from app.accounts.secrets import Passwords
    from app.accounts import service as accounts
    from app.areas.models import Area
    from app.audit.service import SYSTEM

    db.add(Area(code="350525", name="另一县（演示）", level="county"))
    db.flush()
    accounts.create_user(session=db, passwords=Passwords(client.app.state.settings), actor=SYSTEM,
                         username="otheradmin", display_name="x", role="admin",
                         password="password-123", area_codes_=["350525"])
    db.commit()
    login(client, "otheradmin", "password-123")
    users_page = client.get("/admin/users").text
    assert ">enumerator<" not in users_page and ">otheradmin<" in users_page
    admin_id = _user_id_by_name(db, "enumerator")
    assert client.get(f"/admin/users/{admin_id}").status_code == 404
    response = post_form(client, f"/admin/users/{admin_id}/password", {"password": "hijacked-123"})
    assert response.status_code == 404


def _user_id_by_name(db, username):
    from sqlmodel import select

    from app.accounts.models import User

    return db.exec(select(User).where(User.username == username)).one().id
