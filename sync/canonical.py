"""Canonical JSON and the content hash of a submission payload (docs/SYNC.md, "Content hash").

The phone hashes the payload in JavaScript (static/js/canonical.js) and the server checks the
hash here, so both must write exactly the same text for the same value. The text is what
`JSON.stringify` writes, with object keys sorted by UTF-16 code units at every level and no
whitespace. sync/canonical_vectors.json holds the cases both implementations are tested on.

Where Python and JavaScript hold a parsed value differently, this module writes what
JavaScript would:
- numbers: JSON.stringify prints the shortest digits that round-trip, as repr() does, but
  switches to exponent form at other thresholds (from 1e21 up and below 1e-6: repr() already
  at 1e16 and below 1e-4), writes 1e-7 where repr() writes 1e-07, drops the ".0" of 2.0, and
  knows no integers beyond doubles: 12345678901234567890 is 12345678901234567000 in a browser;
- a lone surrogate (from a "\\ud800" escape) is written back as an escape, not as text;
- NaN, infinities and integers beyond the largest double (which a browser reads as Infinity)
  are refused with ValueError rather than written as null.
"""
import hashlib
import json
import math
import re

# Integers up to 2**53 are exact doubles, so their decimal text is the same in both languages.
_EXACT_INTEGER = 2 ** 53
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def canonical_json(value: object) -> str:
    if _plain(value):
        # Most payloads: json.dumps writes them exactly so, in C, many times faster.
        text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        if not _LONE_SURROGATE.search(text):
            return text
    parts: list[str] = []
    _write(value, parts)
    return "".join(parts)


def content_hash(value: object) -> str:
    """Lowercase hex SHA-256 of the canonical JSON, encoded as UTF-8."""
    return hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()


def _plain(value: object) -> bool:
    """Whether json.dumps (sorted keys, no whitespace) writes the value's canonical text: no
    floats (their text differs), no integer beyond 2**53, and keys that are strings without
    characters beyond U+FFFF (for those, code point order is UTF-16 order). Lone surrogates
    are looked for in the text written."""
    pending = [value]
    while pending:
        item = pending.pop()
        kind = type(item)
        if kind is str or kind is bool or item is None:
            continue
        if kind is int:
            if -_EXACT_INTEGER <= item <= _EXACT_INTEGER:
                continue
            return False
        if kind is dict:
            for key in item:
                if type(key) is not str or not (key.isascii() or max(key) < "\U00010000"):
                    return False
            pending.extend(item.values())
        elif kind is list or kind is tuple:
            pending.extend(item)
        else:
            return False
    return True


def _write(value: object, parts: list[str]) -> None:
    if value is None:
        parts.append("null")
    elif value is True:
        parts.append("true")
    elif value is False:
        parts.append("false")
    elif isinstance(value, str):
        parts.append(_string(value))
    elif isinstance(value, int):
        parts.append(str(value) if abs(value) <= _EXACT_INTEGER else _number(_double(value)))
    elif isinstance(value, float):
        parts.append(_number(value))
    elif isinstance(value, dict):
        parts.append("{")
        for index, key in enumerate(sorted(value, key=_utf16_order)):
            if not isinstance(key, str):
                raise ValueError("object keys must be strings")
            if index:
                parts.append(",")
            parts.append(_string(key))
            parts.append(":")
            _write(value[key], parts)
        parts.append("}")
    elif isinstance(value, list | tuple):
        parts.append("[")
        for index, item in enumerate(value):
            if index:
                parts.append(",")
            _write(item, parts)
        parts.append("]")
    else:
        raise ValueError(f"not a JSON value: {type(value).__name__}")


def _utf16_order(key: object) -> bytes:
    # Big-endian UTF-16 bytes compare exactly as JavaScript compares strings: by code units.
    return str(key).encode("utf-16-be", "surrogatepass")


def _string(text: str) -> str:
    # json.dumps escapes exactly what JSON.stringify escapes (quote, backslash, \b \f \n \r \t,
    # other controls as lowercase \u00xx) and leaves U+2028/U+2029 and U+007F as they are.
    encoded = json.dumps(text, ensure_ascii=False)
    return _LONE_SURROGATE.sub(lambda match: f"\\u{ord(match.group()):04x}", encoded)


def _double(integer: int) -> float:
    try:
        return float(integer)  # the nearest double, as JSON.parse reads it
    except OverflowError:
        raise ValueError("an integer beyond the largest double has no JSON form") from None


def _number(number: float) -> str:
    """ECMAScript Number::toString for a finite double."""
    if not math.isfinite(number):
        raise ValueError("NaN and infinite numbers have no JSON form")
    if number == 0:
        return "0"  # also -0, as in JavaScript
    sign = "-" if number < 0 else ""
    # repr() gives the shortest round-tripping digits; read them as 0.DIGITS × 10**point.
    mantissa, _, exponent = repr(abs(number)).partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = whole + fraction
    point = len(whole) + int(exponent or 0)
    significant = digits.lstrip("0")
    point -= len(digits) - len(significant)
    digits = significant.rstrip("0")
    count = len(digits)
    if count <= point <= 21:
        text = digits + "0" * (point - count)
    elif 0 < point <= 21:
        text = digits[:point] + "." + digits[point:]
    elif -6 < point <= 0:
        text = "0." + "0" * -point + digits
    else:
        power = point - 1
        text = digits[0] + ("." + digits[1:] if count > 1 else "") + \
            "e" + ("+" if power > 0 else "-") + str(abs(power))
    return sign + text
