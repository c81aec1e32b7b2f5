"""XLSForm workbooks (.xlsx) to and from the form source dict of survey_forms/README.md.

Sheets `survey`, `choices` and `settings` (names compared without case); the first row holds
the column names. Translated columns are written `label::zh`, `label::en` (a plain `label`
column is `label::zh`, as a plain string means zh in YAML). Blank rows are skipped and every
row read carries `_row`, its sheet row number, so problems point at the row people see in
Excel. Cell values are passed on as they are (numbers stay numbers, TRUE stays True):
load_definition() decides what they mean, exactly as for YAML.
"""

from __future__ import annotations

import zipfile
from io import BytesIO
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from app.forms.problems import DefinitionError, problem
from app.forms.model import CHOICE_COLUMNS, SETTINGS_COLUMNS, SURVEY_COLUMNS, TRANSLATED_COLUMNS

_SHEETS = (("survey", SURVEY_COLUMNS), ("choices", CHOICE_COLUMNS), ("settings", SETTINGS_COLUMNS))


def read_xlsx(source: bytes | str | Path) -> dict:
    """The workbook as {"settings": {...}, "survey": [...], "choices": [...]}.

    Raises DefinitionError for what stops the sheets being read at all (not an .xlsx file, no
    survey sheet, a column named twice, more than one settings row); everything else is left
    to load_definition().
    """
    try:
        # data_only: a cell holding a formula gives the value Excel shows, not the formula.
        workbook = load_workbook(BytesIO(source) if isinstance(source, bytes) else source, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as error:
        detail = str(error) or type(error).__name__
        raise DefinitionError([problem("file_invalid", sheet=None, detail=detail)]) from None
    sheets = {sheet.title.strip().lower(): sheet for sheet in workbook.worksheets}
    problems = []
    if "survey" not in sheets:
        problems.append(problem("sheet_missing", sheet="survey", value="survey"))
    tables = {name: _read_sheet(sheets[name], name, problems) if name in sheets else [] for name, _ in _SHEETS}
    if len(tables["settings"]) > 1:
        problems.append(problem("settings_rows", tables["settings"][1]["_row"], sheet="settings"))
    if problems:
        raise DefinitionError(problems)
    return {"settings": tables["settings"][0] if tables["settings"] else {},
            "survey": tables["survey"], "choices": tables["choices"]}


def _read_sheet(sheet, name: str, problems: list) -> list[dict]:
    rows = sheet.iter_rows(values_only=True)
    columns = [_column(cell) for cell in next(rows, ())]
    named = [column for column in columns if column is not None]
    for column in dict.fromkeys(named):
        if named.count(column) > 1:
            problems.append(problem("column_duplicate", 1, _header(column), name, value=_header(column)))
    out = []
    for number, values in enumerate(rows, start=2):
        row: dict = {}
        for column, value in zip(columns, values):
            # A value under a column without a name is a note beside the form, not part of it.
            if column is None or value is None or (isinstance(value, str) and not value.strip()):
                continue
            base, language = column
            if language is None:
                row[base] = value
            else:
                row.setdefault(base, {})[language] = value
        if row:
            row["_row"] = number
            out.append(row)
    return out


def _column(header: object) -> tuple[str, str | None] | None:
    """(column, language or None) from a header cell: "label::en" -> ("label", "en")."""
    if header is None or not str(header).strip():
        return None
    text = str(header).strip()
    base, separator, language = text.partition("::")
    base = base.strip().lower()
    if base in TRANSLATED_COLUMNS:
        return base, language.strip() if separator else "zh"
    # Anything else is kept as written, so that load_definition() can name the unknown column.
    return (base if not separator else text), None


def _header(column: tuple[str, str | None]) -> str:
    base, language = column
    return f"{base}::{language}" if language else base


def write_xlsx(source: dict) -> bytes:
    """The source dict as an XLSForm workbook; read_xlsx() reads it back to the same form.

    Only columns some row uses are written; translated columns get one column per language,
    the default language first.
    """
    settings = source.get("settings") or {}
    first_language = settings.get("default_language") or "zh"
    workbook = Workbook()
    workbook.remove(workbook.active)
    tables = {"survey": source.get("survey") or [], "choices": source.get("choices") or [],
              "settings": [settings] if settings else []}
    for name, known in _SHEETS:
        _write_sheet(workbook.create_sheet(name), tables[name], known, first_language)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_sheet(sheet, rows: list[dict], known: tuple[str, ...], first_language: str) -> None:
    columns = _used_columns(rows, known, first_language)
    for index, column in enumerate(columns, start=1):
        sheet.cell(row=1, column=index, value=_header(column))
    for number, row in enumerate(rows, start=2):
        for index, (base, language) in enumerate(columns, start=1):
            value = row.get(base)
            if language is not None:
                value = _translations(value).get(language)
            cell = sheet.cell(row=number, column=index, value=value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # text such as "=5" must not turn into a formula


def _used_columns(rows: list[dict], known: tuple[str, ...], first_language: str) -> list[tuple[str, str | None]]:
    extra = [key for row in rows for key in row if key not in known and key != "_row"]
    columns = []
    for base in list(known) + list(dict.fromkeys(extra)):
        values = [row[base] for row in rows if row.get(base) not in (None, "", {})]
        if base in TRANSLATED_COLUMNS:
            languages = dict.fromkeys(language for value in values for language in _translations(value))
            ordered = sorted(languages, key=lambda language: language != first_language)
            columns += [(base, language) for language in ordered]
        elif values:
            columns.append((base, None))
    return columns


def _translations(value: object) -> dict:
    if value is None:
        return {}
    return value if isinstance(value, dict) else {"zh": value}
