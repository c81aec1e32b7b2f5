"""Reading a push body: never more than the limit, and JSON exactly as JavaScript writes it.

FastAPI would read any body whole before the view could look at its size, so the push reads
the stream itself: a declared Content-Length over the limit is refused before a byte is read,
and a body without one (chunked) is cut off as soon as it passes the limit.
"""
import json
import math

from fastapi import Request

from app.errors import ApiError
from app.i18n import N_

BODY_TOO_LARGE = N_("The request is larger than 2 MiB. Send fewer records per batch.")
MALFORMED_JSON = N_("The request body is not valid JSON.")


async def read_limited(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise ApiError(413, "body_too_large", BODY_TOO_LARGE)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise ApiError(413, "body_too_large", BODY_TOO_LARGE)
    return bytes(body)


def parse_json(raw: bytes) -> object:
    """UTF-8 JSON with only finite numbers: NaN, Infinity and numbers too large for a double
    cannot come from JSON.stringify, and the content hash could not be computed for them."""
    try:
        return json.loads(raw.decode("utf-8"), parse_constant=_refuse, parse_float=_finite_float,
                          parse_int=_finite_int)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ApiError(400, "malformed_json", MALFORMED_JSON) from None


def _refuse(text: str) -> float:
    raise ValueError(f"{text} is not JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is too large")
    return value


def _finite_int(text: str) -> int:
    value = int(text)
    _finite_float(text)  # beyond about 1.8e308 a browser holds Infinity, not a number
    return value
