"""Township review: the automatic checks' flags, the index of people across households, and
how each village and each target ended.

None of these tables is an event log: the events (flagged, approved, target settled, …) go to
`audit_event`, which is append-only. These rows describe the present and are replaced when it
changes (the flags of a revision when its checks run again, a village reopened).
"""
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from app.clock import utcnow


class Severity(StrEnum):
    error = "error"  # must be looked at: keeps the household out of a bulk approval
    warning = "warning"  # worth a look; bulk approval passes it


class SubmissionFlag(SQLModel, table=True):
    """What one automatic check found in one revision of a submission."""

    __tablename__ = "submission_flag"
    __table_args__ = (Index("ix_submission_flag_revision", "submission_id", "revision"),)

    id: int | None = Field(default=None, primary_key=True)
    submission_id: str = Field(foreign_key="submission.id", max_length=36)
    revision: int
    code: str = Field(max_length=32, index=True)
    severity: str = Field(max_length=8)
    # The field it concerns: "contact_phone", "members[1].id_number"; "" for the household.
    path: str = Field(default="", max_length=64)
    message_zh: str = Field(max_length=300)
    message_en: str = Field(max_length=300)
    # The other household holding the same ID number, for a link.
    related_submission_id: str | None = Field(default=None, foreign_key="submission.id",
                                              max_length=36)


class SubmissionMember(SQLModel, table=True):
    """The members of each submission's current revision, one row each: the payload is JSON,
    and finding an ID number among 100 000 households needs an index."""

    __tablename__ = "submission_member"

    submission_id: str = Field(foreign_key="submission.id", primary_key=True, max_length=36)
    member_index: int = Field(primary_key=True)  # position in payload["members"]
    id_number: str = Field(max_length=18, index=True)
    name: str = Field(default="", max_length=64)
    # The schemes the member is enrolled in (space-separated), "" when none: two households
    # naming different schemes of one insurance for one person is 重复参保.
    pension_scheme: str = Field(default="", max_length=64)
    medical_scheme: str = Field(default="", max_length=64)


class VillageProgress(SQLModel, table=True):
    """A village the supervisor marked done: every household visited. From then on, a target
    still open there is flagged on the village's households awaiting review."""

    __tablename__ = "village_progress"

    village_code: str = Field(foreign_key="area.code", primary_key=True, max_length=12)
    done_at: datetime | None = None  # None: reopened
    done_by_id: int | None = Field(default=None, foreign_key="user.id")


class TargetOutcome(SQLModel, table=True):
    """How a target ended, who decided and when. `target.status` holds the same status, since
    that is what phones pull; this row adds the member a registered target became."""

    __tablename__ = "target_outcome"

    target_id: int = Field(foreign_key="target.id", primary_key=True)
    status: str = Field(max_length=16)
    submission_id: str | None = Field(default=None, foreign_key="submission.id", max_length=36)
    member_index: int | None = None
    decided_by_id: int | None = Field(default=None, foreign_key="user.id")
    decided_at: datetime = Field(default_factory=utcnow)
