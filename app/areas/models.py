"""The county → township → village tree, keyed by statistical area codes (统计用区划代码)."""
from enum import StrEnum

from sqlmodel import Field, SQLModel


class AreaLevel(StrEnum):
    county = "county"
    township = "township"
    village = "village"


# Length of the significant part of each level's code: 6 county + 3 township + 3 village.
CODE_LENGTH = {AreaLevel.county: 6, AreaLevel.township: 9, AreaLevel.village: 12}
LEVEL_BY_LENGTH = {length: level for level, length in CODE_LENGTH.items()}


class Area(SQLModel, table=True):
    code: str = Field(primary_key=True, max_length=12)
    name: str = Field(max_length=100)
    level: str = Field(max_length=10, index=True)
    parent_code: str | None = Field(default=None, foreign_key="area.code", index=True,
                                    max_length=12)
