"""Server-side validation of submissions (app/forms/validation.py)."""
import copy
from datetime import date
from pathlib import Path

import pytest
from stdnum.cn import ric

from app.forms.definition import load_definition, load_file
from app.forms.validation import validate

FIXTURES = Path(__file__).parent / "fixtures"
TODAY = date(2026, 3, 2)


def id_number(birth: str, sequence: str = "123", area: str = "350524") -> str:
    """A synthetic resident ID number with a correct check digit."""
    body = area + birth + sequence
    return body + ric.calc_check_digit(body + "0")


ADULT = id_number("20000101", "123")  # odd sequence: male
CHILD = id_number("20150301", "124")  # even sequence: female
WITH_X = next(number for number in (id_number("20010203", f"{n:03d}") for n in range(100, 200))
              if number.endswith("X"))


@pytest.fixture(scope="module")
def form():
    return load_file(FIXTURES / "mini_form.yaml")


def good_payload() -> dict:
    return {
        "address": "示例村 1 组 8 号",
        "visit_outcome": "registered",
        "visit_date": "2026-03-01",
        "location": "24.95 118.19 80 12.5",
        "members": [
            {"full_name": "张三", "id_number": ADULT, "sex": "1", "employment": "employed",
             "employer": "示例茶叶合作社", "pension_scheme": "enterprise", "contribution_years": 5,
             "monthly_income": 3200.5, "phone": "13800138000", "special_groups": "dibao"},
            {"full_name": "张小妹", "id_number": CHILD, "sex": "2", "employment": "student"},
        ],
    }


def run(form, payload):
    return validate(form, payload, today=TODAY)


def codes(result) -> list[tuple[str, str]]:
    return [(error.path, error.code) for error in result.errors]


def test_good_payload_is_accepted_and_cleaned(form):
    result = run(form, good_payload())
    assert result.ok and result.errors == [] and result.warnings == []
    assert result.cleaned == {
        "address": "示例村 1 组 8 号",
        "visit_outcome": "registered",
        "visit_date": "2026-03-01",
        "location": "24.95 118.19 80 12.5",
        "members": [
            {"full_name": "张三", "id_number": ADULT, "birth_date": "2000-01-01", "age": 26, "sex": "1",
             "employment": "employed", "employer": "示例茶叶合作社", "pension_scheme": "enterprise",
             "contribution_years": 5, "monthly_income": 3200.5, "phone": "13800138000",
             "special_groups": "dibao"},
            {"full_name": "张小妹", "id_number": CHILD, "birth_date": "2015-03-01", "age": 11, "sex": "2",
             "employment": "student"},
        ],
        "member_count": 2,
    }


def test_numbers_in_strings_become_numbers_and_sent_calculations_are_ignored(form):
    payload = good_payload()
    payload["members"][0].update(contribution_years="7", monthly_income=" 1200 ", age=99, birth_date="1900-01-01")
    payload["member_count"] = "many"
    payload["thanks"] = "a note is never stored"
    result = run(form, payload)
    assert result.ok, result.errors
    member = result.cleaned["members"][0]
    assert (member["contribution_years"], member["monthly_income"]) == (7, 1200.0)
    assert (member["age"], member["birth_date"]) == (26, "2000-01-01")
    assert result.cleaned["member_count"] == 2 and "thanks" not in result.cleaned


@pytest.mark.parametrize("name", ["𠀀", "阿依古丽·买买提", "𠀀" * 30, "欧阳𪚥"])
def test_any_name_a_chinese_person_can_hold_is_accepted(form, name):
    payload = good_payload()
    payload["members"][0]["full_name"] = name
    result = run(form, payload)
    assert result.ok, result.errors
    assert result.cleaned["members"][0]["full_name"] == name


def test_name_length_counts_characters_not_utf16_units(form):
    payload = good_payload()
    payload["members"][0]["full_name"] = "𠀀" * 31
    assert codes(run(form, payload)) == [("members[0].full_name", "constraint")]


def test_id_number_ending_in_x_is_accepted(form):
    payload = good_payload()
    payload["members"][0]["id_number"] = WITH_X
    result = run(form, payload)
    assert result.ok, result.errors
    assert result.cleaned["members"][0]["id_number"] == WITH_X


@pytest.mark.parametrize("typed", [
    WITH_X[:-1] + "x",  # lowercase check character
    WITH_X.translate({ord(d): ord(d) + 0xFEE0 for d in "0123456789X"}),  # full-width IME input
    f" {WITH_X[:6]} {WITH_X[6:14]} {WITH_X[14:]} ",  # spaces pasted from a chat
])
def test_id_number_is_normalised_in_cleaned(form, typed):
    payload = good_payload()
    payload["members"][0]["id_number"] = typed
    result = run(form, payload)
    assert result.ok, result.errors
    assert result.cleaned["members"][0]["id_number"] == WITH_X
    assert payload["members"][0]["id_number"] == typed


def test_unknown_id_area_code_is_only_a_warning(form):
    payload = good_payload()
    # 350524 was not yet in the code table in 1980: a real number keeps its old code.
    payload["members"][0]["id_number"] = id_number("19800101", "123")
    result = run(form, payload)
    assert result.ok, result.errors
    assert [(w.path, w.code) for w in result.warnings] == [("members[0].id_number", "id_area_unknown")]
    assert result.warnings[0].message_zh and result.warnings[0].message_en


def test_constraint_errors_carry_the_forms_own_messages(form):
    payload = good_payload()
    payload["visit_date"] = "2027-01-01"
    [error] = run(form, payload).errors
    assert (error.path, error.code) == ("visit_date", "constraint")
    assert (error.message_zh, error.message_en) == ("入户日期不能晚于今天", "The visit date cannot be in the future")


def test_a_bad_id_number_says_which_rule_it_breaks(form):
    payload = good_payload()
    payload["members"][1]["id_number"] = CHILD[:-1] + ("1" if CHILD[-1] != "1" else "2")
    [error] = run(form, payload).errors
    assert (error.path, error.code) == ("members[1].id_number", "constraint")
    assert error.message_zh == "身份证号码校验位不对，请逐位核对"
    payload["members"][1]["id_number"] = CHILD[:-2]
    [error] = run(form, payload).errors
    assert error.message_zh == "身份证号码应为18位"


def test_required_errors_have_standard_messages_in_both_languages(form):
    payload = good_payload()
    del payload["address"]
    [error] = run(form, payload).errors
    assert (error.path, error.code, error.message_zh, error.message_en) == (
        "address", "required", "此项必填", "This field is required")


def edit(**changes):
    """A change to the good payload: household fields by name, member fields as m0_name / m1_name."""
    def apply(payload):
        for key, value in changes.items():
            target = payload
            if key[:1] == "m" and key[1:2].isdigit() and key[2:3] == "_":
                target, key = payload["members"][int(key[1])], key[3:]
            if value is DROP:
                del target[key]
            else:
                target[key] = value
    return apply


DROP = object()

ERRORS = {
    "unknown household field": (edit(remarks="hi"), [("remarks", "field_unknown")]),
    "unknown member field": (edit(m1_nickname="妹妹"), [("members[1].nickname", "field_unknown")]),
    "member field at household level": (edit(full_name="张三"), [("full_name", "field_unknown")]),
    "group name is not a field": (edit(household={"address": "x"}), [("household", "field_unknown")]),
    "members not a list": (edit(members={"0": {}}), [("members", "repeat_type"), ("visit_outcome", "constraint")]),
    "member not an object": (lambda p: p["members"].append("张三"), [("members[2]", "repeat_type")]),
    "integer with a fraction": (edit(m0_contribution_years=2.5), [("members[0].contribution_years", "type_integer")]),
    "integer as words": (edit(m0_contribution_years="five"), [("members[0].contribution_years", "type_integer")]),
    "boolean is not a number": (edit(m0_contribution_years=True), [("members[0].contribution_years", "type_integer")]),
    "decimal as words": (edit(m0_monthly_income="a lot"), [("members[0].monthly_income", "type_decimal")]),
    "impossible date": (edit(visit_date="2026-02-30"), [("visit_date", "type_date")]),
    "date in another format": (edit(visit_date="2026/03/01"), [("visit_date", "type_date")]),
    "text as a number": (edit(address=12), [("address", "type_text")]),
    "unknown choice": (edit(visit_outcome="moved"), [("visit_outcome", "choice_unknown")]),
    "unknown choice in a multiple": (edit(m0_special_groups="dibao rich"),
                                     [("members[0].special_groups", "choice_unknown")]),
    "choice as an object": (edit(m0_sex={"code": "1"}), [("members[0].sex", "type_select")]),
    "choice filtered out": (edit(m1_pension_scheme="enterprise"), []),  # 11 years old: not relevant, dropped
    "latitude out of range": (edit(location="91 118"), [("location", "type_geopoint")]),
    "location as words": (edit(location="村口"), [("location", "type_geopoint")]),
    "missing required": (edit(m0_full_name=DROP), [("members[0].full_name", "required")]),
    "blank counts as missing": (edit(m0_full_name="   "), [("members[0].full_name", "required")]),
    "required when relevant": (edit(m0_employer=None), [("members[0].employer", "required")]),
    "visit in the future": (edit(visit_date="2026-03-03"), [("visit_date", "constraint")]),
    "sex disagrees with the ID": (edit(m1_sex="1"), [("members[1].sex", "constraint")]),
    "more years than age": (edit(m0_contribution_years=27), [("members[0].contribution_years", "constraint")]),
    "registered without members": (edit(members=[]), [("visit_outcome", "constraint")]),
    "phone pattern": (edit(m0_phone="1380013800"), [("members[0].phone", "constraint")]),
}


@pytest.mark.parametrize("breakage, expected", ERRORS.values(), ids=ERRORS.keys())
def test_each_error(form, breakage, expected):
    payload = good_payload()
    breakage(payload)
    result = run(form, payload)
    assert codes(result) == expected
    assert all(error.message_zh and error.message_en for error in result.errors)


def test_choice_filter_applies_to_the_member_it_belongs_to(form):
    payload = good_payload()
    payload["members"][0].update(employment="farming", employer=None)
    assert codes(run(form, payload)) == [("members[0].pension_scheme", "choice_not_allowed")]
    payload["members"][0]["pension_scheme"] = "resident"
    assert run(form, payload).ok


def test_payload_must_be_an_object(form):
    assert codes(run(form, ["张三"])) == [("", "payload_type")]


def test_members_are_dropped_when_the_household_was_not_registered(form):
    payload = good_payload()
    payload["visit_outcome"] = "not_home"
    payload["members"][1]["full_name"] = ""  # would be an error if the members counted
    result = run(form, payload)
    assert result.ok, result.errors
    assert "members" not in result.cleaned
    assert result.cleaned["member_count"] == 0  # recomputed on what is kept


def test_non_relevant_values_are_dropped_silently(form):
    payload = good_payload()
    payload["members"][1].update(employer="不该有", pension_scheme="resident", contribution_years=3)
    result = run(form, payload)
    assert result.ok, result.errors
    assert set(result.cleaned["members"][1]) == {
        "full_name", "id_number", "birth_date", "age", "sex", "employment"}


def test_select_multiple_accepts_a_list_and_removes_repeats(form):
    payload = good_payload()
    payload["members"][0]["special_groups"] = ["dibao", "disabled", "dibao"]
    result = run(form, payload)
    assert result.ok, result.errors
    assert result.cleaned["members"][0]["special_groups"] == "dibao disabled"


def test_nothing_in_the_payload_is_mutated(form):
    payload = good_payload()
    payload["members"][0].update(id_number=ADULT.lower(), contribution_years="5", age=1)
    payload["visit_outcome"] = "not_home"
    before = copy.deepcopy(payload)
    run(form, payload)
    assert payload == before


def test_a_rule_that_cannot_be_evaluated_is_an_error_not_a_crash():
    form = load_definition({
        "settings": {"form_id": "regex_test", "version": "1"},
        "survey": [
            {"type": "text", "name": "pattern", "label": "规则"},
            {"type": "text", "name": "code", "label": "编码", "constraint": "regex(., ${pattern})"},
        ],
    })
    result = validate(form, {"pattern": "(", "code": "x"}, today=TODAY)
    assert codes(result) == [("code", "expression_error")]
