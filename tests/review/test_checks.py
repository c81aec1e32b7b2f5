"""Each automatic check on its own, positive and negative (app/review/checks.py: pure
functions, no database)."""
from app.review import checks
from app.review.checks import Elsewhere
from review_support import family, id_number


def _codes(flags) -> list[tuple[str, str, str]]:
    return [(flag.code, flag.severity, flag.path) for flag in flags]


# ---- invalid ID ---------------------------------------------------------------------------------

def test_a_valid_id_number_raises_nothing():
    assert checks.id_numbers(family()) == []


def test_an_id_number_with_a_wrong_check_digit_is_an_error():
    payload = family()
    number = payload["members"][1]["id_number"]
    payload["members"][1]["id_number"] = number[:-1] + ("1" if number[-1] != "1" else "2")
    [flag] = checks.id_numbers(payload)
    assert _codes([flag]) == [("id_invalid", "error", "members[1].id_number")]
    assert "校验位" in flag.message_zh and "check digit" in flag.message_en


def test_an_id_number_of_the_wrong_length_is_an_error():
    payload = family()
    payload["members"][0]["id_number"] = "35052419900101"
    assert _codes(checks.id_numbers(payload)) == [("id_invalid", "error", "members[0].id_number")]


def test_an_address_code_missing_from_the_tables_is_only_a_warning():
    payload = family(ids=[id_number(1, "19800101")])  # 350524 is listed from 1985 on
    assert _codes(checks.id_numbers(payload)) == [("id_area_unknown", "warning", "members[0].id_number")]


# ---- sex and birth date against the ID ------------------------------------------------------------

def test_sex_and_birth_date_agreeing_with_the_id_raise_nothing():
    assert checks.id_agreement(family()) == []


def test_sex_disagreeing_with_the_id_is_an_error():
    payload = family()
    payload["members"][0]["sex"] = "2"  # the number says male
    [flag] = checks.id_agreement(payload)
    assert _codes([flag]) == [("sex_mismatch", "error", "members[0].sex")]
    assert "男" in flag.message_zh


def test_birth_date_disagreeing_with_the_id_is_an_error():
    payload = family()
    payload["members"][2]["birth_date"] = "2016-09-02"
    [flag] = checks.id_agreement(payload)
    assert _codes([flag]) == [("birth_date_mismatch", "error", "members[2].birth_date")]
    assert "2016-09-01" in flag.message_zh


def test_an_invalid_id_is_not_also_blamed_for_sex_or_birth_date():
    payload = family()
    payload["members"][0]["id_number"] = "350524199001010000"
    payload["members"][0]["sex"] = "2"
    assert checks.id_agreement(payload) == []


# ---- the same ID twice in one household -----------------------------------------------------------

def test_different_ids_in_a_household_raise_nothing():
    assert checks.duplicate_ids_in_household(family()) == []


def test_the_same_id_twice_in_a_household_is_an_error_on_the_repetition():
    payload = family(ids=[id_number(1), id_number(2, "19920202"), id_number(1)])
    [flag] = checks.duplicate_ids_in_household(payload)
    assert _codes([flag]) == [("id_duplicate_household", "error", "members[2].id_number")]
    assert "第1名" in flag.message_zh


def test_a_lowercase_x_is_the_same_id_as_an_uppercase_one():
    number = next(id_number(serial) for serial in range(1, 200) if id_number(serial).endswith("X"))
    payload = family(ids=[number, id_number(2, "19920202"), number.lower()])
    assert _codes(checks.duplicate_ids_in_household(payload)) == [
        ("id_duplicate_household", "error", "members[2].id_number")]


# ---- the same ID in another household, or already in the registry ----------------------------------

def test_an_id_found_nowhere_else_raises_nothing():
    assert checks.duplicate_ids_elsewhere(family(), {}) == []


def test_an_id_in_another_households_submission_is_an_error_with_a_link():
    other = Elsewhere("other-id", approved=False, village_name="示范二村")
    [flag] = checks.duplicate_ids_elsewhere(family(), {id_number(1): [other]})
    assert _codes([flag]) == [("id_duplicate_other", "error", "members[0].id_number")]
    assert flag.related_submission_id == "other-id" and "示范二村" in flag.message_zh


def test_an_id_already_approved_elsewhere_is_in_the_registry():
    other = Elsewhere("approved-id", approved=True, village_name="示范四村")
    [flag] = checks.duplicate_ids_elsewhere(family(), {id_number(2, "19920202"): [other]})
    assert _codes([flag]) == [("id_in_registry", "error", "members[1].id_number")]
    assert flag.related_submission_id == "approved-id" and "参保库" in flag.message_zh


# ---- 重复参保 --------------------------------------------------------------------------------------

def test_one_scheme_per_insurance_raises_nothing():
    same_scheme = Elsewhere("x", False, "示范二村", pension_scheme="enterprise", medical_scheme="employee")
    assert checks.duplicate_enrollment(family(), {id_number(1): [same_scheme]}) == []


def test_two_pension_schemes_named_by_two_households_are_duplicate_enrollment():
    other = Elsewhere("x", False, "示范二村", pension_scheme="resident")
    [flag] = checks.duplicate_enrollment(family(), {id_number(1): [other]})
    assert _codes([flag]) == [("duplicate_enrollment", "warning", "members[0].pension_scheme")]
    assert flag.message_zh == "重复参保：基本养老保险同时登记为企业职工养老、城乡居民养老"
    assert flag.related_submission_id == "x"


def test_two_medical_schemes_in_one_answer_are_duplicate_enrollment():
    payload = family(medical_scheme="employee resident")  # a county's form allowing several
    assert _codes(checks.duplicate_enrollment(payload, {})) == [
        ("duplicate_enrollment", "warning", "members[0].medical_scheme")]


def test_a_scheme_with_interrupted_contributions_is_no_duplicate():
    payload = family(pension_status="interrupted", not_enrolled_reason="financial")
    other = Elsewhere("x", False, "示范二村", pension_scheme="resident")
    assert checks.duplicate_enrollment(payload, {id_number(1): [other]}) == []


# ---- should be enrolled but is not, without a reason ----------------------------------------------

def test_a_gap_with_a_reason_raises_nothing():
    payload = family(pension_status="not_enrolled", not_enrolled_reason="financial")
    assert checks.missing_reasons(payload) == []


def test_a_gap_without_a_reason_is_an_error():
    payload = family(work_injury_status="not_enrolled", should_enroll_work_injury=1)
    [flag] = checks.missing_reasons(payload)
    assert _codes([flag]) == [("reason_missing", "error", "members[0].not_enrolled_reason")]
    assert "工伤保险" in flag.message_zh


def test_a_gap_in_an_insurance_not_due_needs_no_reason():
    payload = family()
    payload["members"][1].update(work_injury_status="not_enrolled", should_enroll_work_injury=0)
    assert checks.missing_reasons(payload) == []


def test_without_the_forms_calculation_a_gap_counts_as_due():
    payload = family(pension_status="interrupted")
    assert "should_enroll_pension" not in payload["members"][0]
    assert _codes(checks.missing_reasons(payload)) == [
        ("reason_missing", "error", "members[0].not_enrolled_reason")]


# ---- phone numbers --------------------------------------------------------------------------------

def test_mobile_numbers_in_use_raise_nothing():
    assert checks.phones(family()) == []


def test_a_number_of_an_unallocated_range_is_flagged():
    payload = family(phone="15400000000")  # the pattern passes on the phone; 154 is not in use
    payload["contact_phone"] = "1380000"
    assert _codes(checks.phones(payload)) == [("phone_invalid", "warning", "contact_phone"),
                                              ("phone_invalid", "warning", "members[0].phone")]


# ---- targets left unaccounted for -----------------------------------------------------------------

def test_a_village_not_marked_done_raises_nothing():
    assert checks.unaccounted_targets(None) == []


def test_a_done_village_with_every_target_settled_raises_nothing():
    assert checks.unaccounted_targets([]) == []


def test_open_targets_of_a_done_village_are_a_household_warning():
    [flag] = checks.unaccounted_targets([f"测试{n}" for n in range(7)])
    assert _codes([flag]) == [("target_unaccounted", "warning", "")]
    assert flag.message_zh == "本村已标记登记完成，但还有7名核对对象未落实：测试0、测试1、测试2、测试3、测试4等"


def test_a_household_without_members_passes_every_member_check():
    payload = {"village_code": "350524100001", "visit_outcome": "not_home"}
    assert checks.all_flags(payload, {}, None) == []
