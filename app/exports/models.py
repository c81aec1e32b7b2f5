"""Export batches: numbered, immutable sets of verified people for the provincial platform.

All three tables are insert-only: database triggers (created by its migration) refuse UPDATE and DELETE,
and refuse new items for a batch once its files are recorded. A batch is written in one
transaction: the header, then its items, then one file row per format with the SHA-256 of the
bytes that format renders to, which every later download must reproduce.
"""
from datetime import datetime

from sqlalchemy import BigInteger, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.clock import utcnow


class ExportBatch(SQLModel, table=True):
    __tablename__ = "export_batch"
    __table_args__ = (UniqueConstraint("county_code", "number", name="uq_export_batch_number"),)

    id: int | None = Field(default=None, primary_key=True)
    county_code: str = Field(foreign_key="area.code", max_length=12)
    number: int  # 1, 2, 3 … within the county
    # None: the whole county.
    township_code: str | None = Field(default=None, foreign_key="area.code", max_length=12)
    created_at: datetime = Field(default_factory=utcnow)
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_by_name: str = Field(max_length=64)


class ExportBatchItem(SQLModel, table=True):
    """A registry person version the batch holds. Each version is in at most one batch, which
    is what "everything since the last batch" means."""

    __tablename__ = "export_batch_item"
    __table_args__ = (UniqueConstraint("person_version_id", name="uq_export_batch_item_version"),)

    batch_id: int = Field(foreign_key="export_batch.id", primary_key=True)
    # registry_person_version.id; no foreign key, as the registry may be another database.
    person_version_id: int = Field(primary_key=True)


class ExportBatchFile(SQLModel, table=True):
    """One format of a batch: its file name, size and SHA-256, fixed when the batch was made."""

    __tablename__ = "export_batch_file"

    batch_id: int = Field(foreign_key="export_batch.id", primary_key=True)
    format: str = Field(primary_key=True, max_length=8)
    file_name: str = Field(max_length=100)
    sha256: str = Field(max_length=64)
    byte_size: int = Field(sa_column=Column(BigInteger, nullable=False))
    row_count: int
