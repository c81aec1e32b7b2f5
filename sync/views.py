"""The sync API the enumerator's phone calls (docs/SYNC.md).

Both endpoints are for enumerators only: they are the ones who capture offline, and what a
pull returns (their villages' targets, their own returned submissions) is defined for them.
Supervisors and admins work online in the web pages, so their phones hold no target lists.
"""
import asyncio
from typing import Annotated
from weakref import WeakKeyDictionary

from fastapi import APIRouter, Depends, Query, Request

from app.accounts.access import Principal, require
from app.accounts.models import Role
from app.clock import utcnow
from app.db import Db
from app.errors import ApiError
from app.forms.validation import FieldError
from app.i18n import N_, gettext_for, locale_for
from sync import body, pull as pulls
from sync.push import Batch, Outcome
from sync.schemas import (MAX_BODY_BYTES, MAX_ITEMS, ItemError, PullResponse, PushResponse,
                          PushResult, push_request_schema)

router = APIRouter(prefix="/api/v1/sync", tags=["sync"])
enumerator = require(Role.enumerator)

# Pushes a server process works on at once; the others wait their turn before they take a
# database connection. A push is mostly Python (validating each household's answers), and a
# process runs Python in one thread at a time. With two pushes in one process, the one that
# holds the change counter's lock (sync/push.py) waited for the interpreter after each of its
# statements while the other validated: its store step took 54-71 ms instead of 30, and every
# push in the county queues behind that lock. One push per process, and more processes than
# cores (`canbao serve --workers` = 2 x cores), leave the sharing of the cores to the kernel:
# 1,010-1,120 households/s instead of 760-890 on the development machine (benchmarks/README.md).
PUSHES_AT_ONCE = 1
_push_slots: WeakKeyDictionary = WeakKeyDictionary()  # per event loop (a test client makes several)


async def push_slot():
    slots = _push_slots.setdefault(asyncio.get_running_loop(), asyncio.Semaphore(PUSHES_AT_ONCE))
    async with slots:
        yield


async def batch_items(request: Request) -> list:
    """The body's items, refused as a whole only when the body itself is unusable."""
    data = body.parse_json(await body.read_limited(request, MAX_BODY_BYTES))
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise ApiError(400, "batch_invalid",
                       N_("The request must be an object with a list of items."))
    if len(data["items"]) > MAX_ITEMS:
        raise ApiError(413, "batch_too_large",
                       N_("A batch holds at most {limit} records. Send fewer records per batch."),
                       params={"limit": MAX_ITEMS})
    return data["items"]


@router.post("/push", response_model=PushResponse, response_model_exclude_none=True,
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/json": {"schema": push_request_schema()}}}})
def push(request: Request, _slot: Annotated[None, Depends(push_slot, scope="function")], db: Db,
         principal: Principal = Depends(enumerator),
         items: list = Depends(batch_items)) -> PushResponse:
    """Send captured submissions; one result per item, in order (docs/SYNC.md, "Push")."""
    outcomes = Batch(db, principal).push(items)
    translate = _translator(request)
    return PushResponse(results=[translate(outcome) for outcome in outcomes],
                        server_time=utcnow().isoformat(timespec="seconds"))


@router.get("/pull", response_model=PullResponse)
def pull(db: Db, principal: Principal = Depends(enumerator), cursor: str | None = None,
         limit: int = Query(pulls.DEFAULT_LIMIT, ge=1, le=pulls.MAX_LIMIT)) -> PullResponse:
    """What changed for the caller since the cursor (docs/SYNC.md, "Pull")."""
    return pulls.pull(session=db, principal=principal, cursor=pulls.parse_cursor(cursor),
                      limit=limit)


def _translator(request: Request):
    gettext = gettext_for(request)
    english = locale_for(request) == "en"

    def error(item: FieldError) -> ItemError:
        return ItemError(path=item.path, code=item.code,
                         message=item.message_en if english else item.message_zh)

    def result(outcome: Outcome) -> PushResult:
        return PushResult(id=outcome.id, revision=outcome.revision, status=outcome.status,
                          code=outcome.code,
                          message=gettext(outcome.message) if outcome.message else None,
                          server_revision=outcome.server_revision,
                          errors=[error(item) for item in outcome.errors] or None)

    return result
