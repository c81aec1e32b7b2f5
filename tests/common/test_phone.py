import pytest

from app.common import phone
from app.common.phone import check, is_valid, mask, normalize


@pytest.mark.parametrize(
    "raw",
    [
        "13812345678",
        " 138 1234 5678 ",
        "138-1234-5678",
        "+86 138 1234 5678",
        "+8613812345678",
        "0086-138-1234-5678",
        "１３８１２３４５６７８",
        "＋８６　１３８１２３４５６７８",
    ],
)
def test_valid_mobile_numbers_normalise_to_eleven_digits(raw):
    result = check(raw)
    assert result.valid
    assert result.value == "13812345678"


@pytest.mark.parametrize("raw", ["19912345678", "16612345678", "14512345678", "17012345678"])
def test_other_mobile_ranges_are_valid(raw):
    assert is_valid(raw)


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "1381234567",  # 10 digits
        "138123456789",  # 12 digits
        "12345678901",  # second digit must be 3-9
        "8613812345678",  # a country code needs + or 00
        "0595-23456789",  # a landline
        "1381234567x",
        "(138)12345678",
    ],
)
def test_invalid_numbers(raw):
    assert check(raw).errors == ["phone_invalid"]


def test_server_rejects_unallocated_prefix_that_the_pattern_accepts():
    # 154 matches 1[3-9]\d{9} (the browser accepts it) but no network uses it.
    assert check("15412345678").errors == ["phone_invalid"]


def test_normalize_keeps_other_text_for_the_error_message():
    assert normalize(" 138-1234 ") == "1381234"


def test_mask_keeps_first_three_and_last_four():
    assert mask("13812345678") == "138****5678"
    assert mask("+86 138 1234 5678") == "138****5678"
    assert mask("12345") == "*****"


def test_message_in_chinese_and_english():
    assert phone.MESSAGES["phone_invalid"]["zh"] and phone.MESSAGES["phone_invalid"]["en"]
