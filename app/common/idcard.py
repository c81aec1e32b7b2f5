"""Resident ID numbers (公民身份号码, GB 11643-1999).

An 18-character number: 6-digit address code, 8-digit birth date, 3-digit sequence (odd for
men, even for women) and a check digit (0-9 or X). python-stdnum's `stdnum.cn.ric` does the
arithmetic and holds the address-code table; this module decides what is a hard error and
what is only a warning. static/js/idcard.js applies the same hard rules in the browser.

An address code missing from the table is a warning, never an error: people keep the code
their number was issued with, and counties are renamed and re-coded.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache

from stdnum.cn import ric
from stdnum.exceptions import InvalidComponent

from app.clock import CHINA_TZ
from app.common import BLANKS, remove_chars, to_half_width

MESSAGES = {
    "id_length": {
        "zh": "身份证号码应为18位",
        "en": "The ID number must have 18 characters",
    },
    "id_chars": {
        "zh": "身份证号码只能是数字，最后一位可以是X",
        "en": "The ID number may only contain digits; the last character may be X",
    },
    "id_checksum": {
        "zh": "身份证号码校验位不对，请逐位核对",
        "en": "The ID number's check digit is wrong; please check every digit",
    },
    "id_birthdate": {
        "zh": "身份证号码中的出生日期不存在或晚于今天",
        "en": "The birth date inside the ID number does not exist or lies in the future",
    },
    "id_area_unknown": {
        "zh": "身份证号码的地址码不在区划代码表中（仅提示，可以登记）",
        "en": "The ID number's address code is not in the area-code table (a warning only)",
    },
}

# After normalisation only ASCII digits and a final X are allowed; `[0-9]` rather than
# `\d`, which would accept Arabic-Indic and other Unicode digits.
_ID_CHARS = re.compile(r"[0-9]*X?")
# A number already in its normal form, as nearly every one in a roster is: normalize() then
# skips the character-by-character cleaning, the largest cost of checking a million rows.
_CLEAN = re.compile(r"[0-9]{15}|[0-9]{17}[0-9X]")


class IdNumberError(ValueError):
    """An old number that cannot be upgraded; `code` is one of the MESSAGES keys."""

    def __init__(self, code: str):
        super().__init__(MESSAGES[code]["en"])
        self.code = code


@dataclass(frozen=True)
class IdCheck:
    value: str
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    birth_date: date | None = None
    sex: str | None = None  # "1" male, "2" female (GB/T 2261.1 codes)

    @property
    def valid(self) -> bool:
        return not self.errors


def normalize(raw: str) -> str:
    """Half-width, blanks removed, upper case (a lowercase x check digit becomes X)."""
    if _CLEAN.fullmatch(raw):
        return raw
    return ric.compact(remove_chars(to_half_width(raw), BLANKS))


def check(raw: str, today: date | None = None) -> IdCheck:
    """Validate a number. Birth date and sex are derived only from a number without errors.

    `today` bounds the birth date (a number cannot be born tomorrow); it defaults to the
    current date in China.
    """
    value = normalize(raw)
    errors = []
    if len(value) != 18:
        errors.append("id_length")
    if not _ID_CHARS.fullmatch(value):
        errors.append("id_chars")
    if errors:
        return IdCheck(value, errors)
    if value[-1] != ric.calc_check_digit(value):
        errors.append("id_checksum")
    birth_date = _birth_date(value)
    if birth_date is None or birth_date > (today or _china_today()):
        errors.append("id_birthdate")
    if errors:
        return IdCheck(value, errors)
    warnings = [] if _area_listed(value[:6], birth_date.year) else ["id_area_unknown"]
    sex = "1" if int(value[16]) % 2 else "2"
    return IdCheck(value, [], warnings, birth_date, sex)


def upgrade15(old15: str) -> str:
    """Convert a first-generation 15-digit number (two-digit year, no check digit) to 18."""
    value = normalize(old15)
    if len(value) != 15:
        raise IdNumberError("id_length")
    if not _ID_CHARS.fullmatch(value) or value.endswith("X"):
        raise IdNumberError("id_chars")
    # 15-digit numbers were issued from 1984 to 2004 to people born in the 1900s.
    body = value[:6] + "19" + value[6:]
    if _birth_date(body) is None:
        raise IdNumberError("id_birthdate")
    # calc_check_digit reads the 17 digits before the check position, so append a placeholder.
    return body + ric.calc_check_digit(body + "0")


def mask(value: str) -> str:
    """Hide the middle of a number for lists and logs: 350524********1234."""
    value = normalize(value)
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


@lru_cache(maxsize=8192)
def _area_listed(area: str, year: int) -> bool:
    """Whether the table lists the address code in the birth year. Only those two parts
    decide it, and the table look-up is most of check()'s cost, which a county-sized roster
    import pays a million times over a few thousand distinct pairs."""
    try:
        ric.get_birth_place(f"{area}{year:04d}01010000")
    except InvalidComponent:
        return False
    return True


def _birth_date(number: str) -> date | None:
    # Digits 7-14, read as ric.get_birth_date reads them, without its second cleaning pass.
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def _china_today() -> date:
    return datetime.now(CHINA_TZ).date()
