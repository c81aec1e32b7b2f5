"""Importing the area tree from CSV: encodings, row-level errors, all-or-nothing."""
from sqlmodel import select

from app.areas import service as areas
from app.areas.models import Area
from support import login

GOOD = "code,name,parent\n350524103,演示四镇,350524\n350524103001,示范十村,350524103\n"


def _upload(client, data: bytes, name="areas.csv"):
    from support import csrf

    return client.post("/admin/areas/import", data={"csrf_token": csrf(client)},
                       files={"file": (name, data, "text/csv")})


def _codes(db):
    db.expire_all()
    return {area.code for area in db.exec(select(Area))}


def test_admin_imports_utf8_csv_and_sees_the_tree(client, db):
    login(client, "admin")
    response = _upload(client, GOOD.encode())
    assert response.status_code == 200
    assert "新增 2 个区域" in response.text
    assert "示范十村" in response.text
    assert {"350524103", "350524103001"} <= _codes(db)
    assert db.get(Area, "350524103001").parent_code == "350524103"


def test_gbk_and_bom_files_are_read(client, db):
    login(client, "admin")
    assert _upload(client, GOOD.encode("gbk")).status_code == 200
    assert db.get(Area, "350524103").name == "演示四镇"
    renamed = GOOD.replace("演示四镇", "演示四镇改").encode("utf-8-sig")
    response = _upload(client, renamed)
    assert "更名 1 个" in response.text
    db.expire_all()
    assert db.get(Area, "350524103").name == "演示四镇改"


def test_twelve_digit_padded_codes_are_understood(db):
    result = areas.import_areas(db, "350524104000,演示五镇\n350524104001,示范村\n".encode())
    assert result.errors == [] and result.created == 2
    assert db.get(Area, "350524104").level == "township"


def test_a_bad_file_lists_every_bad_row_and_imports_nothing(client, db):
    login(client, "admin")
    before = _codes(db)
    bad = ("code,name\n"
           "350524105,好乡\n"        # row 2 fine on its own
           "35052410,坏代码\n"       # row 3: wrong length
           "350524105001,\n"          # row 4: no name
           "350524106001,孤村\n"     # row 5: parent not anywhere
           "350524105,重复\n")        # row 6: duplicate
    response = _upload(client, bad.encode())
    assert response.status_code == 400
    assert "未导入任何数据" in response.text
    for row in ("第 3 行", "第 4 行", "第 5 行", "第 6 行"):
        assert row in response.text
    assert "第 2 行" not in response.text
    assert _codes(db) == before


def test_parent_column_must_agree_with_the_code(db):
    result = areas.import_areas(db, "350524107001,某村,350524100\n".encode())
    assert [error.code for error in result.errors] == ["area_parent_mismatch"]


def test_binary_garbage_is_refused_with_a_clear_message(client, db):
    login(client, "admin")
    before = _codes(db)
    response = _upload(client, bytes(range(128, 256)) * 10)
    assert response.status_code == 400
    assert "既不是 UTF-8 也不是 GBK" in response.text or "区划代码" in response.text
    assert _codes(db) == before


def test_admin_cannot_import_areas_of_another_county(client, db):
    login(client, "admin")
    before = _codes(db)
    response = _upload(client, "350525,别县\n350525100,别镇\n".encode())
    assert response.status_code == 400
    assert "不能导入本县以外的区域" in response.text
    assert _codes(db) == before
