"""What one exported person looks like: the official column order, the Chinese labels of coded
answers, and the apostrophe that keeps a spreadsheet from running a cell as a formula."""
from collections.abc import Callable
from dataclasses import dataclass

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
    key: str  # the JSON Lines key
    get: Callable[[dict, dict, dict], object]  # (member, household, source) -> value
    coded: bool = False  # CSV and XLSX show the choice's Chinese label, JSON Lines the code


def _member(name: str) -> Callable[[dict, dict, dict], object]:
    return lambda member, household, source: member.get(name)


def _residence(member: dict, household: dict, source: dict):
    return member.get("residence") if member.get("residence_same") == "other" else household.get("address")


def _phone(member: dict, household: dict, source: dict):
    # The person's own mobile; the household's contact number when they gave none.
    return member.get("phone") or household.get("contact_phone")


COLUMNS = [
    Column("姓名", "full_name", _member("full_name")),
    Column("公民身份号码", "id_number", _member("id_number")),
    Column("性别", "sex", _member("sex"), coded=True),
    Column("出生日期", "birth_date", _member("birth_date")),
    Column("户口性质", "hukou_type", _member("hukou_type"), coded=True),
    Column("户籍所在地", "hukou_place", _member("hukou_place")),
    Column("现居住地", "residence", _residence),
    Column("联系电话", "phone", _phone),
    Column("个人身份", "personal_status", _member("personal_status"), coded=True),
    Column("就业状态", "employment", _member("employment"), coded=True),
    Column("工作单位", "employer", _member("employer")),
    Column("养老保险参保状态", "pension_status", _member("pension_status"), coded=True),
    Column("养老保险险种", "pension_scheme", _member("pension_scheme"), coded=True),
    Column("医疗保险参保状态", "medical_status", _member("medical_status"), coded=True),
    Column("医疗保险险种", "medical_scheme", _member("medical_scheme"), coded=True),
    Column("工伤保险参保状态", "work_injury_status", _member("work_injury_status"), coded=True),
    Column("失业保险参保状态", "unemployment_status", _member("unemployment_status"), coded=True),
    Column("生育保险参保状态", "maternity_status", _member("maternity_status"), coded=True),
    Column("未参保原因", "not_enrolled_reason", _member("not_enrolled_reason"), coded=True),
    Column("参保意愿", "willingness", _member("willingness"), coded=True),
    Column("村（社区）代码", "village_code", lambda member, household, source: source["village_code"]),
    Column("数据来源登记号", "submission_id", lambda member, household, source: source["submission_id"]),
    Column("版本", "revision", lambda member, household, source: source["revision"]),
]
HEADERS = [column.header for column in COLUMNS]
# The free-text reason: CSV and XLSX append it to the label, JSON Lines keeps it as a key.
OTHER_REASON = "not_enrolled_reason_other"


class LabelBook:
    """The Chinese label of every choice, per form version. Published versions never change
    (DB triggers), so a batch renders the same labels at every download."""

    def __init__(self, app_engine: Engine):
        self._engine = app_engine
        self._books: dict[tuple[str, str, str], dict[str, dict[str, str]]] = {}

    def for_source(self, county_code: str, form_id: str, version: str) -> dict[str, dict[str, str]]:
        key = (county_code, form_id, version)
        if key not in self._books:
            with Session(self._engine) as session:
                row = forms.find_published(session, county_code, form_id, version)
                self._books[key] = _labels(forms.definition_of(row)) if row else {}
        return self._books[key]


def _labels(definition: FormDefinition) -> dict[str, dict[str, str]]:
    books = {}
    for field, _repeat in definition.walk():
        if field.list_name:
            books[field.name] = {
                choice.name: choice.label.get("zh") or choice.label.get(definition.default_language)
                or choice.name for choice in definition.choices.get(field.list_name, [])}
    return books


@dataclass(frozen=True)
class Person:
    """One registry version as read for an export."""

    id: int
    submission_id: str
    revision: int
    village_code: str
    data: dict


def table_row(person: Person, labels: LabelBook) -> list:
    """The CSV/XLSX row: coded answers as labels, every string neutralised; the revision stays
    a number."""
    member, household = person.data["member"], person.data["household"]
    book = labels.for_source(person.village_code[:6], person.data["form_id"], person.data["form_version"])
    source = {"village_code": person.village_code, "submission_id": person.submission_id,
              "revision": person.revision}
    row = []
    for column in COLUMNS:
        value = column.get(member, household, source)
        if column.coded and value is not None:
            value = book.get(column.key, {}).get(value, value)
        if column.key == "not_enrolled_reason" and member.get(OTHER_REASON):
            value = f"{value}：{member[OTHER_REASON]}"
        row.append(value if isinstance(value, int) else neutralise("" if value is None else str(value)))
    return row


def json_record(person: Person) -> dict:
    """The JSON Lines object: codes as the form stores them, keys always in this order."""
    member, household = person.data["member"], person.data["household"]
    source = {"village_code": person.village_code, "submission_id": person.submission_id,
              "revision": person.revision}
    record = {}
    for column in COLUMNS:
        record[column.key] = column.get(member, household, source)
        if column.key == "not_enrolled_reason":
            record[OTHER_REASON] = member.get(OTHER_REASON)
    return record
