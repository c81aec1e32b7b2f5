"""A roster with every kind of bad row, staged in small batches so that rows, problems and the
open COPY on PostgreSQL take turns: the same report, row for row and word for word, on SQLite
and on PostgreSQL, and exactly the good rows written."""
import pytest

from app.targets import service, staging
from roster_support import HEADERS, VILLAGE, VILLAGE2, csv_bytes, id_number, import_api, imported

ZHANG = id_number("19900101", "501")  # ends in X
LI = id_number("19851231", "602")
WANG = id_number("20010704", "713")
ZHAO = id_number("19700707", "804")
SUN = id_number("19610203", "915")
ROWS = [
    ["张三", ZHANG[:-1] + "x", "一组\t1号", VILLAGE, "养老", "enumerator"],  # check_row() cleans it
    ["李四", LI, "二组\\2号", VILLAGE2, "医疗保险", ""],
    ["错号", ZHANG[:-1] + "0", "某处", VILLAGE, "养老", ""],
    ["短号", "3505241990", "某处", VILLAGE, "养老", ""],
    ["字母", "35052419900101501A", "某处", VILLAGE, "养老", ""],
    ["无日", "350524199002305014", "某处", VILLAGE, "养老", ""],
    ["旧号", "350524900230501", "某处", VILLAGE, "养老", ""],
    ["无号", "", "某处", VILLAGE, "养老", ""],
    ["", "", "", "", "", ""],  # blank: skipped, but it keeps its row number
    ["", id_number("19930303", "935"), "某处", VILLAGE, "养老", ""],
    ["张3", id_number("19930303", "947"), "某处", VILLAGE, "养老", ""],
    ["=1+1", id_number("19930303", "959"), "某处", VILLAGE, "养老", ""],
    ["无村", id_number("19930303", "961"), "某处", "", "养老", ""],
    ["乡镇码", id_number("19930303", "973"), "某处", "350524100", "养老", ""],
    ["外村", id_number("19930303", "985"), "某处", "350524999001", "养老", ""],
    ["长址", id_number("19930303", "997"), "址" * 201, VILLAGE, "养老", ""],
    ["错险", id_number("19940404", "503"), "某处", VILLAGE, "养老,商业保险", ""],
    ["无险", id_number("19940404", "515"), "某处", VILLAGE, "", ""],
    ["无人", id_number("19940404", "527"), "某处", VILLAGE, "养老", "nobody"],
    ["全错", "123", "址" * 201, "", "", ""],
    ["张三又", ZHANG, "三组", VILLAGE2, "养老", ""],
    ["王五", WANG, "四组", VILLAGE, "工伤 失业", ""],
    ["赵六", ZHAO, "五组", VILLAGE, "生育", "enumerator"],
    ["孙七", SUN, "六组", VILLAGE2, "养老", ""],
    ["孙七", SUN, "六组", VILLAGE2, "养老", ""],
]
REPORT = """\
行号,姓名,公民身份号码（已脱敏）,问题,错误代码
4,错号,350524********5010,身份证号码校验位不对，请逐位核对,id_checksum
5,短号,**********,身份证号码应为18位,id_length
6,字母,350524********501A,身份证号码只能是数字，最后一位可以是X,id_chars
7,无日,350524********5014,身份证号码校验位不对，请逐位核对；身份证号码中的出生日期不存在或晚于今天,id_checksum id_birthdate
8,旧号,350524*****0501,身份证号码中的出生日期不存在或晚于今天,id_birthdate
9,无号,,公民身份号码为空。,id_missing
11,,350524********9359,姓名为空。,name_missing
12,张3,350524********9471,姓名不能含数字，不能以 = + - @ 开头，不超过50个字，间隔点不能在首尾。,name_invalid
13,'=1+1,350524********9594,姓名不能含数字，不能以 = + - @ 开头，不超过50个字，间隔点不能在首尾。,name_invalid
14,无村,350524********9615,村（社区）代码为空。,village_missing
15,乡镇码,350524********9738,350524100 不是12位的村（社区）代码。,village_invalid
16,外村,350524********9850,村（社区）350524999001 不存在或不在您的县（区）内。,village_not_yours
17,长址,350524********9973,地址超过200个字。,address_too_long
18,错险,350524********5037,无法识别的险种：商业保险。请填写养老、医疗、工伤、失业或生育。,uninsured_unknown
19,无险,350524********515X,未参保险种为空。,uninsured_missing
20,无人,350524********5272,nobody 不是本村（社区）在岗的入户登记员。,enumerator_not_here
21,全错,***,身份证号码应为18位；村（社区）代码为空。；地址超过200个字。；未参保险种为空。,id_length village_missing address_too_long uninsured_missing
22,张三又,350524********501X,同一公民身份号码已在第2行出现。,duplicate_in_file
26,孙七,350524********9156,同一公民身份号码已在第25行出现。,duplicate_in_file
"""


@pytest.fixture(params=["hashes", "grouping"])
def small_batches(request, monkeypatch):
    """Batches of two rows; and repeats found either by the hashes kept while staging, or,
    past the number of people those follow, by the grouping in SQL alone."""
    monkeypatch.setattr(staging, "BATCH", 2)
    monkeypatch.setattr(service, "BATCH", 2)
    if request.param == "grouping":
        monkeypatch.setattr(staging, "PEOPLE_TRACKED", 3)


def test_every_kind_of_bad_row_is_reported_alike_on_both_databases(admin, db, small_batches):
    body = import_api(admin, csv_bytes(ROWS, headers=HEADERS + ["登记员"]), import_valid=True).json()
    assert body["counts"] == {"rows": 24, "valid": 5, "bad": 19, "created": 5, "updated": 0,
                              "unchanged": 0}
    assert admin.get(body["report_url"]).content.decode("utf-8-sig") == REPORT.replace("\n", "\r\n")
    # A tab and a backslash are stored as they were read, whichever way COPY had to take.
    assert imported(db) == {
        (VILLAGE, ZHANG, "张三", "一组\t1号", "pension", "enumerator"),
        (VILLAGE2, LI, "李四", "二组\\2号", "medical", None),
        (VILLAGE, WANG, "王五", "四组", "work_injury unemployment", None),
        (VILLAGE, ZHAO, "赵六", "五组", "maternity", "enumerator"),
        (VILLAGE2, SUN, "孙七", "六组", "pension", None),
    }


def test_a_file_found_unreadable_half_way_leaves_nothing_behind(admin, db, small_batches):
    # Enough rows that decoding fails well after the first ones were staged (the file is read
    # in chunks of a few kilobytes), on GBK text that ends in a byte no Chinese encoding has.
    good = [["张" + chr(0x4E00 + n), id_number("19900101", f"{n:03d}"), "一组", VILLAGE, "养老"]
            for n in range(100, 400)]
    refused = import_api(admin, csv_bytes(good, encoding="gbk") + b"\x80\xff,\r\n",
                         import_valid=True)
    assert refused.status_code == 400 and refused.json()["code"] == "file_encoding"
    assert imported(db) == set()

    done = import_api(admin, csv_bytes(good, encoding="gbk"), import_valid=True).json()
    assert done["counts"]["created"] == 300
    assert len(imported(db)) == 300
