import random

import phonenumbers
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


def test_a_number_is_judged_by_its_block_as_phonenumbers_judges_the_whole_number():
    # A number at random in one block of ten thousand out of every 19 from 1300000 to
    # 1999999, and in the blocks where today's ranges end within a prefix (1740[0-5], 1610):
    # the answer for the block is the answer phonenumbers gives for the full number.
    rng = random.Random(7)
    blocks = [*range(1_300_000, 2_000_000, 19), *range(1_739_990, 1_740_700), *range(1_609_990, 1_611_010)]
    for block in blocks:
        value = f"{block}{rng.randrange(10_000):04d}"
        number = phonenumbers.parse("+86" + value)
        expected = (phonenumbers.is_valid_number(number)
                    and phonenumbers.number_type(number) in phone._MOBILE_TYPES)
        assert phone.is_valid(value) == expected, value
