"""The checks one roster row must pass, with nothing but the row and what the county has
(its villages and enumerators) to go on. Checks across rows (the same person twice) and
against the stored targets run in the database (staging.py)."""
import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import NamedTuple

from app.areas.service import normalize_code
from app.common import BLANKS, idcard, remove_chars, to_half_width
from app.i18n import N_

INSURANCES = ("pension", "medical", "work_injury", "unemployment", "maternity")
_STEMS = {"养老": "pension", "医疗": "medical", "医保": "medical", "工伤": "work_injury",
          "失业": "unemployment", "生育": "maternity"}
# Words a roster puts around an insurance's name: 城乡居民养老保险, 职工基本医疗保险, 工伤险.
_SCHEMES = re.compile(r"^(?:城乡居民|企业职工|机关事业单位|职工|基本)+")
_SUFFIX = re.compile(r"(?:保险|险)$")
_SEPARATORS = re.compile(r"[,，、;；/|\s]+")
# Excel and its kin run a cell that begins with one of these as a formula.
FORMULA_START = ("=", "+", "-", "@")
NAME_MAX = 50
ADDRESS_MAX = 200
_DIGITS = re.compile(r"[0-9０-９]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # Unicode's Cc category
VILLAGE_CODE = re.compile(r"[0-9]{12}")
DOTS = "·・•"
BLANK_CHARS = "".join(BLANKS)


@dataclass(frozen=True)
class Problem:
    code: str
    message: str  # an N_() source string; ID-number codes use idcard.MESSAGES instead
    params: dict = field(default_factory=dict)

    def text(self, gettext, locale: str) -> str:
        if self.code in idcard.MESSAGES:
            return idcard.MESSAGES[self.code]["en" if locale == "en" else "zh"]
        return gettext(self.message).format(**self.params)


@dataclass(frozen=True)
class CountyData:
    """What a row is checked against: the villages the importer may fill, and the active
    enumerators of the county with the areas each works in."""

    villages: frozenset[str]
    enumerators: dict[str, tuple[int, tuple[str, ...]]]
    today: date


class GoodRow(NamedTuple):
    """A checked row as it will be stored; a plain tuple, which staging takes in bulk."""

    village_code: str
    id_number: str
    name: str
    address: str
    uninsured: str
    assigned_to_id: int | None


@lru_cache(maxsize=4096)  # a roster spells its few combinations a million times over
def insurance_keys(text: str) -> tuple[str, tuple[str, ...]]:
    """("pension medical", unknown words) from "养老,医疗" or "养老保险、医疗保险"."""
    keys, unknown = set(), []
    for word in _SEPARATORS.split(to_half_width(text)):
        if not word:
            continue
        key = word if word in INSURANCES else _STEMS.get(_SUFFIX.sub("", _SCHEMES.sub("", word)))
        if key is None:
            unknown.append(word)
        else:
            keys.add(key)
    return " ".join(key for key in INSURANCES if key in keys), tuple(unknown)


def _clean(text: str) -> str:
    return text.strip(BLANK_CHARS)


def check_name(raw: str) -> tuple[str, list[Problem]]:
    name = _clean(raw)
    if not name:
        return name, [Problem("name_missing", N_("The name is empty."))]
    if (name.startswith(FORMULA_START) or _DIGITS.search(name) or len(name) > NAME_MAX
            or name[0] in DOTS or name[-1] in DOTS
            or _CONTROL.search(name)):
        return name, [Problem("name_invalid", N_("The name must not contain digits or begin with = + - @, may have at most 50 characters, and cannot begin or end with a middle dot."))]
    return name, []


def check_id(raw: str, today: date) -> tuple[str, list[Problem]]:
    value = idcard.normalize(raw)
    if not value:
        return value, [Problem("id_missing", N_("The ID number is empty."))]
    if len(value) == 15:
        try:
            value = idcard.upgrade15(value)
        except idcard.IdNumberError as error:
            return value, [Problem(error.code, "")]
    # An address code the table does not list is only a warning: people keep their number.
    return value, [Problem(code, "") for code in idcard.check(value, today).errors]


def check_village(raw: str, county: CountyData) -> tuple[str, list[Problem]]:
    code = raw
    if not VILLAGE_CODE.fullmatch(raw):
        code = normalize_code(remove_chars(to_half_width(raw), BLANKS))
    if not code:
        return code, [Problem("village_missing", N_("The village code is empty."))]
    if len(code) != 12 or not code.isdigit():
        return code, [Problem("village_invalid", N_("{code} is not a 12-digit village code."),
                              {"code": code})]
    if code not in county.villages:
        # One answer for "no such village" and "another county's": nothing leaks.
        return code, [Problem("village_not_yours",
                              N_("Village {code} does not exist or is not in your county."),
                              {"code": code})]
    return code, []


def check_insurances(raw: str) -> tuple[str, list[Problem]]:
    keys, unknown = insurance_keys(raw)
    if unknown:
        return keys, [Problem("uninsured_unknown",
                              N_("Unknown insurance: {words}. Use 养老, 医疗, 工伤, 失业 or 生育."),
                              {"words": "、".join(unknown)})]
    if not keys:
        return keys, [Problem("uninsured_missing", N_("The uninsured insurances are empty."))]
    return keys, []


def check_enumerator(raw: str, village: str, county: CountyData) -> tuple[int | None, list[Problem]]:
    username = _clean(raw)
    if not username:
        return None, []
    found = county.enumerators.get(username)
    if found is None or not any(village.startswith(code) for code in found[1]):
        return None, [Problem("enumerator_not_here",
                              N_("{username} is not an active enumerator of this village."),
                              {"username": username})]
    return found[0], []


def check_row(cells: dict[str, str], county: CountyData) -> tuple[GoodRow | None, list[Problem], str, str]:
    """The row as it will be stored, or its problems; also the name and ID number as read,
    for the report."""
    name, problems = check_name(cells["name"])
    id_number, found = check_id(cells["id_number"], county.today)
    problems += found
    village, village_problems = check_village(cells["village_code"], county)
    problems += village_problems
    address = _clean(cells["address"])
    if len(address) > ADDRESS_MAX:
        problems.append(Problem("address_too_long",
                                N_("The address is longer than 200 characters.")))
    uninsured, found = check_insurances(cells["uninsured"])
    problems += found
    assigned_to_id = None
    if not village_problems:
        assigned_to_id, found = check_enumerator(cells.get("enumerator", ""), village, county)
        problems += found
    if problems:
        return None, problems, name, id_number
    return GoodRow(village, id_number, name, address, uninsured, assigned_to_id), [], name, id_number
