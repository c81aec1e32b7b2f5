"""Form versions. A published version never changes: submissions name the version they were
captured with and are validated against exactly that definition."""
from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, BigInteger, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.clock import utcnow


class FormStatus(StrEnum):
    draft = "draft"
    published = "published"


class FormVersion(SQLModel, table=True):
    __tablename__ = "form_version"
    __table_args__ = (UniqueConstraint("county_code", "form_id", "version", name="uq_form_version"),)

    id: int | None = Field(default=None, primary_key=True)
    form_id: str = Field(max_length=64, index=True)
    version: str = Field(max_length=32)
    title: str = Field(max_length=200)
    # The county that owns the form; its enumerators receive it once published.
    county_code: str = Field(foreign_key="area.code", max_length=12, index=True)
    status: str = Field(default=FormStatus.draft, max_length=16)
    definition: dict = Field(sa_column=Column(JSON, nullable=False))
    content_hash: str = Field(max_length=64)
    uploaded_by_id: int | None = Field(default=None, foreign_key="user.id")
    uploaded_at: datetime = Field(default_factory=utcnow)
    published_by_id: int | None = Field(default=None, foreign_key="user.id")
    published_at: datetime | None = None
    # Position in the change sequence (sync/changes.py), taken on publishing: phones pull the
    # version from then on.
    seq: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True, index=True))
