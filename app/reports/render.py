"""A Sheet as the files a county office downloads: XLSX in the layout of the source tables, and CSV.

Both are pure functions of the Sheet, so the same report renders to the same bytes at every
download (the workbook's dates are fixed, XlsxWriter stamps its ZIP entries with a constant).
A row that breaks a rule keeps its numbers as computed and says so beside them: a fill and a
Problems column, never a silently corrected figure.
"""
import csv
import io
import re
from collections.abc import Callable, Iterator
from datetime import datetime
from urllib.parse import quote

import xlsxwriter
from fastapi.responses import Response

from app.errors import ApiError
from app.exports.columns import neutralise
from app.i18n import N_, translations
from app.reports.sheet import HeaderCell, Row, Sheet

MEDIA_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
PROBLEMS_HEADING = N_("Problems")
# The source tables are Chinese documents; their downloads stay Chinese whatever the page's
# language, unless the caller passes its own gettext.
DOCUMENT_GETTEXT = translations("zh_CN").gettext
# Any fixed instant: the workbook's "created" property would otherwise be the download's time.
FIXED_CREATED = datetime(2000, 1, 1)

FONT = "宋体"  # SimSun: on every Chinese Windows and in WPS, as the county's own forms use
TITLE_FONT = "黑体"
SHEET_NAME_LIMIT = 31  # Excel refuses longer worksheet names
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
PROBLEM_FILL = "#FDECEA"
HEADER_FILL = "#F2F2F2"
BODY_KINDS = {
    "label": {"align": "left", "text_wrap": True},
    "text": {"align": "center"},
    "number": {"align": "right"},
    "percent": {"align": "right", "num_format": "0.0%"},
    "note": {"align": "left", "text_wrap": True, "font_color": "#C62828"},
}


def header_positions(sheet: Sheet) -> list[tuple[int, int, HeaderCell]]:
    """(header row, column, cell) for every header cell, placing each after the places a cell
    above covers by spanning rows; raises ValueError unless the cells tile the header exactly."""
    taken: set[tuple[int, int]] = set()
    placed = []
    for row_index, cells in enumerate(sheet.header):
        column = 0
        for cell in cells:
            while (row_index, column) in taken:
                column += 1
            placed.append((row_index, column, cell))
            for row in range(row_index, row_index + cell.rowspan):
                for col in range(column, column + cell.colspan):
                    if (row, col) in taken or row >= len(sheet.header) or col >= sheet.width:
                        raise ValueError(f"{sheet.name}: header cell {cell.text!r} overlaps or overflows")
                    taken.add((row, col))
            column += cell.colspan
    if len(taken) != len(sheet.header) * sheet.width:
        raise ValueError(f"{sheet.name}: the header cells leave gaps")
    return placed


def _problem_rows(sheet: Sheet) -> list[Row]:
    return [row for row in [*sheet.rows, sheet.total] if row is not None and row.problems]


def _problem_text(row: Row) -> str:
    return "；".join(row.problems)


def _display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet cell: a Chinese character is about two digits wide."""
    return sum(2 if ord(char) > 0x2E7F else 1 for char in text)


def _shown(sheet: Sheet, column: int, value) -> str:
    if value is None:
        return ""
    if column in sheet.percent_columns and isinstance(value, int | float):
        return f"{value * 100:.1f}%"
    return str(value)


# ---------------------------------------------------------------------------------------- XLSX

def to_xlsx(sheet: Sheet, *, gettext: Callable[[str], str] = DOCUMENT_GETTEXT,
            created: datetime = FIXED_CREATED) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {
        "in_memory": True,
        "strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False,
        "default_format_properties": {"font_name": FONT, "font_size": 11}})
    workbook.set_properties({"title": sheet.title, "created": created})
    _XlsxLayout(workbook, sheet, gettext).write()
    workbook.close()
    return buffer.getvalue()


def worksheet_name(name: str) -> str:
    cleaned = SHEET_NAME_FORBIDDEN.sub("_", name).strip("'") or "Sheet1"
    return cleaned[:SHEET_NAME_LIMIT]


class _XlsxLayout:
    """Writes one Sheet top to bottom, remembering the row it has reached."""

    def __init__(self, workbook, sheet: Sheet, gettext: Callable[[str], str]):
        self.sheet = sheet
        self.gettext = gettext
        self.ws = workbook.add_worksheet(worksheet_name(sheet.name))
        self.problems = bool(_problem_rows(sheet))
        # The Problems column sits right of the table, so the table itself keeps its source shape.
        self.last_column = sheet.width - 1 + (1 if self.problems else 0)
        self.line = 0
        self.widths = column_widths(sheet)
        cell = {"font_name": FONT, "border": 1, "valign": "vcenter"}
        add = workbook.add_format
        self.f = {
            "title": add({"font_name": TITLE_FONT, "bold": True, "font_size": 16,
                          "align": "center", "valign": "vcenter"}),
            "left": add({"align": "left", "valign": "vcenter"}),
            "center": add({"align": "center", "valign": "vcenter"}),
            "right": add({"align": "right", "valign": "vcenter"}),
            "header": add({**cell, "bold": True, "align": "center", "text_wrap": True,
                           "bg_color": HEADER_FILL}),
            "number_row": add({**cell, "align": "center"}),
        }
        self._workbook, self._cell, self._body_formats = workbook, cell, {}

    def _body_format(self, kind: str, row: Row, bold: bool):
        """The format of one body cell: kind (label, text, number, percent, note), bold for
        合计, filled when its row has a problem; made once per combination."""
        key = (kind, bool(row.problems), bold)
        if key not in self._body_formats:
            properties = {**self._cell, "bold": bold, **BODY_KINDS[kind]}
            if row.problems:
                properties["bg_color"] = PROBLEM_FILL
            self._body_formats[key] = self._workbook.add_format(properties)
        return self._body_formats[key]

    def write(self) -> None:
        self._title()
        self._spread(self.sheet.notes)
        header_top = self.line
        self._header()
        self._column_numbers()
        body_top = self.line
        for row in self.sheet.rows:
            self._row(row, bold=False)
        if self.sheet.total is not None:
            self._row(self.sheet.total, bold=True)
        self.line += 1 if self.sheet.footer else 0  # a blank line between the table and 审核
        self._spread(self.sheet.footer)
        self._widths()
        self.ws.freeze_panes(body_top, 1)
        self._print_setup(header_top, body_top)

    def _title(self) -> None:
        self.ws.set_row(self.line, 30)
        self._merge_or_write(self.line, 0, self.line, self.last_column, self.sheet.title, self.f["title"])
        self.line += 1

    def _spread(self, texts: list[str]) -> None:
        """Lines such as 填报单位 / date / 单位：人 share one row across the table's width, first
        to the left, last to the right, as printed on the source forms; one line each if too narrow."""
        if not texts:
            return
        width = self.last_column + 1
        if len(texts) > width:
            for text in texts:
                self._merge_or_write(self.line, 0, self.line, self.last_column, text, self.f["left"])
                self.line += 1
            return
        start = 0
        for index, text in enumerate(texts):
            end = (index + 1) * width // len(texts) - 1
            align = "left" if index == 0 else "right" if index == len(texts) - 1 else "center"
            self._merge_or_write(self.line, start, self.line, end, text, self.f[align])
            start = end + 1
        self.line += 1

    def _header(self) -> None:
        top = self.line
        for row_index, column, cell in header_positions(self.sheet):
            first = top + row_index
            self._merge_or_write(first, column, first + cell.rowspan - 1, column + cell.colspan - 1,
                                 cell.text, self.f["header"])
        for row_index, height in enumerate(header_heights(self.sheet, self.widths)):
            self.ws.set_row(top + row_index, height)
        if self.problems:
            self._merge_or_write(top, self.last_column, top + len(self.sheet.header) - 1,
                                 self.last_column, self.gettext(PROBLEMS_HEADING), self.f["header"])
        self.line += len(self.sheet.header)

    def _column_numbers(self) -> None:
        if not self.sheet.column_numbers:
            return
        for column, text in enumerate(self.sheet.column_numbers):
            self.ws.write_string(self.line, column, text, self.f["number_row"])
        if self.problems:
            self.ws.write_blank(self.line, self.last_column, None, self.f["number_row"])
        self.line += 1

    def _row(self, row: Row, bold: bool) -> None:
        self.ws.write_string(self.line, 0, row.label, self._body_format("label", row, bold))
        for column, value in enumerate(row.values, start=1):
            if isinstance(value, bool) or not isinstance(value, int | float | None):
                self.ws.write_string(self.line, column, str(value), self._body_format("text", row, bold))
                continue
            fmt = self._body_format("percent" if column in self.sheet.percent_columns else "number", row, bold)
            if value is None:
                self.ws.write_blank(self.line, column, None, fmt)
            else:
                self.ws.write_number(self.line, column, value, fmt)
        if self.problems:
            note = self._body_format("note", row, bold)
            if row.problems:
                self.ws.write_string(self.line, self.last_column, _problem_text(row), note)
            else:
                self.ws.write_blank(self.line, self.last_column, None, note)
        self.line += 1

    def _merge_or_write(self, first_row, first_col, last_row, last_col, text, fmt) -> None:
        if (first_row, first_col) == (last_row, last_col):
            self.ws.write_string(first_row, first_col, text, fmt)
        else:
            self.ws.merge_range(first_row, first_col, last_row, last_col, text, fmt)

    def _widths(self) -> None:
        for column, width in enumerate(self.widths):
            self.ws.set_column(column, column, width)
        if self.problems:
            longest = max(_display_width(_problem_text(row)) for row in _problem_rows(self.sheet))
            self.ws.set_column(self.last_column, self.last_column, min(max(longest, 10), 40) + 2)

    def _print_setup(self, header_top: int, body_top: int) -> None:
        self.ws.set_landscape()
        self.ws.set_paper(9)  # A4
        self.ws.fit_to_pages(1, 0)  # one page wide, as many tall as it takes
        self.ws.center_horizontally()
        self.ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
        self.ws.repeat_rows(header_top, body_top - 1)
        self.ws.print_area(0, 0, max(self.line - 1, 0), self.last_column)


def column_widths(sheet: Sheet) -> list[int]:
    """Excel column widths (in digits) that fit each column's numbers and its own heading,
    a heading wrapping onto a few lines rather than widening its column."""
    widths = [6] * sheet.width
    for _, column, cell in header_positions(sheet):
        if cell.colspan == 1:
            widths[column] = max(widths[column], min(_display_width(cell.text), 12))
    for row in [*sheet.rows, *([sheet.total] if sheet.total else [])]:
        widths[0] = max(widths[0], min(_display_width(row.label), 30))
        for column, value in enumerate(row.values[:sheet.width - 1], start=1):
            widths[column] = max(widths[column], _display_width(_shown(sheet, column, value)))
    return [width + 2 for width in widths]


def header_heights(sheet: Sheet, widths: list[int]) -> list[float]:
    """Row heights (points) that show every wrapped heading whole: spreadsheets do not grow a
    row for a merged cell's text, so a tall heading spanning rows would be cut off."""
    line, padding = 14.5, 4
    heights = [line + padding] * len(sheet.header)
    for row_index, column, cell in header_positions(sheet):
        room = max(sum(widths[column:column + cell.colspan]) - 1, 1)
        lines = -(-_display_width(cell.text) // room)  # ceiling division
        share = (lines * line + padding) / cell.rowspan
        for row in range(row_index, row_index + cell.rowspan):
            heights[row] = max(heights[row], share)
    return heights


# ----------------------------------------------------------------------------------------- CSV

def _csv_value(sheet: Sheet, column: int, value):
    if isinstance(value, str):
        return neutralise(value)
    # Excel reads "85.0%" back as the number 0.85 shown as a percentage, as in the XLSX.
    return _shown(sheet, column, value) if value is None or column in sheet.percent_columns else value


def csv_lines(sheet: Sheet, *, gettext: Callable[[str], str] = DOCUMENT_GETTEXT) -> Iterator[list]:
    """The CSV's lines as lists of cells: title, notes, header, 甲栏, body, 合计, footer; a
    spanning header cell's text stands in its first column. Every text is neutralised, so a
    spreadsheet never runs a cell as a formula."""
    problems = bool(_problem_rows(sheet))
    extra = 1 if problems else 0
    yield [neutralise(sheet.title)]
    for note in sheet.notes:
        yield [neutralise(note)]
    grid = [[""] * (sheet.width + extra) for _ in sheet.header]
    for row_index, column, cell in header_positions(sheet):
        grid[row_index][column] = neutralise(cell.text)
    if problems and grid:
        grid[0][-1] = gettext(PROBLEMS_HEADING)
    yield from grid
    if sheet.column_numbers:
        yield [*map(neutralise, sheet.column_numbers), *[""] * extra]
    for row in [*sheet.rows, *([sheet.total] if sheet.total else [])]:
        cells = [neutralise(row.label), *(_csv_value(sheet, column, value)
                                          for column, value in enumerate(row.values, start=1))]
        yield cells + ([neutralise(_problem_text(row))] if problems else [])
    for line in sheet.footer:
        yield [neutralise(line)]


def to_csv(sheet: Sheet, *, gettext: Callable[[str], str] = DOCUMENT_GETTEXT) -> bytes:
    """UTF-8 with a BOM (so Excel detects the encoding), CRLF line ends."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(csv_lines(sheet, gettext=gettext))
    return buffer.getvalue().encode("utf-8")


# ------------------------------------------------------------------------------------ download

RENDERERS: dict[str, Callable[[Sheet], bytes]] = {"xlsx": to_xlsx, "csv": to_csv}


def content_disposition(filename: str) -> str:
    """An ASCII name for old clients and the real (Chinese) name as RFC 5987 filename*."""
    stem, dot, extension = filename.rpartition(".")
    ascii_stem = re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("_-.") or "report"
    fallback = f"{ascii_stem}{dot}{extension}" if dot else ascii_stem
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def download(sheet: Sheet, fmt: str, filename_stem: str) -> Response:
    if fmt not in RENDERERS:
        raise ApiError(422, "unknown_report_format", N_("Reports download as {formats}."),
                       params={"formats": ", ".join(RENDERERS)})
    return Response(RENDERERS[fmt](sheet), media_type=MEDIA_TYPES[fmt], headers={
        "Content-Disposition": content_disposition(f"{filename_stem}.{fmt}"),
        # Reports hold a personal area's figures: no shared cache keeps a copy.
        "Cache-Control": "no-store"})
