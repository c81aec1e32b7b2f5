"""Mainland China mobile numbers (11 digits, 1[3-9]xxxxxxxxx).

The browser (static/js/phone.js) applies the pattern only; the server also asks
`phonenumbers` whether the number range is allocated to a mobile network, so a number with an
unallocated prefix such as 154 passes on the phone and is flagged when it reaches the server.
"""

import re
from dataclasses import dataclass, field
from functools import lru_cache

import phonenumbers
from phonenumbers import PhoneNumberType

from app.common import BLANKS, remove_chars, to_half_width

MESSAGES = {
    "phone_invalid": {
        "zh": "请填写11位手机号码",
        "en": "Enter an 11-digit mainland mobile number",
    },
}

_SEPARATORS = BLANKS | {"-"}
_COUNTRY_PREFIXES = ("+86", "0086")
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_MOBILE_TYPES = (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE)


@dataclass(frozen=True)
class PhoneCheck:
    value: str
    errors: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.errors


def normalize(raw: str) -> str:
    """Half-width digits without blanks, dashes or a +86 / 0086 country prefix."""
    value = remove_chars(to_half_width(raw), _SEPARATORS)
    for prefix in _COUNTRY_PREFIXES:
        if value.startswith(prefix):
            return value[len(prefix):]
    return value


def check(raw: str) -> PhoneCheck:
    value = normalize(raw)
    return PhoneCheck(value, [] if _is_mobile(value) else ["phone_invalid"])


def is_valid(raw: str) -> bool:
    return check(raw).valid


def mask(value: str) -> str:
    """Hide the middle of a number for lists and logs: 138****5678."""
    value = normalize(value)
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


# Mobile numbers are allocated in blocks (号段) of ten thousand: the first seven digits say
# whether a number is in use, so `phonenumbers` (some 40 µs a number, a fifth of the checks of
# a household) is asked once per block. The blocks remembered are prefixes, nobody's number.
BLOCK = 7


def _is_mobile(value: str) -> bool:
    return bool(_MOBILE.fullmatch(value)) and _mobile_block(value[:BLOCK])


@lru_cache(maxsize=8192)
def _mobile_block(prefix: str) -> bool:
    number = phonenumbers.parse("+86" + prefix + "0" * (11 - BLOCK))
    return phonenumbers.is_valid_number(number) and phonenumbers.number_type(number) in _MOBILE_TYPES
