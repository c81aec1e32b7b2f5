"""The row rules on their own: insurance words, names, headers."""
import pytest

from app.targets import roster
from app.targets.checks import check_name, insurance_keys


@pytest.mark.parametrize("text,keys", [
    ("养老,医疗", "pension medical"),
    ("养老保险、医疗保险", "pension medical"),
    ("城乡居民养老保险；职工基本医疗保险", "pension medical"),
    ("生育 工伤险 失业", "work_injury unemployment maternity"),
    ("医保，医疗", "medical"),
    ("pension maternity", "pension maternity"),
])
def test_insurance_words(text, keys):
    assert insurance_keys(text) == (keys, ())


def test_unknown_insurance_words_are_named():
    assert insurance_keys("养老,商业保险,长护险") == ("pension", ("商业保险", "长护险"))


@pytest.mark.parametrize("name,ok", [
    ("张三", True), ("阿依古丽·买买提", True), ("𠀀龘㐀", True), ("  李四\u3000", True),
    ("=1+1", False), ("+张", False), ("-张", False), ("@张", False), ("张3", False),
    ("张\x85三", False), ("张\x7f", False),
    ("·买买提", False), ("买买提·", False), ("张\t三", False), ("长" * 51, False), ("", False),
])
def test_names(name, ok):
    assert (check_name(name)[1] == []) is ok


def test_headers_match_without_blanks_and_in_either_bracket_width():
    headers = ["序号", " 姓 名", "身份证号码", "地址", "村(社区)代码", "未参保险种", "登记员"]
    assert roster.find_columns(headers, {}) == {"name": 1, "id_number": 2, "address": 3,
                                                "village_code": 4, "uninsured": 5, "enumerator": 6}


def test_two_candidate_columns_need_a_mapping():
    headers = ["姓名", "身份证号", "公民身份号码", "地址", "村代码", "未参保险种"]
    with pytest.raises(roster.RosterFileError) as refused:
        roster.find_columns(headers, {})
    assert refused.value.code == "columns_missing" and "公民身份号码" in refused.value.params["missing"]
    assert roster.find_columns(headers, roster.parse_mapping(["身份证号=公民身份号码"]))["id_number"] == 2


def test_a_column_mapped_twice_is_refused():
    with pytest.raises(roster.RosterFileError) as refused:
        roster.find_columns(["姓名", "身份证号", "地址", "村代码", "未参保险种"],
                            roster.parse_mapping(["address=姓名"]))
    assert refused.value.code == "map_column_twice"


def test_a_mapping_needs_a_known_field_and_a_column():
    for option in ["foo", "年龄=NL", "姓名="]:
        with pytest.raises(roster.RosterFileError) as refused:
            roster.parse_mapping([option])
        assert refused.value.code == "map_invalid"
    assert roster.parse_mapping(["name=XM", "村（社区）代码 = CDM"]) == {"name": "XM", "village_code": "CDM"}
