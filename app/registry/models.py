"""The registry push: the outbox in the app's database, and the registry's own tables.

`registry_outbox` is written in the approving transaction, so an approval never waits for the
registry or fails with it; the worker (worker.py) drains it. `registry_person` (one current row
per ID number) and `registry_person_version` (every approved version) are the registry
(全民参保库). They sit in the app's database by default, where Alembic creates them, or in the
database CANBAO_REGISTRY_DATABASE_URL names, where store.ensure_schema() creates exactly
REGISTRY_TABLES. They reference nothing in the app's database, so either place works.
"""
from datetime import datetime

from sqlalchemy import JSON, BigInteger, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.clock import utcnow


class RegistryOutbox(SQLModel, table=True):
    """One approved member waiting to be pushed (or pushed: done_at is set)."""

    __tablename__ = "registry_outbox"
    __table_args__ = (
        UniqueConstraint("submission_id", "revision", "member_index", name="uq_registry_outbox_member"),
        Index("ix_registry_outbox_pending", "done_at", "next_attempt_at"),
    )

    # Also the order in which versions of one person rank: a later approval has a larger id.
    id: int | None = Field(default=None, primary_key=True)
    submission_id: str = Field(foreign_key="submission.id", max_length=36)
    revision: int
    member_index: int  # position in payload["members"]
    id_number: str = Field(max_length=18)
    village_code: str = Field(max_length=12, index=True)
    # {"form_id", "form_version", "household": {...}, "member": {...}}: what the registry keeps.
    data: dict = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)  # when it was approved
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow)
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    last_error_at: datetime | None = None
    # A worker's lease: other workers leave the row alone until claimed_until has passed.
    claimed_by: str | None = Field(default=None, max_length=64)
    claimed_until: datetime | None = None
    done_at: datetime | None = None


class RegistryPersonVersion(SQLModel, table=True):
    """One approved version of a person, as it came from one revision of one submission.
    The unique source key makes a replayed push insert nothing."""

    __tablename__ = "registry_person_version"
    __table_args__ = (UniqueConstraint("submission_id", "revision", "member_index",
                                       name="uq_registry_person_version_source"),)

    id: int | None = Field(default=None, primary_key=True)
    id_number: str = Field(max_length=18, index=True)
    submission_id: str = Field(max_length=36)
    revision: int
    member_index: int
    order_key: int = Field(sa_column=Column(BigInteger, nullable=False))  # the outbox row's id
    village_code: str = Field(max_length=12)
    data: dict = Field(sa_column=Column(JSON, nullable=False))
    approved_at: datetime
    pushed_at: datetime = Field(default_factory=utcnow)


class RegistryPerson(SQLModel, table=True):
    """The current version of each person: the one with the largest order_key."""

    __tablename__ = "registry_person"

    id_number: str = Field(primary_key=True, max_length=18)
    current_version_id: int = Field(foreign_key="registry_person_version.id", index=True)
    order_key: int = Field(sa_column=Column(BigInteger, nullable=False))
    village_code: str = Field(max_length=12, index=True)
    updated_at: datetime = Field(default_factory=utcnow)


REGISTRY_TABLES = [RegistryPersonVersion.__table__, RegistryPerson.__table__]
