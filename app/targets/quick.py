"""A cheap first look at a roster row: it accepts the rows that check_row() would accept,
with the very values check_row() would store, and says None for every other row, which then
goes through check_row() itself. Problems are therefore only ever found, and worded, by
checks.py: this module can make an import faster, never different.

A county's roster is a million mostly clean rows, and check_row() spends most of its time
building objects for what it might have to report. Here a clean row costs a few dictionary
look-ups: the ID number's check digit is the sum of three precomputed partial sums (address
code, birth date, sequence number), and the birth-date table holds only real dates up to
today, so the same look-up proves the date.
"""
import calendar
import re
from collections.abc import Callable
from datetime import date

from app.targets.checks import (ADDRESS_MAX, BLANK_CHARS, DOTS, FORMULA_START, NAME_MAX,
                                VILLAGE_CODE, CountyData, check_enumerator, insurance_keys)

# GB 11643: the digit at position i (1-based) of the 17-digit body weighs 2^(18-i) mod 11.
_WEIGHTS = tuple(pow(2, 17 - index, 11) for index in range(17))
_CHECK_DIGITS = "10X98765432"  # indexed by the weighted sum mod 11
# Older birth dates take the long way: rosters hold next to none, and the table stays small.
_EARLIEST_YEAR = 1850
# A name without any of these (blanks, control characters, digits) is its own cleaned form
# and passes every character rule of check_name(); first and last characters are apart.
_NAME_SUSPECT = re.compile("[\x00-\x20\x7f-\xa0\u200b\u3000\ufeff0-9\uff10-\uff19]")
_NAME_BAD_FIRST = frozenset(FORMULA_START) | frozenset(DOTS)
_NAME_BAD_LAST = frozenset(DOTS)
# The caches filled from the file are capped: a file of a million distinct spellings must not
# grow them without bound. Past the cap a row simply takes the slower way.
_CACHE_MAX = 10_000
_UNSEEN = object()  # not yet in a cache (None there means "not clean")

# The row number, then the fields of a GoodRow: village, ID number, name, address, uninsured
# insurances, enumerator's user id.
Row = tuple[int, str, str, str, str, str, int | None]


def _partial(digits: str, offset: int) -> int:
    return sum(int(digit) * _WEIGHTS[offset + index] for index, digit in enumerate(digits))


def _birth_sums(today: date) -> dict[str, int]:
    """"YYYYMMDD" → its part of the weighted sum, for every real date from 1850 to today."""
    days = {f"{month:02d}{day:02d}": _partial(f"{month:02d}{day:02d}", 10)
            for month in range(1, 13) for day in range(1, 32)}
    sums = {}
    for year in range(_EARLIEST_YEAR, today.year + 1):
        in_year = _partial(f"{year:04d}", 6)
        for month in range(1, 13):
            for day in range(1, calendar.monthrange(year, month)[1] + 1):
                if date(year, month, day) > today:
                    return sums
                key = f"{month:02d}{day:02d}"
                sums[f"{year:04d}{key}"] = in_year + days[key]
    return sums


def _remember(cache: dict, key, value):
    if len(cache) < _CACHE_MAX:
        cache[key] = value
    return value


def quick_check(columns: dict[str, int], county: CountyData) -> Callable[[int, list[str]], Row | None]:
    """A function of a row's number and cells: the row as check_row() would store it, or None
    when only check_row() can tell."""
    i_name, i_id, i_address = columns["name"], columns["id_number"], columns["address"]
    i_village, i_uninsured = columns["village_code"], columns["uninsured"]
    i_enumerator = columns.get("enumerator")
    width = max(columns.values()) + 1
    villages = frozenset(code for code in county.villages if VILLAGE_CODE.fullmatch(code))
    births = _birth_sums(county.today)
    sequences = {f"{n:03d}": _partial(f"{n:03d}", 14) for n in range(1000)}
    areas: dict[str, int | None] = {}
    insurances: dict[str, str | None] = {}
    enumerators: dict[tuple[str, str], int | None] = {}

    def area_sum(code: str) -> int | None:
        return _partial(code, 0) if code.isascii() and code.isdigit() else None

    def insurance(raw: str) -> str | None:
        keys, unknown = insurance_keys(raw)
        return keys if keys and not unknown else None

    def enumerator(username: str, village: str) -> int | None:
        user_id, problems = check_enumerator(username, village, county)
        return None if problems else user_id

    def check(number: int, cells: list[str]) -> Row | None:
        if len(cells) < width:
            return None
        id_number = cells[i_id]
        if len(id_number) != 18:
            return None
        area = areas.get(id_number[:6], _UNSEEN)
        if area is _UNSEEN:
            area = _remember(areas, id_number[:6], area_sum(id_number[:6]))
        born = births.get(id_number[6:14])
        sequence = sequences.get(id_number[14:17])
        if (area is None or born is None or sequence is None
                or id_number[17] != _CHECK_DIGITS[(area + born + sequence) % 11]):
            return None
        village = cells[i_village]
        if village not in villages:
            return None
        name = cells[i_name]
        # Letters only (most names) is clean already; a name with anything else, a middle dot
        # say, takes the full character rules.
        if not 0 < len(name) <= NAME_MAX or not (name.isalpha() or (
                name[0] not in _NAME_BAD_FIRST and name[-1] not in _NAME_BAD_LAST
                and not _NAME_SUSPECT.search(name))):
            return None
        address = cells[i_address].strip(BLANK_CHARS)
        if len(address) > ADDRESS_MAX:
            return None
        raw = cells[i_uninsured]
        uninsured = insurances.get(raw, _UNSEEN)
        if uninsured is _UNSEEN:
            uninsured = _remember(insurances, raw, insurance(raw))
        if uninsured is None:
            return None
        assigned = None
        if i_enumerator is not None and cells[i_enumerator].strip(BLANK_CHARS):
            key = (cells[i_enumerator], village)
            assigned = enumerators.get(key, _UNSEEN)
            if assigned is _UNSEEN:
                assigned = _remember(enumerators, key, enumerator(*key))
            if assigned is None:
                return None
        return number, village, id_number, name, address, uninsured, assigned

    return check
