"""The quick check against check_row(): for every row it either gives exactly the row that
check_row() would store, or leaves the row to check_row(). Clean rows must take the quick way,
or the import would be slow without any test noticing."""
from datetime import date

import pytest

from app.targets.checks import CountyData, check_row
from app.targets.quick import quick_check
from roster_support import VILLAGE, VILLAGE2, id_number

TODAY = date(2026, 11, 24)
COUNTY = CountyData(frozenset({VILLAGE, VILLAGE2}), {"zhao": (7, (VILLAGE,))}, TODAY)
COLUMNS = {"name": 0, "id_number": 1, "address": 2, "village_code": 3, "uninsured": 4,
           "enumerator": 5}
GOOD = ["张三", id_number("19900101", "501"), "一组1号", VILLAGE, "养老,医疗", ""]

CLEAN = [
    GOOD,
    ["阿依古丽·买买提", id_number("18500101", "002"), "  二组\u3000", VILLAGE2, "养老保险、医疗保险", ""],
    ["𠀀龘㐀", id_number("20261124", "013"), "", VILLAGE, "基本生育保险", "zhao"],
    ["长" * 50, id_number("20000229", "024", area="352424"), "址" * 200, VILLAGE, "工伤", " "],
    ["李四", id_number("19900101", "612"), "一组", VILLAGE, "养老", "zhao　"],
]
LEFT_TO_CHECK_ROW = [
    # Good, but only after cleaning that check_row() does.
    ["张三", id_number("19900101", "501").lower()[:-1] + "x", "一组", VILLAGE, "养老", ""],
    ["张三", " " + id_number("19900101", "501"), "一组", VILLAGE, "养老", ""],
    [" 张三", id_number("19900101", "501"), "一组", VILLAGE, "养老", ""],
    ["张三", id_number("19900101", "501")[:6] + "900101501", "一组", VILLAGE, "养老", ""],
    ["张三", id_number("18491231", "501"), "一组", VILLAGE, "养老", ""],
    ["张三", id_number("19900101", "501"), "一组", VILLAGE],  # a short row
    # Bad.
    ["张三", id_number("19900101", "501")[:-1] + "0", "一组", VILLAGE, "养老", ""],
    ["张三", "35052419900230501X", "一组", VILLAGE, "养老", ""],
    ["张三", id_number("20261125", "501"), "一组", VILLAGE, "养老", ""],
    ["张三", "", "一组", VILLAGE, "养老", ""],
    ["张3", GOOD[1], "一组", VILLAGE, "养老", ""],
    ["=1+1", GOOD[1], "一组", VILLAGE, "养老", ""],
    ["·张", GOOD[1], "一组", VILLAGE, "养老", ""],
    ["张·", GOOD[1], "一组", VILLAGE, "养老", ""],
    ["张\x85", GOOD[1], "一组", VILLAGE, "养老", ""],
    ["长" * 51, GOOD[1], "一组", VILLAGE, "养老", ""],
    ["", GOOD[1], "一组", VILLAGE, "养老", ""],
    ["张三", GOOD[1], "址" * 201, VILLAGE, "养老", ""],
    ["张三", GOOD[1], "一组", "350524101001", "养老", ""],
    ["张三", GOOD[1], "一组", "350524100", "养老", ""],
    ["张三", GOOD[1], "一组", "", "养老", ""],
    ["张三", GOOD[1], "一组", VILLAGE, "养老,商业保险", ""],
    ["张三", GOOD[1], "一组", VILLAGE, "", ""],
    ["张三", GOOD[1], "一组", VILLAGE, "养老", "nobody"],
    ["张三", GOOD[1], "一组", VILLAGE2, "养老", "zhao"],  # not zhao's village
]


def stored_by_check_row(cells: list[str]):
    values = {field: cells[index] if index < len(cells) else "" for field, index in COLUMNS.items()}
    row = check_row(values, COUNTY)[0]
    return None if row is None else (7, *row)


@pytest.mark.parametrize("cells", CLEAN)
def test_a_clean_row_takes_the_quick_way_to_the_same_result(cells):
    quick = quick_check(COLUMNS, COUNTY)(7, cells)
    assert quick is not None
    assert quick == stored_by_check_row(cells)


@pytest.mark.parametrize("cells", LEFT_TO_CHECK_ROW)
def test_any_other_row_is_left_to_check_row(cells):
    assert quick_check(COLUMNS, COUNTY)(7, cells) is None


def test_without_an_enumerator_column_no_one_is_assigned():
    columns = {field: index for field, index in COLUMNS.items() if field != "enumerator"}
    assert quick_check(columns, COUNTY)(3, GOOD[:5]) == (3, VILLAGE, GOOD[1], "张三", "一组1号",
                                                         "pension medical", None)
