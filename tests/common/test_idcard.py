from datetime import date

import pytest

from app.common import idcard
from app.common.idcard import IdNumberError, check, mask, normalize, upgrade15

TODAY = date(2024, 6, 15)
MALE = "350524199001011238"  # 安溪县, born 1990-01-01, sequence 123 (odd: male)
FEMALE = "350524198506120021"  # born 1985-06-12, sequence 002 (even: female)
WITH_X = "35052419880715003X"
GB_EXAMPLE = "11010519491231002X"  # the worked example of GB 11643-1999


def test_valid_number_gives_birth_date_and_sex():
    result = check(MALE, today=TODAY)
    assert result.valid
    assert (result.value, result.errors, result.warnings) == (MALE, [], [])
    assert result.birth_date == date(1990, 1, 1)
    assert result.sex == "1"
    female = check(FEMALE, today=TODAY)
    assert (female.birth_date, female.sex) == (date(1985, 6, 12), "2")


@pytest.mark.parametrize("number", [WITH_X, GB_EXAMPLE])
def test_x_check_digit_is_valid(number):
    result = check(number, today=TODAY)
    assert result.valid and result.value == number


def test_lowercase_x_is_normalised():
    result = check(WITH_X.lower(), today=TODAY)
    assert result.valid and result.value == WITH_X


def test_full_width_digits_and_spaces_are_normalised():
    full_width = "３５０５２４　１９９００１０１　１２３８"
    assert normalize(full_width) == MALE
    assert check(full_width, today=TODAY).valid
    assert normalize(f"\ufeff {MALE[:6]} {MALE[6:]}\n") == MALE
    assert normalize("35052419880715003ｘ") == WITH_X


def test_bad_checksum_is_an_error_and_derives_nothing():
    result = check(MALE[:-1] + "9", today=TODAY)
    assert result.errors == ["id_checksum"]
    assert (result.birth_date, result.sex) == (None, None)


@pytest.mark.parametrize(
    ("raw", "errors"),
    [
        (MALE[:17], ["id_length"]),
        (MALE + "1", ["id_length"]),
        ("", ["id_length"]),
        ("110105491231002", ["id_length"]),  # an old 15-digit number must be upgraded first
        ("ABCDEFGHIJKLMNOPQR", ["id_chars"]),
        (MALE[:16] + "X" + MALE[17], ["id_chars"]),
        ("12345-abc", ["id_length", "id_chars"]),
        ("350524199001011𠀀38", ["id_chars"]),  # 18 code points, one outside the BMP
    ],
)
def test_length_and_character_errors(raw, errors):
    assert check(raw, today=TODAY).errors == errors


def test_impossible_birth_date_is_an_error():
    result = check("350524199902301232", today=TODAY)  # 1999-02-30, correct check digit
    assert result.errors == ["id_birthdate"]
    assert result.birth_date is None


def test_future_birth_date_is_an_error_but_today_is_fine():
    born_today = "35052420240615002X"
    born_tomorrow = "350524202406160025"
    assert check(born_today, today=TODAY).valid
    assert check(born_tomorrow, today=TODAY).errors == ["id_birthdate"]
    assert check(born_tomorrow, today=date(2024, 6, 16)).valid


def test_leap_day_birth():
    assert check("350524200002290043", today=TODAY).birth_date == date(2000, 2, 29)


def test_unknown_area_code_is_only_a_warning():
    result = check("990101199001010019", today=TODAY)
    assert result.valid
    assert result.warnings == ["id_area_unknown"]
    assert result.birth_date == date(1990, 1, 1)


def test_area_code_not_listed_for_the_birth_year_is_only_a_warning():
    # 350524 (安溪县) is in the table, but not for people born in 1949.
    result = check("350524194910011013", today=TODAY)
    assert result.valid and result.warnings == ["id_area_unknown"]


def test_listed_area_code_gives_no_warning():
    assert check(GB_EXAMPLE, today=TODAY).warnings == []


def test_upgrade_15_to_18_with_the_gb_11643_example():
    assert upgrade15("110105491231002") == GB_EXAMPLE
    assert upgrade15(" １１０１０５４９１２３１００２ ") == GB_EXAMPLE


@pytest.mark.parametrize(
    ("old", "code"),
    [
        ("11010549123100", "id_length"),
        (GB_EXAMPLE, "id_length"),
        ("11010549123100X", "id_chars"),
        ("1101054912310A2", "id_chars"),
        ("110105490230002", "id_birthdate"),
    ],
)
def test_upgrade_rejects_what_it_cannot_convert(old, code):
    with pytest.raises(IdNumberError) as raised:
        upgrade15(old)
    assert raised.value.code == code


def test_mask_keeps_first_six_and_last_four():
    assert mask(MALE) == "350524********1238"
    assert mask(WITH_X.lower()) == "350524********003X"
    assert mask("１２３４５") == "*****"


def test_every_code_has_chinese_and_english_messages():
    assert set(idcard.MESSAGES) == {"id_length", "id_chars", "id_checksum", "id_birthdate", "id_area_unknown"}
    assert all(message["zh"] and message["en"] for message in idcard.MESSAGES.values())
