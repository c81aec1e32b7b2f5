"""A report table as the source documents lay it out, independent of how it is shown.

The same Sheet renders as an HTML table (templates/reports/_sheet.html), an XLSX workbook and
a CSV file (render.py), so the page, the downloads and the JSON API show the same numbers.

Layout, top to bottom: the title; the note lines (填报单位, date, 单位：人); the header rows,
where a cell may span columns and rows (two-row merged headers as in 调度表（一）); the
column-number row (甲栏, 1, 2, …) when the source has one; the body rows; the 合计 row; the
footer lines (审核 / 填表 / 电话).
"""
from dataclasses import dataclass, field

Value = str | int | float | None


@dataclass(frozen=True)
class HeaderCell:
    text: str
    colspan: int = 1
    rowspan: int = 1


@dataclass(frozen=True)
class Row:
    label: str  # the first column: the area's name, a date, a person …
    values: list[Value]
    code: str | None = None  # the area code, for a drill-down link
    problems: list[str] = field(default_factory=list)  # shown beside the row (a broken rule)


@dataclass(frozen=True)
class Sheet:
    name: str  # file and worksheet name, e.g. "调度表一"
    title: str
    notes: list[str]
    header: list[list[HeaderCell]]  # header rows, each row listing its cells left to right,
    # skipping the places covered by a cell above that spans rows
    rows: list[Row]
    column_numbers: list[str] | None = None  # ["甲栏", "1", "2", …]
    total: Row | None = None  # the 合计 row
    footer: list[str] = field(default_factory=list)
    # Columns (0 = the label column) holding a ratio in [0, 1], shown as a percentage.
    percent_columns: frozenset[int] = frozenset()

    @property
    def width(self) -> int:
        return sum(cell.colspan for cell in self.header[0]) if self.header else 1 + len(self.rows[0].values)
