"""The 全民参保登记表 (survey_forms/canbao_registration.yaml) and its example payloads.

Every example in canbao_registration_examples.json is validated as the server validates a
submission; its expected errors (path and code, in any order) and ID warnings must come out
exactly. The examples fix "today" so that ages and the 16-year boundary do not move with the
calendar.
"""

import json
import unicodedata
from datetime import date
from pathlib import Path

import pytest
from stdnum.cn import ric

from app.forms.definition import load_file
from app.forms.validation import validate

FORMS = Path(__file__).resolve().parents[2] / "survey_forms"
FORM_FILE = FORMS / "canbao_registration.yaml"
EXAMPLES = json.loads((FORMS / "canbao_registration_examples.json").read_text("utf-8"))
TODAY = date(2026, 11, 23)  # every example's visit date lies on or before this day
LANGUAGES = {"zh", "en"}


@pytest.fixture(scope="module")
def form():
    return load_file(FORM_FILE)  # raises DefinitionError listing every problem


def by_name(name: str) -> dict:
    return next(example for example in EXAMPLES if example["name"] == name)


def run(form, name: str):
    return validate(form, by_name(name)["payload"], today=TODAY)


# ---- the definition ----------------------------------------------------------------------------


def test_form_loads_with_its_id_and_version(form):
    assert (form.form_id, form.version) == ("canbao_registration", "2026.1")
    assert set(form.title) == LANGUAGES


def test_every_question_and_choice_is_labelled_in_chinese_and_english(form):
    for item, _ in form.walk():
        if item.type != "calculate":
            assert set(item.label) == LANGUAGES, item.name
        for column in ("hint", "constraint_message", "required_message"):
            text = getattr(item, column)
            assert not text or set(text) == LANGUAGES, (item.name, column)
    for list_name, choices in form.choices.items():
        for choice in choices:
            assert set(choice.label) == LANGUAGES, (list_name, choice.name)


def test_member_fields_sit_in_sections_inside_the_members_repeat(form):
    members = form.field("members")
    assert members.type == "repeat"
    sections = [child.name for child in members.children]
    assert sections == ["basic_section", "hukou_section", "employment_section", "insurance_section",
                        "reason_section"]
    assert all(child.type == "group" and set(child.label) == LANGUAGES for child in members.children)
    inside = {item.name for item, repeat in form.walk() if repeat == "members"}
    assert {"full_name", "id_number", "sex", "birth_date", "age", "aged_16_plus", "relation",
            "hukou_type", "hukou_place", "residence", "phone", "personal_status", "employment",
            "employer", "unit_type", "pension_status", "pension_scheme", "medical_status",
            "medical_scheme", "work_injury_status", "unemployment_status", "maternity_status",
            "not_enrolled_reason", "willingness", "special_groups"} <= inside


def test_id_number_field_is_recognised_for_normalisation(form):
    assert form.field("id_number").is_id_number


def test_the_client_shape_carries_the_rewritten_choice_filter(form):
    client = json.dumps(form.to_client(), ensure_ascii=False)
    assert "name != 'receiving'" not in client  # `name` is bound to `.` for the browser


# ---- the examples ------------------------------------------------------------------------------


def test_examples_cover_what_the_registration_needs():
    assert len(EXAMPLES) >= 12
    assert len({example["name"] for example in EXAMPLES}) == len(EXAMPLES)
    assert any(example["valid"] for example in EXAMPLES)
    assert any(not example["valid"] for example in EXAMPLES)


@pytest.mark.parametrize("example", EXAMPLES, ids=[example["name"] for example in EXAMPLES])
def test_example(form, example):
    result = validate(form, example["payload"], today=TODAY)
    errors = sorted((error.path, error.code) for error in result.errors)
    warnings = sorted((warning.path, warning.code) for warning in result.warnings)
    assert errors == sorted(zip(example["error_paths"], example["error_codes"], strict=True))
    assert warnings == sorted(zip(example["warning_paths"], example["warning_codes"], strict=True))
    assert result.ok is example["valid"]
    assert example["valid"] is not bool(example["error_paths"])
    for error in result.errors:
        assert error.message_zh and error.message_en


@pytest.mark.parametrize("example", [e for e in EXAMPLES if e["valid"]], ids=lambda e: e["name"])
def test_valid_examples_hold_real_id_numbers(example):
    """The check digits were computed with python-stdnum, not by hand."""
    for member in example["payload"].get("members", []):
        number = unicodedata.normalize("NFKC", member["id_number"]).upper()
        assert number[-1] == ric.calc_check_digit(number)
        assert ric.get_birth_date(number).isoformat() == member["birth_date"]
        assert member["sex"] == ("1" if int(number[16]) % 2 else "2")


def test_family_of_three_has_an_x_id_a_minority_name_and_a_child(form):
    members = by_name("registered_family_of_three")["payload"]["members"]
    assert members[0]["id_number"].endswith("X")
    assert members[1]["full_name"] == "阿依古丽·买买提"
    result = run(form, "registered_family_of_three")
    cleaned = result.cleaned["members"]
    assert [m["age"] for m in cleaned] == [46, 41, 10]
    assert [m["aged_16_plus"] for m in cleaned] == [1, 1, 0]
    child = cleaned[2]
    assert "employment" not in child and "pension_status" not in child
    assert child["should_enroll_pension"] == 0 and child["should_enroll_medical"] == 1
    head = cleaned[0]
    assert [head[f"should_enroll_{name}"] for name in
            ("pension", "medical", "work_injury", "unemployment", "maternity")] == [1, 1, 1, 1, 1]
    assert all(m["needs_reason"] == 0 for m in cleaned)
    assert result.cleaned["member_count"] == 3
    assert result.cleaned["reference_date"] == "2026-11-20"


def test_rare_character_outside_the_bmp_counts_as_one_character(form):
    name = by_name("rare_character_name")["payload"]["members"][0]["full_name"]
    assert name == "𠀀伟" and ord(name[0]) > 0xFFFF
    assert run(form, "rare_character_name").ok


def test_name_of_fifty_characters_passes_and_fifty_one_fails(form):
    payload = json.loads(json.dumps(by_name("rare_character_name")["payload"]))
    payload["members"][0]["full_name"] = "𠀀" * 50
    assert validate(form, payload, today=TODAY).ok
    payload["members"][0]["full_name"] = "𠀀" * 51
    errors = [(e.path, e.code) for e in validate(form, payload, today=TODAY).errors]
    assert errors == [("members[0].full_name", "constraint")]


def test_non_relevant_answers_are_dropped_not_refused(form):
    result = run(form, "employer_for_non_employed_is_dropped")
    assert result.ok
    member = result.cleaned["members"][0]
    assert "employer" not in member and "unit_type" not in member
    not_home = run(form, "members_for_not_home_are_dropped")
    assert not_home.ok and not not_home.cleaned.get("members")
    assert not_home.cleaned["member_count"] == 0


def test_id_number_is_stored_normalised(form):
    result = run(form, "id_full_width_and_lowercase_x_accepted")
    number = result.cleaned["members"][0]["id_number"]
    assert number.isascii() and number.endswith("X") and len(number) == 18


def test_reason_is_required_once_any_due_insurance_is_missing(form):
    cleaned = run(form, "adult_not_enrolled_with_reason").cleaned["members"][0]
    assert cleaned["needs_reason"] == 1
    assert cleaned["not_enrolled_reason"] == "financial"
    # A student aged 16+ is not due a pension: no reason asked, and none kept.
    student = run(form, "student_16_plus_without_pension_needs_no_reason").cleaned["members"][0]
    assert student["should_enroll_pension"] == 0 and student["needs_reason"] == 0


def test_age_is_computed_on_the_visit_date_not_on_the_day_of_validation(form):
    payload = by_name("fifteen_the_day_before")["payload"]
    later = validate(form, payload, today=date(2027, 6, 1))  # e.g. resubmitted after a return
    assert later.ok
    assert later.cleaned["members"][0]["age"] == 15
