"""The sync protocol's request and response bodies (docs/SYNC.md), as /openapi.json shows them."""
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

MAX_ITEMS = 50
MAX_BODY_BYTES = 2 * 1024 * 1024

# Lowercase only, as crypto.randomUUID() writes it: one spelling per submission.
UUID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
HASH_PATTERN = r"^[0-9a-f]{64}$"


class PushItem(BaseModel):
    """One submission revision in a push batch. Unknown keys are ignored, so that an older
    server accepts what a newer phone adds."""

    model_config = ConfigDict(extra="ignore")

    id: Annotated[str, StringConstraints(pattern=UUID_PATTERN)]
    # Strict: "2" or 2.0 is a client bug, not a revision. The bound is the column's.
    revision: Annotated[int, Field(strict=True, ge=1, le=2**31 - 1)]
    form_id: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    form_version: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    captured_at: AwareDatetime
    content_hash: Annotated[str, StringConstraints(pattern=HASH_PATTERN)]
    payload: dict


def push_request_schema() -> dict:
    """The request body for the OpenAPI document. The view reads the body itself (to refuse an
    oversized one before parsing, and to judge each item on its own), so FastAPI cannot derive
    this from a parameter."""
    return {"title": "PushRequest", "type": "object", "required": ["items"],
            "properties": {"items": {"type": "array", "maxItems": MAX_ITEMS,
                                     "items": PushItem.model_json_schema()}}}


class ItemError(BaseModel):
    path: str
    code: str
    message: str


class PushResult(BaseModel):
    id: str
    revision: int | None = None  # absent only when the item had no usable revision
    status: Literal["accepted", "duplicate", "conflict", "rejected"]
    code: str | None = None
    message: str | None = None
    server_revision: int | None = None
    errors: list[ItemError] | None = None


class PushResponse(BaseModel):
    results: list[PushResult]
    server_time: str


class PulledForm(BaseModel):
    county_code: str
    form_id: str
    version: str
    title: str
    content_hash: str


class PulledTarget(BaseModel):
    id: int
    village_code: str
    name: str
    id_number_masked: str
    address: str
    uninsured: str
    status: str
    assigned_to: str | None


class PulledSubmission(BaseModel):
    id: str
    form_id: str
    form_version: str
    revision: int
    state: str
    comment: str | None
    field_comments: dict[str, str]
    # The current revision as stored, when it is back with the enumerator (returned); null
    # otherwise, since the phone then only needs the state.
    payload: dict | None


class PullResponse(BaseModel):
    cursor: str
    more: bool
    forms: list[PulledForm]
    targets: list[PulledTarget]
    submissions: list[PulledSubmission]
