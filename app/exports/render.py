"""Rendering a batch's people as CSV, XLSX or JSON Lines, as a stream of byte chunks.

Every renderer is a pure function of the rows it is given (and, for XLSX, the batch's creation
time, which fixes the workbook's timestamps), so the same batch renders to the same bytes at
every download. Memory stays flat: CSV and JSON Lines leave in 64 KiB chunks; XLSX goes through
XlsxWriter's constant_memory mode into a temporary file that is then streamed (a ZIP cannot be
finished before its last row).
"""
import csv
import io
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

import xlsxwriter

from app.exports.columns import HEADERS

CHUNK_BYTES = 64 * 1024
# Excel's limit is 1,048,576 rows including the header; past it a new sheet starts.
SHEET_ROWS = 1_048_575
# Wide enough for a name, an 18-digit ID number, places, a phone, an employer and a UUID.
COLUMN_WIDTHS = {0: 12, 1: 21, 5: 30, 6: 30, 7: 13, 10: 24, 21: 38}


def csv_chunks(rows: Iterable[list]) -> Iterator[bytes]:
    """UTF-8 with a BOM (so Excel detects the encoding), CRLF line ends, the header first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(HEADERS)
    for row in rows:
        writer.writerow(row)
        if buffer.tell() >= CHUNK_BYTES:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def jsonl_chunks(records: Iterable[dict]) -> Iterator[bytes]:
    """One compact JSON object per line, UTF-8 (Chinese as itself), LF line ends."""
    parts, size = [], 0
    for record in records:
        line = json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"
        parts.append(line)
        size += len(line)
        if size >= CHUNK_BYTES:
            yield "".join(parts).encode("utf-8")
            parts, size = [], 0
    yield "".join(parts).encode("utf-8")


def xlsx_chunks(rows: Iterable[list], created_at: datetime) -> Iterator[bytes]:
    """An .xlsx with the same columns as the CSV, a new sheet every SHEET_ROWS people."""
    with tempfile.TemporaryDirectory(prefix="canbao-xlsx-") as folder:
        path = os.path.join(folder, "batch.xlsx")
        _write_workbook(path, folder, rows, created_at)
        with open(path, "rb") as handle:
            while chunk := handle.read(CHUNK_BYTES):
                yield chunk


def _write_workbook(path: str, folder: str, rows: Iterable[list], created_at: datetime) -> None:
    workbook = xlsxwriter.Workbook(path, {
        "constant_memory": True, "tmpdir": folder,
        # Every cell is written as what it is; nothing turns into a formula, number or link.
        "strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False})
    # XlsxWriter stamps the ZIP entries with a fixed date; the document's created and modified
    # dates come from here, so they are the batch's, not the download's.
    workbook.set_properties({"created": created_at.astimezone(UTC).replace(tzinfo=None)})
    bold = workbook.add_format({"bold": True})
    sheet, line = None, SHEET_ROWS
    for row in rows:
        if line == SHEET_ROWS:
            sheet, line = _new_sheet(workbook, bold), 0
        line += 1
        for index, value in enumerate(row):
            if isinstance(value, int):
                sheet.write_number(line, index, value)
            elif value:
                sheet.write_string(line, index, value)
    if sheet is None:
        _new_sheet(workbook, bold)
    workbook.close()


def _new_sheet(workbook, bold):
    count = len(workbook.worksheets())
    sheet = workbook.add_worksheet("人员" if count == 0 else f"人员{count + 1}")
    for index, width in COLUMN_WIDTHS.items():
        sheet.set_column(index, index, width)
    for index, header in enumerate(HEADERS):
        sheet.write_string(0, index, header, bold)
    sheet.freeze_panes(1, 0)
    return sheet


