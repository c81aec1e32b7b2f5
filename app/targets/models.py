"""Targets (入户核对登记确认对象): people the provincial comparison found possibly un-enrolled,
assigned to a village so that its enumerator knows whom to look for.

The full ID number stays on the server; devices receive it masked (docs/SYNC.md, "Pull").
"""
from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Column, Index
from sqlmodel import Field, SQLModel

from app.clock import utcnow
from app.i18n import N_


class TargetStatus(StrEnum):
    open = "open"
    registered = "registered"
    moved = "moved"
    deceased = "deceased"
    not_found = "not_found"


# The same words as the phone app's (templates/capture/app.html).
STATUS_LABELS = {TargetStatus.open: N_("To visit"), TargetStatus.registered: N_("Registered"),
                 TargetStatus.moved: N_("Moved away"), TargetStatus.deceased: N_("Deceased"),
                 TargetStatus.not_found: N_("Not found")}

INSURANCE_LABELS = {"pension": N_("Pension"), "medical": N_("Medical"),
                    "work_injury": N_("Work injury"), "unemployment": N_("Unemployment"),
                    "maternity": N_("Maternity")}


class Target(SQLModel, table=True):
    # A target is one person in one village: a roster import finds the row to update by this
    # key, and a re-import of the same file meets it instead of adding a copy. The index also
    # serves every look-up by village (its leading column).
    __table_args__ = (Index("ux_target_village_id_number", "village_code", "id_number",
                            unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    village_code: str = Field(foreign_key="area.code", max_length=12)
    name: str = Field(max_length=64)
    # Also indexed alone: a person's targets are found by ID number at approval and in reports.
    id_number: str = Field(max_length=18, index=True)
    address: str = Field(default="", max_length=200)
    # The insurances the comparison found missing, space-separated from: pension medical
    # work_injury unemployment maternity.
    uninsured: str = Field(default="", max_length=100)
    assigned_to_id: int | None = Field(default=None, foreign_key="user.id")
    status: str = Field(default=TargetStatus.open, max_length=16)
    seq: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    created_at: datetime = Field(default_factory=utcnow)
