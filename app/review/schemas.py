"""Bodies of the review API (/api/v1/review), as /openapi.json shows them."""
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

Revision = Annotated[int, Field(strict=True, ge=1, le=2**31 - 1,
                                description="The revision the decision is made on")]


class FlagOut(BaseModel):
    code: str
    severity: Literal["error", "warning"]
    path: str
    message: str  # in the caller's language
    related_submission_id: str | None = None


class QueueItemOut(BaseModel):
    id: str
    village_code: str
    village_name: str
    enumerator: str
    revision: int
    state: str
    received_at: datetime
    address: str
    visit_outcome: str
    member_count: int
    errors: int
    warnings: int


class QueueOut(BaseModel):
    items: list[QueueItemOut]
    total: int
    next_cursor: str | None  # pass as `cursor` for the next page
    open_counts: dict[str, int]  # households awaiting review / returned, in the caller's villages


class RevisionOut(BaseModel):
    revision: int
    received_at: datetime
    captured_at: datetime
    content_hash: str
    device_id: int | None


class SubmissionOut(BaseModel):
    id: str
    village_code: str
    village_name: str
    enumerator: str
    form_id: str
    form_version: str
    revision: int
    state: str
    received_at: datetime
    comment: str | None
    field_comments: dict[str, str]
    payload: dict  # ID numbers and phones masked; POST …/reveal shows one
    flags: list[FlagOut]
    revisions: list[RevisionOut]


class RevisionDetailOut(BaseModel):
    revision: int
    payload: dict  # masked
    flags: list[FlagOut]


class ChangeOut(BaseModel):
    label: str
    before: str
    after: str
    hidden_change: bool  # masked values that look alike but differ


class DecisionIn(BaseModel):
    revision: Revision


class ReturnIn(DecisionIn):
    comment: str = Field(max_length=1000)
    field_comments: dict[str, str] = Field(default_factory=dict,
                                           description='{"members[0].id_number": "…"}')


class RejectIn(DecisionIn):
    reason: str = Field(max_length=1000)


class DecisionOut(BaseModel):
    id: str
    revision: int
    state: str


class BulkItem(BaseModel):
    id: str = Field(max_length=36)
    revision: Revision


class BulkIn(BaseModel):
    items: list[BulkItem] = Field(max_length=200)


class BulkResult(BaseModel):
    id: str
    revision: int
    status: Literal["approved", "refused"]
    code: str | None = None
    message: str | None = None


class BulkOut(BaseModel):
    results: list[BulkResult]


class RevealIn(BaseModel):
    path: str = Field(max_length=80, description="members[0].id_number, contact_phone, …")
    revision: int | None = None


class RevealOut(BaseModel):
    path: str
    value: str


class EventOut(BaseModel):
    id: int
    at: datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    device_id: int | None
    detail: dict


class VillageOut(BaseModel):
    code: str
    name: str
    done_at: datetime | None
    done_by: str
    targets: dict[str, int]  # status -> count
    submissions: dict[str, int]  # state -> count


class TargetOut(BaseModel):
    id: int
    village_code: str
    name: str
    id_number_masked: str
    address: str
    status: str
    submission_id: str | None
    member_index: int | None
    decided_by: str | None
    decided_at: datetime | None


class SettleIn(BaseModel):
    status: Literal["registered", "moved", "deceased", "not_found"]
    submission_id: str | None = None
    member_index: int | None = None
