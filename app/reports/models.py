"""What the reports count: people as approved (one fact row per approved version), the
expansion tasks the county sets, and the county's rules for who should be enrolled.

`person_fact` reduces each approved member to the answers the reports read, in typed columns,
so a county of a million people is counted by one scan instead of a million JSON documents.
It is written in the approving transaction (app/reports/facts.py), next to the registry
outbox row of the same member, so it holds exactly what the registry holds once pushed; it
sits in the app's database so that it can be joined with the roster (`target`) even when the
registry is a separate database.

A fact is valid from `approved_at` until `superseded_at`, the moment a later approval of the
same ID number replaced it: "as of a date" is one range test, no window function.
"""
from datetime import datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.clock import utcnow

INSURANCES = ("pension", "medical", "work_injury", "maternity", "unemployment")


class PersonFact(SQLModel, table=True):
    __tablename__ = "person_fact"
    __table_args__ = (
        UniqueConstraint("submission_id", "revision", "member_index", name="uq_person_fact_source"),
        # The current fact of an ID number (superseded_at IS NULL) is looked up at every approval.
        Index("ix_person_fact_person", "id_number", "superseded_at"),
        Index("ix_person_fact_village", "village_code", "approved_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    id_number: str = Field(max_length=18)
    village_code: str = Field(max_length=12)
    submission_id: str = Field(max_length=36)
    revision: int
    member_index: int
    approved_at: datetime
    superseded_at: datetime | None = None
    # "YYYY-MM-DD", from the ID number: compared as text with a cut-off date, like the roster's.
    birth_date: str = Field(max_length=10)
    sex: str = Field(default="", max_length=1)
    hukou_type: str = Field(default="", max_length=32)
    personal_status: str = Field(default="", max_length=32)
    employment: str = Field(default="", max_length=32)
    unit_type: str = Field(default="", max_length=32)
    # Each insurance's status code as answered ("" when the form did not ask), and its status
    # before this approval: the previous fact's, else "not_enrolled" when the roster listed the
    # person as missing it, else "" (unknown). Newly enrolled = before uncovered, now enrolled.
    pension: str = Field(default="", max_length=16)
    medical: str = Field(default="", max_length=16)
    work_injury: str = Field(default="", max_length=16)
    maternity: str = Field(default="", max_length=16)
    unemployment: str = Field(default="", max_length=16)
    pension_before: str = Field(default="", max_length=16)
    medical_before: str = Field(default="", max_length=16)
    work_injury_before: str = Field(default="", max_length=16)
    maternity_before: str = Field(default="", max_length=16)
    unemployment_before: str = Field(default="", max_length=16)


class ExpansionPlan(SQLModel, table=True):
    """扩面任务 / 扩面计划: how many people an area should newly enroll in one insurance, in one
    quarter (1-4) or, with quarter 0, in the whole year."""

    __tablename__ = "expansion_plan"
    __table_args__ = (UniqueConstraint("area_code", "year", "quarter", "insurance",
                                       name="uq_expansion_plan"),)

    id: int | None = Field(default=None, primary_key=True)
    area_code: str = Field(foreign_key="area.code", max_length=12, index=True)
    year: int
    quarter: int  # 0: the year's plan
    insurance: str = Field(max_length=16)
    people: int
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by_id: int | None = Field(default=None, foreign_key="user.id")


class ReportRules(SQLModel, table=True):
    """One version of a county's rules (app/reports/rules.py), as uploaded; the newest applies.
    Versions are kept, never changed, so an old report can say which rules it used."""

    __tablename__ = "report_rules"
    __table_args__ = (UniqueConstraint("county_code", "version", name="uq_report_rules_version"),)

    id: int | None = Field(default=None, primary_key=True)
    county_code: str = Field(foreign_key="area.code", max_length=12, index=True)
    version: str = Field(max_length=32)
    source: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
