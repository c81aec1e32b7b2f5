"""Rendering a batch's people as CSV, XLSX or JSON Lines, a chunk of people at a time.

Each format is a writer fed chunks of rows (`add` returns the bytes ready so far, `finish` the
rest), so one read of the people can feed all three formats when a batch is made. Every writer
is a pure function of the rows it is given (and, for XLSX, the batch's creation time, which
fixes the workbook's timestamps), so the same batch renders to the same bytes at every
download. Memory stays flat: CSV and JSON Lines leave in chunks of about 64 KiB; XLSX goes
through XlsxWriter's constant_memory mode into a temporary file that is then streamed (a ZIP
cannot be finished before its last row).
"""
import csv
import io
import os
import re
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from app.exports.columns import HEADERS

CHUNK_BYTES = 64 * 1024
# Excel's limit is 1,048,576 rows including the header; past it a new sheet starts.
SHEET_ROWS = 1_048_575
# Wide enough for a name, an 18-digit ID number, places, a phone, an employer and a UUID.
COLUMN_WIDTHS = {0: 12, 1: 21, 5: 30, 6: 30, 7: 13, 10: 24, 21: 38}


def csv_text(rows: list[list]) -> str:
    """The rows as CSV lines, each ended by CRLF. A row of cells that need no quotes is joined
    with commas directly, which is what the csv module writes for it at a fraction of the cost;
    any other row goes through the csv module."""
    lines = []
    for row in rows:
        try:
            line = ",".join(row[:-1]) + "," + str(row[-1])
        except TypeError:  # a number among the cells
            line = '"'
        if '"' in line or "\r" in line or "\n" in line or line.count(",") != len(row) - 1:
            _CSV_WRITER.writerow(row)
            line = _CSV_BUFFER.getvalue()[:-2]
            _CSV_BUFFER.seek(0)
            _CSV_BUFFER.truncate()
        lines.append(line)
    lines.append("")
    return "\r\n".join(lines)


_CSV_BUFFER = io.StringIO()
_CSV_WRITER = csv.writer(_CSV_BUFFER, lineterminator="\r\n")
# UTF-8 with a BOM (so Excel detects the encoding), the header first.
CSV_HEADER = ("\ufeff" + csv_text([HEADERS])).encode("utf-8")


class _Chunks:
    """Bytes gathered into chunks of about CHUNK_BYTES: `add` hands one back when it is full."""

    def __init__(self, first: bytes = b""):
        self._parts: list[bytes] = [first] if first else []
        self._size = 0

    def add(self, data: bytes) -> bytes:
        self._parts.append(data)
        self._size += len(data)
        if self._size < CHUNK_BYTES:
            return b""
        return self._take()

    def finish(self) -> Iterator[bytes]:
        yield self._take()

    def _take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts, self._size = [], 0
        return data


class CsvFile(_Chunks):
    """CSV, CRLF line ends."""

    def __init__(self):
        super().__init__(CSV_HEADER)

    def add(self, rows: list[list]) -> bytes:
        return super().add(csv_text(rows).encode("utf-8"))


class JsonLinesFile(_Chunks):
    """Lines made by columns.json_lines, gathered into chunks."""


class XlsxFile:
    """An .xlsx with the same columns as the CSV, a new sheet every SHEET_ROWS people. Nothing
    leaves before `finish`; `close` removes the temporary folder (also when a batch is given up)."""

    def __init__(self, created_at: datetime):
        self._folder = tempfile.TemporaryDirectory(prefix="canbao-xlsx-")
        self._path = os.path.join(self._folder.name, "batch.xlsx")
        self._workbook = xlsxwriter.Workbook(self._path, {
            "constant_memory": True, "tmpdir": self._folder.name,
            # Every cell is written as what it is; nothing turns into a formula, number or link.
            "strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False})
        # XlsxWriter stamps the ZIP entries with a fixed date; the document's created and
        # modified dates come from here, so they are the batch's, not the download's.
        self._workbook.set_properties({"created": created_at.astimezone(UTC).replace(tzinfo=None)})
        self._bold = self._workbook.add_format({"bold": True})
        self._sheet, self._line = None, SHEET_ROWS
        self._plain_line = 0  # the last row written by _write_plain

    def add(self, rows: list[list]) -> bytes:
        plain: list[str] = []
        for row in rows:
            if self._line == SHEET_ROWS:
                self._write_plain(plain)
                self._sheet, self._line = self._new_sheet(), 0
            self._line += 1
            xml = _plain_row_xml(self._line, row)
            if xml is None:
                self._write_plain(plain)
                self._write_cells(row)
            else:
                plain.append(xml)
                self._plain_line = self._line
        self._write_plain(plain)
        return b""

    def _write_cells(self, row: list) -> None:
        """XlsxWriter's own way, cell by cell."""
        line, sheet = self._line, self._sheet
        for index, value in enumerate(row):
            if value.__class__ is str:
                if value:
                    sheet.write_string(line, index, value)
            elif isinstance(value, int):
                sheet.write_number(line, index, value)

    def _write_plain(self, rows_xml: list[str]) -> None:
        """Put rows made by _plain_row_xml where XlsxWriter keeps a constant_memory sheet's rows,
        after the row it still holds (if any), and widen the sheet's dimensions to them, as its
        own writing would have done."""
        if not rows_xml:
            return
        sheet = self._sheet
        sheet._write_single_row(self._plain_line)  # writes the row it holds; then it holds none
        sheet.fh.write("".join(rows_xml))
        sheet.dim_rowmax = max(sheet.dim_rowmax, self._plain_line)
        rows_xml.clear()

    def finish(self) -> Iterator[bytes]:
        if self._sheet is None:
            self._new_sheet()
        self._workbook.close()
        with open(self._path, "rb") as handle:
            while chunk := handle.read(CHUNK_BYTES):
                yield chunk
        self.close()

    def close(self) -> None:
        self._folder.cleanup()

    def _new_sheet(self):
        count = len(self._workbook.worksheets())
        sheet = self._workbook.add_worksheet("人员" if count == 0 else f"人员{count + 1}")
        for index, width in COLUMN_WIDTHS.items():
            sheet.set_column(index, index, width)
        for index, header in enumerate(HEADERS):
            sheet.write_string(0, index, header, self._bold)
        sheet.freeze_panes(1, 0)
        return sheet


# The worksheet XML of a row whose cells are all short strings free of whitespace, XML's special
# characters, control characters and "_" (of Excel's _xHHHH_ escapes), and a number last: for
# those, exactly what XlsxWriter writes in constant_memory mode (inline strings, no spans, no
# styles, empty strings left out), at a twentieth of the cost of writing them cell by cell.
# This leans on XlsxWriter's internals (pinned version); tests/exports/test_export_rendering.py
# compares the workbook with one written cell by cell.
_LETTERS = [xl_col_to_name(index) for index in range(len(HEADERS))]
_NOT_PLAIN = re.compile("[\\s&<>\x01-\x08\x0b-\x1f\ufffe\uffff_]")
_PLAIN_LENGTH = 16_000  # XlsxWriter looks at the length of strings over 16,383 characters


def _plain_row_xml(line: int, row: list) -> str | None:
    try:
        text = "\x00".join(row[:-1])
    except TypeError:  # not all strings
        return None
    last = row[-1]
    if (last.__class__ is not int or len(text) > _PLAIN_LENGTH or text.count("\x00") != len(row) - 2
            or _NOT_PLAIN.search(text)):
        return None
    number = line + 1
    cells = "".join([f'<c r="{letter}{number}" t="inlineStr"><is><t>{value}</t></is></c>'
                     for letter, value in zip(_LETTERS, row[:-1]) if value])
    return f'<row r="{number}">{cells}<c r="{_LETTERS[len(row) - 1]}{number}"><v>{last:.16G}</v></c></row>'
