"""Roster import through the API: file formats, row checks, dry run, import of the valid rows,
re-import. Each test ends by looking at exactly which targets the database holds."""
from sqlmodel import select

from app.audit.models import AuditEvent
from roster_support import (HEADERS, VILLAGE, VILLAGE2, csv_bytes, id_number, import_api,
                            imported, seqs, xlsx_bytes)
from sync.changes import current_seq

ZHANG = id_number("19900101", "501")
LI = id_number("19851231", "602")
WANG = id_number("20010704", "713")
GOOD_ROWS = [
    ["张三", ZHANG, "示范一村1组1号", VILLAGE, "养老,医疗"],
    ["阿依古丽·买买提", LI, "示范一村2组5号", VILLAGE, "养老保险、医疗保险"],
    ["𠀀龘㐀", WANG, "示范二村3组8号", VILLAGE2, "工伤 失业 生育"],
]
GOOD_TARGETS = {
    (VILLAGE, ZHANG, "张三", "示范一村1组1号", "pension medical", None),
    (VILLAGE, LI, "阿依古丽·买买提", "示范一村2组5号", "pension medical", None),
    (VILLAGE2, WANG, "𠀀龘㐀", "示范二村3组8号", "work_injury unemployment maternity", None),
}


def test_good_csv_is_imported(admin, db):
    response = import_api(admin, csv_bytes(GOOD_ROWS), import_valid=True)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["imported"] is True
    assert body["counts"] == {"rows": 3, "valid": 3, "bad": 0, "created": 3, "updated": 0,
                              "unchanged": 0}
    assert body["problems"] == []
    assert imported(db) == GOOD_TARGETS


def test_gbk_csv_is_read(admin, db):
    rows = [row for row in GOOD_ROWS if row[0] != "𠀀龘㐀"]  # GBK has no 𠀀
    response = import_api(admin, csv_bytes(rows, encoding="gbk"), import_valid=True)
    assert response.json()["counts"]["created"] == 2
    assert imported(db) == {target for target in GOOD_TARGETS if target[2] != "𠀀龘㐀"}


def test_utf8_with_bom_is_read(admin, db):
    response = import_api(admin, csv_bytes(GOOD_ROWS, encoding="utf-8-sig"), import_valid=True)
    assert response.json()["columns"]["name"] == "姓名"  # the BOM is not part of the first header
    assert imported(db) == GOOD_TARGETS


def test_xlsx_with_numbers_and_a_formula(admin, db):
    rows = [row[:3] + [int(row[3])] + row[4:] for row in GOOD_ROWS]  # village codes typed as numbers
    rows.append(["=HYPERLINK(\"http://evil\",\"x\")", id_number("19920202", "824"), "某处", VILLAGE,
                 "养老"])
    response = import_api(admin, xlsx_bytes(rows), name="roster.xlsx", import_valid=True)
    body = response.json()
    assert body["counts"]["bad"] == 1
    assert body["problems"][0]["row"] == 5 and body["problems"][0]["codes"] == ["name_invalid"]
    # The formula was read as its text, not evaluated.
    assert body["problems"][0]["name"].startswith("=HYPERLINK(")
    assert imported(db) == GOOD_TARGETS


def test_missing_column_lists_the_headers_and_a_mapping_fixes_it(admin, db):
    headers = ["XM", "公民身份号码", "户籍地址", "村代码", "未参保险种"]
    refused = import_api(admin, csv_bytes(GOOD_ROWS, headers=headers), import_valid=True)
    assert refused.status_code == 400
    body = refused.json()
    assert body["code"] == "columns_missing"
    assert "姓名" in body["message"] and "XM、公民身份号码、户籍地址、村代码、未参保险种" in body["message"]
    assert body["errors"][0]["headers"] == headers
    assert imported(db) == set()

    mapped = import_api(admin, csv_bytes(GOOD_ROWS, headers=headers), import_valid=True,
                        mapping=["姓名=XM"])
    assert mapped.json()["counts"]["created"] == 3
    assert imported(db) == GOOD_TARGETS


def test_bad_rows_are_reported_and_left_out(admin, db):
    rows = GOOD_ROWS + [
        ["错号", ZHANG[:-1] + ("0" if ZHANG[-1] != "0" else "1"), "某处", VILLAGE, "养老"],
        ["短号", "3505241990", "某处", VILLAGE, "养老"],
        ["", id_number("19930303", "935"), "某处", VILLAGE, "养老"],
        ["无村", id_number("19930303", "947"), "某处", "350524100099", "养老"],
        ["错险", id_number("19930303", "959"), "某处", VILLAGE, "养老,商业保险"],
        ["乡镇码", id_number("19930303", "961"), "某处", "350524100", "医疗"],
    ]
    body = import_api(admin, csv_bytes(rows), import_valid=True).json()
    assert body["counts"] == {"rows": 9, "valid": 3, "bad": 6, "created": 3, "updated": 0,
                              "unchanged": 0}
    assert [(p["row"], p["codes"]) for p in body["problems"]] == [
        (5, ["id_checksum"]), (6, ["id_length"]), (7, ["name_missing"]),
        (8, ["village_not_yours"]), (9, ["uninsured_unknown"]), (10, ["village_invalid"])]
    assert "商业保险" in body["problems"][4]["message"]
    assert imported(db) == GOOD_TARGETS


def test_a_person_twice_in_the_file_reports_the_second_row(admin, db):
    rows = GOOD_ROWS + [["张三", ZHANG, "另一个地址", VILLAGE2, "养老"]]
    body = import_api(admin, csv_bytes(rows), import_valid=True).json()
    assert body["counts"]["bad"] == 1
    problem = body["problems"][0]
    assert (problem["row"], problem["codes"]) == (5, ["duplicate_in_file"])
    assert "第2行" in problem["message"] or "row 2" in problem["message"]
    assert problem["id_number_masked"] == ZHANG[:6] + "********" + ZHANG[-4:]
    assert imported(db) == GOOD_TARGETS


def test_a_fifteen_digit_number_is_upgraded(admin, db):
    old = ZHANG[:6] + ZHANG[8:17]  # 350524 900101 501
    body = import_api(admin, csv_bytes([["张三", old, "示范一村1组1号", VILLAGE, "养老,医疗"]]),
                      import_valid=True).json()
    assert body["counts"]["created"] == 1
    assert imported(db) == {(VILLAGE, ZHANG, "张三", "示范一村1组1号", "pension medical", None)}


def test_reimport_changes_nothing_and_a_change_takes_a_new_number(admin, db):
    import_api(admin, csv_bytes(GOOD_ROWS), import_valid=True)
    before_seq, before = current_seq(db), seqs(db)

    again = import_api(admin, csv_bytes(GOOD_ROWS), import_valid=True).json()
    assert again["counts"] == {"rows": 3, "valid": 3, "bad": 0, "created": 0, "updated": 0,
                               "unchanged": 3}
    assert current_seq(db) == before_seq and seqs(db) == before

    changed_rows = [GOOD_ROWS[0][:2] + ["新地址"] + GOOD_ROWS[0][3:]] + GOOD_ROWS[1:]
    changed = import_api(admin, csv_bytes(changed_rows), import_valid=True).json()
    assert changed["counts"]["updated"] == 1 and changed["counts"]["unchanged"] == 2
    after = seqs(db)
    moved = [target_id for target_id in before if after[target_id] != before[target_id]]
    assert len(moved) == 1 and after[moved[0]] == before_seq + 1 == current_seq(db)
    assert imported(db) == {target for target in GOOD_TARGETS if target[1] != ZHANG} | {
        (VILLAGE, ZHANG, "张三", "新地址", "pension medical", None)}


def test_a_formula_is_refused_as_a_name(admin, db):
    rows = [["=cmd|' /C calc'!A0", id_number("19940404", "503"), "某处", VILLAGE, "养老"],
            ["@SUM(A1)", id_number("19940404", "515"), "某处", VILLAGE, "养老"]]
    response = import_api(admin, csv_bytes(rows), import_valid=True)
    body = response.json()
    assert [p["codes"] for p in body["problems"]] == [["name_invalid"], ["name_invalid"]]
    report = admin.get(body["report_url"])
    assert report.status_code == 200 and report.content.startswith(b"\xef\xbb\xbf")
    lines = report.content.decode("utf-8-sig").splitlines()
    # A spreadsheet opening the report must not run the cell either.
    assert lines[1].startswith("2,'=cmd|") and lines[2].startswith("3,'@SUM(A1)")
    assert imported(db) == set()


def test_the_default_is_a_dry_run_that_imports_nothing(admin, db):
    before_seq = current_seq(db)
    body = import_api(admin, csv_bytes(GOOD_ROWS)).json()
    assert body["imported"] is False
    assert body["counts"]["created"] == 3
    assert current_seq(db) == before_seq
    events = db.exec(select(AuditEvent.action, AuditEvent.object_id, AuditEvent.detail)
                     .where(AuditEvent.action.like("targets.%"))).all()
    assert [(action, name) for action, name, _ in events] == [("targets.import_checked", "roster.csv")]
    assert events[0][2]["created"] == 3 and len(events[0][2]["sha256"]) == 64
    assert imported(db) == set()


def test_importing_the_valid_rows_writes_exactly_them_with_the_enumerator(admin, db):
    rows = [row + ["enumerator"] for row in GOOD_ROWS] + [
        ["错配", id_number("19950505", "527"), "某处", "350524101001", "养老", "enumerator"],
        ["无人", id_number("19950505", "539"), "某处", VILLAGE, "养老", "nobody"],
        ["不分配", id_number("19950505", "541"), "某处", VILLAGE, "养老", ""],
    ]
    body = import_api(admin, csv_bytes(rows, headers=HEADERS + ["登记员"]), import_valid=True).json()
    assert [(p["row"], p["codes"]) for p in body["problems"]] == [
        (5, ["enumerator_not_here"]), (6, ["enumerator_not_here"])]
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "targets.import")).one()
    assert event.detail["created"] == 4 and event.detail["bad"] == 2
    assert imported(db) == {target[:5] + ("enumerator",) for target in GOOD_TARGETS} | {
        (VILLAGE, id_number("19950505", "541"), "不分配", "某处", "pension", None)}
