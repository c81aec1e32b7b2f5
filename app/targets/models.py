"""Targets (入户核对登记确认对象): people the provincial comparison found possibly un-enrolled,
assigned to a village so that its enumerator knows whom to look for.

The full ID number stays on the server; devices receive it masked (docs/SYNC.md, "Pull").
"""
from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Column
from sqlmodel import Field, SQLModel

from app.clock import utcnow


class TargetStatus(StrEnum):
    open = "open"
    registered = "registered"
    moved = "moved"
    deceased = "deceased"
    not_found = "not_found"


class Target(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    village_code: str = Field(foreign_key="area.code", max_length=12, index=True)
    name: str = Field(max_length=64)
    id_number: str = Field(max_length=18)
    address: str = Field(default="", max_length=200)
    # The insurances the comparison found missing, space-separated from: pension medical
    # work_injury unemployment maternity.
    uninsured: str = Field(default="", max_length=100)
    assigned_to_id: int | None = Field(default=None, foreign_key="user.id")
    status: str = Field(default=TargetStatus.open, max_length=16)
    seq: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    created_at: datetime = Field(default_factory=utcnow)
