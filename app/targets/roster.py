"""Reading a target roster (入户核对登记确认对象名单): CSV or XLSX, row by row, and finding its
columns by their Chinese headers.

Nothing here holds the whole file: a county's roster has a million rows. CSV is decoded as
UTF-8 (with or without BOM) or, failing that, GB18030 (a superset of the GBK that Excel on a
Chinese Windows saves). XLSX is read with openpyxl in read-only mode, formulas as their text:
a cell is data, never something to evaluate.
"""
import codecs
import csv
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from app.common import BLANKS, remove_chars, to_half_width
from app.i18n import N_

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls
CHUNK = 1 << 20


class RosterFileError(ValueError):
    """The file as a whole cannot be used; nothing is imported."""

    def __init__(self, code: str, message: str, params: dict | None = None, *,
                 headers: list[str] | None = None):
        super().__init__(code)
        self.code = code
        self.message = message
        self.params = params or {}
        self.headers = headers or []


@dataclass(frozen=True)
class Column:
    field: str
    label: str  # the standard Chinese header, as the provincial roster spells it
    title: str  # what the mapping step calls the field, translated
    aliases: tuple[str, ...]
    required: bool = True


COLUMNS = (
    Column("name", "姓名", N_("Name"), ("姓名",)),
    Column("id_number", "公民身份号码", N_("ID number"), ("公民身份号码", "身份证号", "身份证号码")),
    Column("address", "户籍地址", N_("Address"), ("户籍地址", "地址")),
    Column("village_code", "村（社区）代码", N_("Village code"),
           ("村/社区代码", "村代码", "村（社区）代码")),
    Column("uninsured", "未参保险种", N_("Uninsured insurances"), ("未参保险种",)),
    Column("enumerator", "登记员", N_("Enumerator (username)"), ("登记员",), required=False),
)
COLUMN_BY_FIELD = {column.field: column for column in COLUMNS}


def header_key(text: str) -> str:
    """Headers compare without blanks and with full-width brackets made half-width, so
    "村（社区）代码" and "村(社区) 代码" are the same column."""
    return remove_chars(to_half_width(text), BLANKS)


def fingerprint(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _csv_encoding(path: Path) -> str:
    """UTF-8 when the whole file decodes as UTF-8 (one streaming pass), else GB18030."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as handle:
        try:
            while chunk := handle.read(CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "gb18030"
    return "utf-8-sig"


def _csv_rows(path: Path) -> Iterator[list[str]]:
    encoding = _csv_encoding(path)
    with path.open(encoding=encoding, newline="") as handle:
        try:
            yield from csv.reader(handle)
        except UnicodeDecodeError:
            raise RosterFileError("file_encoding",
                                  N_("The file is neither UTF-8 nor GBK text.")) from None
        except csv.Error:
            raise RosterFileError("file_unreadable",
                                  N_("The file is not a readable CSV or XLSX file.")) from None


def _cell_text(value) -> str:
    """A cell as the text it shows. Whole numbers lose Excel's ".0" (a village code typed as a
    number), dates become ISO dates, a formula stays its own text ("=…")."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, str):
        return value
    return str(getattr(value, "text", value))  # an ArrayFormula keeps its text in .text


def _xlsx_rows(path: Path) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    # A file object, not the path: openpyxl refuses a path without an .xlsx extension, and
    # uploads are stored under their hash.
    handle = path.open("rb")
    try:
        # data_only=False: a formula cell reads as its formula text, never as a computed value.
        book = load_workbook(handle, read_only=True, data_only=False)
    except Exception:
        handle.close()
        raise RosterFileError("file_unreadable",
                              N_("The file is not a readable CSV or XLSX file.")) from None
    try:
        sheet = book.worksheets[0]
        # Read-only mode trusts the file's own <dimension> record, which some programs write
        # wrong; forgetting it makes openpyxl read every row there is.
        sheet.reset_dimensions()
        for cells in sheet.iter_rows(values_only=True):
            yield [_cell_text(value) for value in cells]
    finally:
        book.close()
        handle.close()


def read_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    """(row number as a spreadsheet shows it, cells) for every row that is not blank."""
    with path.open("rb") as handle:
        magic = handle.read(4)
    if magic == OLE_MAGIC:
        raise RosterFileError("file_xls", N_("Old .xls files cannot be read. Save the file as XLSX or CSV."))
    rows = _xlsx_rows(path) if magic == ZIP_MAGIC else _csv_rows(path)
    for number, cells in enumerate(rows, start=1):
        if any(map(str.strip, cells)):  # not a generator: this runs a million times
            yield number, cells


def find_columns(headers: list[str], mapping: dict[str, str]) -> dict[str, int]:
    """The cell index of each field. `mapping` (field → header text) overrides the recognised
    headers; a required field without a column refuses the file, listing the headers found."""
    keys = [header_key(header) for header in headers]
    found: dict[str, int] = {}
    for field, header in mapping.items():
        if header_key(header) not in keys:
            raise RosterFileError("map_header_unknown",
                                  N_("The file has no column {header}. Its columns are: {headers}."),
                                  {"header": header, "headers": _listing(headers)}, headers=headers)
        found[field] = keys.index(header_key(header))
    for column in COLUMNS:
        if column.field in found:
            continue
        matches = [index for index, key in enumerate(keys)
                   if key in {header_key(alias) for alias in column.aliases}]
        if len(matches) == 1:
            found[column.field] = matches[0]
    missing = [column.label for column in COLUMNS if column.required and column.field not in found]
    if missing:
        raise RosterFileError("columns_missing",
                              N_("Columns not found: {missing}. The file's columns are: {headers}. Say which column is which."),
                              {"missing": "、".join(missing), "headers": _listing(headers)},
                              headers=headers)
    twice = {index for index in found.values() if list(found.values()).count(index) > 1}
    if twice:
        raise RosterFileError("map_column_twice", N_("Column {header} is used for two fields."),
                              {"header": headers[min(twice)]}, headers=headers)
    return found


def _listing(headers: list[str]) -> str:
    return "、".join(header.strip() for header in headers if header.strip())


def parse_mapping(options: list[str]) -> dict[str, str]:
    """`姓名=XM` style options (the field by its standard header, an alias, or its English
    name) into {field: header}."""
    by_name = {header_key(alias): column.field for column in COLUMNS
               for alias in (column.field, column.label, *column.aliases)}
    mapping: dict[str, str] = {}
    for option in options:
        label, sep, header = option.partition("=")
        field = by_name.get(header_key(label))
        if not sep or field is None or not header.strip():
            raise RosterFileError("map_invalid",
                                  N_("Cannot read the column mapping {option}: write it as 姓名=column, where the left side is one of {fields}."),
                                  {"option": option, "fields": "、".join(c.label for c in COLUMNS)})
        mapping[field] = header.strip()
    return mapping
