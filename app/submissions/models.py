"""Submissions: one household visit each, named by the UUID the phone gave its draft.

`submission` holds the current revision and its review state; `submission_revision` keeps
every revision as it arrived, so a resubmission after a return never overwrites history.
"""
from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, BigInteger, Column, Index, Text
from sqlmodel import Field, SQLModel

from app.clock import utcnow


class SubmissionState(StrEnum):
    submitted = "submitted"
    returned = "returned"  # sent back to the enumerator for correction
    approved = "approved"
    rejected = "rejected"  # final, with a reason


class Submission(SQLModel, table=True):
    __tablename__ = "submission"
    # The supervisor's queue: a township's villages, one state, in order of arrival.
    __table_args__ = (Index("ix_submission_queue", "village_code", "state", "received_at", "id"),)

    id: str = Field(primary_key=True, max_length=36)
    owner_id: int = Field(foreign_key="user.id", index=True)
    device_id: int | None = Field(default=None, foreign_key="devicetoken.id")
    village_code: str = Field(foreign_key="area.code", max_length=12, index=True)
    form_id: str = Field(max_length=64)
    form_version: str = Field(max_length=32)
    revision: int
    # The hash the phone computed over what it sent; `payload` is that content as validation
    # normalised it (numbers typed, ID numbers upper-cased, hidden answers dropped).
    content_hash: str = Field(max_length=64)
    payload: dict = Field(sa_column=Column(JSON, nullable=False))
    captured_at: datetime
    received_at: datetime = Field(default_factory=utcnow)
    state: str = Field(default=SubmissionState.submitted, max_length=16, index=True)
    review_comment: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    field_comments: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    seq: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    # Copied out of the payload for the supervisor's queue, which lists and filters by them.
    address: str = Field(default="", max_length=200)
    visit_outcome: str = Field(default="", max_length=32)
    member_count: int = 0


class SubmissionRevision(SQLModel, table=True):
    __tablename__ = "submission_revision"

    submission_id: str = Field(foreign_key="submission.id", primary_key=True, max_length=36)
    revision: int = Field(primary_key=True)
    form_id: str = Field(max_length=64)
    form_version: str = Field(max_length=32)
    content_hash: str = Field(max_length=64)
    payload: dict = Field(sa_column=Column(JSON, nullable=False))
    captured_at: datetime
    received_at: datetime = Field(default_factory=utcnow)
    device_id: int | None = Field(default=None, foreign_key="devicetoken.id")
