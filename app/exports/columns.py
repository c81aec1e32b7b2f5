"""What one exported person looks like: the official column order, the Chinese labels of coded
answers, and the apostrophe that keeps a spreadsheet from running a cell as a formula.

A batch is a million rows, so the rows are built a chunk at a time with the columns' work
decided once (which answers are coded, where each label book comes from) instead of once per
cell. The bytes must stay those of every earlier rendering: a batch's SHA-256 is fixed when it
is made."""
import json
import re
from collections.abc import Hashable
from dataclasses import dataclass

import orjson

from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.forms import service as forms
from app.forms.model import FormDefinition

# A spreadsheet treats a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


@dataclass(frozen=True)
class Column:
    header: str  # the official column name (CSV, XLSX)
    key: str  # the JSON Lines key; the member's answer of that name unless member_values says otherwise
    coded: bool = False  # CSV and XLSX show the choice's Chinese label, JSON Lines the code


COLUMNS = [
    Column("姓名", "full_name"),
    Column("公民身份号码", "id_number"),
    Column("性别", "sex", coded=True),
    Column("出生日期", "birth_date"),
    Column("户口性质", "hukou_type", coded=True),
    Column("户籍所在地", "hukou_place"),
    Column("现居住地", "residence"),
    Column("联系电话", "phone"),
    Column("个人身份", "personal_status", coded=True),
    Column("就业状态", "employment", coded=True),
    Column("工作单位", "employer"),
    Column("养老保险参保状态", "pension_status", coded=True),
    Column("养老保险险种", "pension_scheme", coded=True),
    Column("医疗保险参保状态", "medical_status", coded=True),
    Column("医疗保险险种", "medical_scheme", coded=True),
    Column("工伤保险参保状态", "work_injury_status", coded=True),
    Column("失业保险参保状态", "unemployment_status", coded=True),
    Column("生育保险参保状态", "maternity_status", coded=True),
    Column("未参保原因", "not_enrolled_reason", coded=True),
    Column("参保意愿", "willingness", coded=True),
    Column("村（社区）代码", "village_code"),
    Column("数据来源登记号", "submission_id"),
    Column("版本", "revision"),
]
HEADERS = [column.header for column in COLUMNS]
KEYS = [column.key for column in COLUMNS]
# The free-text reason: CSV and XLSX append it to the label, JSON Lines keeps it as a key.
OTHER_REASON = "not_enrolled_reason_other"
_ANSWERS = KEYS[:-3]  # the last three come from the registry row, not the answers
_RESIDENCE, _PHONE, _REASON = KEYS.index("residence"), KEYS.index("phone"), KEYS.index("not_enrolled_reason")
# A cell starting like a formula, in cells joined by line breaks (the first is looked at apart:
# "^|" would make the search try every position).
_FORMULA = re.compile("\n[=+\\-@\t\r]")
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_SIMPLE = frozenset((str, int, bool, type(None)))

# One registry version as read for an export: (id, submission_id, revision, village_code, data).
Person = tuple[int, str, int, str, dict]


def member_values(person: Person) -> list:
    """The 23 values as the form stores them, in column order."""
    _id, submission_id, revision, village_code, data = person
    member = data["member"]
    get = member.get
    values = [get(key) for key in _ANSWERS]
    if get("residence_same") != "other":
        values[_RESIDENCE] = data["household"].get("address")
    # The person's own mobile; the household's contact number when they gave none.
    if not values[_PHONE]:
        values[_PHONE] = data["household"].get("contact_phone")
    values += (village_code, submission_id, revision)
    return values


class LabelBook:
    """The Chinese label of every choice, per form version. Published versions never change
    (DB triggers), so a batch renders the same labels at every download."""

    def __init__(self, app_engine: Engine):
        self._engine = app_engine
        self._books: dict[tuple[str, str, str], dict[str, dict[str, str]]] = {}
        self._columns: dict[tuple[str, str, str], list[dict[str, str]]] = {}

    def for_source(self, county_code: str, form_id: str, version: str) -> dict[str, dict[str, str]]:
        key = (county_code, form_id, version)
        if key not in self._books:
            with Session(self._engine) as session:
                row = forms.find_published(session, county_code, form_id, version)
                self._books[key] = _labels(forms.definition_of(row)) if row else {}
        return self._books[key]

    def by_column(self, county_code: str, form_id: str, version: str) -> list[dict[str, str]]:
        """Code → cell for each of the 23 columns: the label for a coded answer, "" for none."""
        key = (county_code, form_id, version)
        if key not in self._columns:
            book = self.for_source(*key)
            # None → "": an unanswered question is an empty cell, in coded columns and others.
            self._columns[key] = [{**book.get(column.key, {}), None: ""} if column.coded else {None: ""}
                                  for column in COLUMNS]
        return self._columns[key]


def _labels(definition: FormDefinition) -> dict[str, dict[str, str]]:
    books = {}
    for field, _repeat in definition.walk():
        if field.list_name:
            books[field.name] = {
                choice.name: choice.label.get("zh") or choice.label.get(definition.default_language)
                or choice.name for choice in definition.choices.get(field.list_name, [])}
    return books


def table_rows(people: list[Person], labels: LabelBook) -> list[list]:
    """The CSV/XLSX rows: coded answers as labels, every string neutralised; the revision stays
    a number. Rows of plain strings (nearly all) take a quick path; the rest `_exact_row`."""
    rows = []
    for person in people:
        data = person[4]
        values = member_values(person)
        books = labels.by_column(person[3][:6], data["form_id"], data["form_version"])
        try:
            cells = list(map(dict.get, books, values, values))  # a code without a label stays
            other = data["member"].get(OTHER_REASON)
            if other:
                reason = values[_REASON]
                cells[_REASON] = f"{cells[_REASON] if reason is not None else reason}：{other}"
            # Every cell but the revision a string: one search finds any that needs an apostrophe.
            text = "\n".join(cells[:-1])
            if text.startswith(FORMULA_STARTS) or _FORMULA.search(text):
                cells = [neutralise(cell) if cell.__class__ is str else cell for cell in cells]
        except TypeError:
            cells = _exact_row(values, data, labels.for_source(person[3][:6], data["form_id"], data["form_version"]))
        rows.append(cells)
    return rows


def _exact_row(values: list, data: dict, book: dict[str, dict[str, str]]) -> list:
    """The rule itself, for rows with numbers, lists or the like among the answers."""
    row = []
    for column, value in zip(COLUMNS, values):
        if column.coded and value is not None and isinstance(value, Hashable):
            value = book.get(column.key, {}).get(value, value)
        if column.key == "not_enrolled_reason" and data["member"].get(OTHER_REASON):
            value = f"{value}：{data['member'][OTHER_REASON]}"
        row.append(value if isinstance(value, int) else neutralise("" if value is None else str(value)))
    return row


def json_lines(people: list[Person]) -> bytes:
    """JSON Lines: one compact object per person, codes as the form stores them, keys always in
    this order, UTF-8 as itself, LF line ends. orjson writes exactly what the standard encoder
    does for strings, whole numbers, booleans and null, much faster; anything else (a decimal,
    a list) goes through the standard encoder."""
    lines = []
    for person in people:
        values = member_values(person)
        record = dict(zip(KEYS[:_REASON + 1], values))
        record[OTHER_REASON] = person[4]["member"].get(OTHER_REASON)
        record.update(zip(KEYS[_REASON + 1:], values[_REASON + 1:]))
        line = None
        if _SIMPLE.issuperset(map(type, record.values())):
            try:
                line = orjson.dumps(record)
            except orjson.JSONEncodeError:  # a whole number past 64 bits
                pass
        lines.append(line or _JSON.encode(record).encode("utf-8"))
    lines.append(b"")
    return b"\n".join(lines)
