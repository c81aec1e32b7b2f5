"""Who may import a roster, into which villages, and how its targets reach the phones."""
from app.accounts import service as accounts
from app.accounts.secrets import Passwords
from app.areas.models import Area, AreaLevel
from app.audit.service import SYSTEM
from roster_support import VILLAGE, VILLAGE2, csv_bytes, id_number, import_api, imported
from support import DEMO_PASSWORD, csrf, device_token, login

ROWS = [["张三", id_number("19900101", "501"), "一组1号", VILLAGE, "养老"],
        ["李四", id_number("19900101", "612"), "二组2号", VILLAGE2, "医疗"]]


def _masked(number: str) -> str:
    return number[:6] + "********" + number[-4:]


def _other_county_admin(app, db) -> None:
    db.add(Area(code="350525", name="永春县（演示）", level=AreaLevel.county))
    db.flush()
    accounts.create_user(session=db, passwords=Passwords(app.state.settings), actor=SYSTEM,
                         username="admin2", display_name="另一县管理员", role="admin",
                         password=DEMO_PASSWORD, area_codes_=["350525"])
    db.commit()


def test_an_admin_of_another_county_cannot_import_into_ours(app, admin, db, make_client):
    _other_county_admin(app, db)
    ours = import_api(admin, csv_bytes(ROWS)).json()
    other = make_client()
    login(other, "admin2")
    assert other.get(ours["report_url"]).status_code == 404  # nor read our admin's report
    body = import_api(other, csv_bytes(ROWS), import_valid=True).json()
    assert body["counts"]["valid"] == 0 and body["counts"]["bad"] == 2
    assert {tuple(p["codes"]) for p in body["problems"]} == {("village_not_yours",)}
    assert imported(db) == set()


def test_a_supervisor_cannot_import(client, db):
    login(client, "supervisor")
    assert import_api(client, csv_bytes(ROWS), import_valid=True).status_code == 403
    page = client.post("/admin/targets/import", files={"file": ("r.csv", csv_bytes(ROWS))},
                       data={"csrf_token": csrf(client)}, follow_redirects=False)
    assert page.status_code == 403
    assert client.get("/admin/targets").status_code == 403
    assert imported(db) == set()


def test_a_phone_pulls_the_imported_targets_with_masked_numbers(admin, db, make_client):
    phone = make_client()
    headers = {"Authorization": f"Bearer {device_token(phone, 'enumerator')}"}
    cursor = phone.get("/api/v1/sync/pull", headers=headers).json()["cursor"]

    rows = csv_bytes([row + ["enumerator"] for row in ROWS],
                     headers=["姓名", "身份证号", "地址", "村代码", "未参保险种", "登记员"])
    import_api(admin, rows, import_valid=True)
    pulled = phone.get("/api/v1/sync/pull", params={"cursor": cursor}, headers=headers)
    targets = pulled.json()["targets"]
    assert [(t["name"], t["village_code"], t["id_number_masked"], t["assigned_to"], t["uninsured"])
            for t in targets] == [
        ("张三", VILLAGE, _masked(ROWS[0][1]), "enumerator", "pension"),
        ("李四", VILLAGE2, _masked(ROWS[1][1]), "enumerator", "medical")]
    assert ROWS[0][1] not in pulled.text and ROWS[1][1] not in pulled.text

    # A second import of the same file gives the phone nothing new.
    import_api(admin, rows, import_valid=True)
    again = phone.get("/api/v1/sync/pull", params={"cursor": pulled.json()["cursor"]}, headers=headers)
    assert again.json()["targets"] == []
    assert imported(db) == {(VILLAGE, ROWS[0][1], "张三", "一组1号", "pension", "enumerator"),
                            (VILLAGE2, ROWS[1][1], "李四", "二组2号", "medical", "enumerator")}
