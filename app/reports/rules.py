"""The county's rules for 调度表（一）: who should be enrolled in each insurance, and which
statuses count as not enrolled and as enrolled. rules/default.yaml is the default and the
reference for the format:

    version: "2026.1"                       # any text, unique per county
    not_enrolled: [status, ...]             # statuses counted as 未参保
    enrolled: [status, ...]                 # statuses a newly enrolled person moves to
    students: {answer: [value, ...], ...}   # 16岁以上在校学生: any listed answer matches
    military: {answer: [value, ...], ...}   # 16岁以上现役军人
    insurances:                             # all five: pension medical work_injury maternity unemployment
      pension: {min_age: 16, max_age: 59, when: {...}, unless: {...}}

Answers a condition may name: personal_status, employment, unit_type, hukou_type, sex (the
codes of the registration form). A person known only from the roster has none of them, so
`when` never matches them and `unless` never excludes them. Ages are whole years on the
report's date.

Rules compile to SQL conditions over columns of those names (a person-fact row, or the
roster's equivalent) so a report is one set-based query.
"""
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml
from sqlalchemy import ColumnElement, and_, false, not_, or_, true

from app.errors import ApiError
from app.i18n import N_
from app.reports.models import INSURANCES

DEFAULT_PATH = Path(__file__).parent / "rules" / "default.yaml"
ANSWERS = ("personal_status", "employment", "unit_type", "hukou_type", "sex")
STATUSES = ("enrolled", "not_enrolled", "interrupted", "receiving", "elsewhere")
MAX_SOURCE = 20_000


@dataclass(frozen=True)
class Condition:
    """Matches when any listed answer has one of its values."""

    values: dict[str, tuple[str, ...]]

    def sql(self, columns) -> ColumnElement:
        if not self.values:
            return false()
        return or_(*(columns[answer].in_(values) for answer, values in self.values.items()))


@dataclass(frozen=True)
class InsuranceRule:
    min_age: int = 0
    max_age: int | None = None
    when: Condition | None = None
    unless: Condition | None = None


@dataclass(frozen=True)
class Rules:
    version: str
    not_enrolled: tuple[str, ...]
    enrolled: tuple[str, ...]
    students: Condition
    military: Condition
    insurances: dict[str, InsuranceRule]
    source: str

    def should_enroll(self, insurance: str, columns, on: date) -> ColumnElement:
        """SQL: the person (columns["birth_date"] as "YYYY-MM-DD", and the answers) should be
        enrolled in this insurance on that date."""
        rule = self.insurances[insurance]
        parts = [aged_at_least(columns["birth_date"], rule.min_age, on)] if rule.min_age else []
        if rule.max_age is not None:
            parts.append(not_(aged_at_least(columns["birth_date"], rule.max_age + 1, on)))
        if rule.when is not None:
            parts.append(rule.when.sql(columns))
        if rule.unless is not None:
            parts.append(not_(rule.unless.sql(columns)))
        return and_(true(), *parts)


def aged_at_least(birth_date, years: int, on: date) -> ColumnElement:
    """SQL: born on or before the date `years` years before `on` (29 February → 28th)."""
    try:
        cutoff = on.replace(year=on.year - years)
    except ValueError:
        cutoff = on.replace(year=on.year - years, day=28)
    return birth_date <= cutoff.isoformat()


def default_rules() -> "Rules":
    return parse(DEFAULT_PATH.read_text(encoding="utf-8"))


# Each problem: (zh, en) templates; the page shows the Chinese, the API returns both.
MESSAGES = {
    "too_long": ("文件不能超过{limit}个字符", "The file cannot be longer than {limit} characters"),
    "yaml": ("不是有效的YAML：{detail}", "Not valid YAML: {detail}"),
    "not_mapping": ("文件应为“键: 值”的映射", "The file must be a mapping of keys to values"),
    "unknown_key": ("未知的键：{key}", "Unknown key: {key}"),
    "version": ("版本号应为1到32个字符", "Give a version of 1 to 32 characters"),
    "statuses": ("应列出参保状态，可选：{allowed}", "Give a list of statuses from: {allowed}"),
    "unknown_status": ("未知的参保状态：{value}", "Unknown status: {value}"),
    "shared_status": ("not_enrolled 与 enrolled 不能有相同的状态", "not_enrolled and enrolled share a status"),
    "condition": ("应写成“答案: [取值, …]”，例如 {{employment: [student]}}",
                  "Give answers and their values, e.g. {{employment: [student]}}"),
    "unknown_answer": ("未知的答案：{value}，可选：{allowed}", "Unknown answer {value}; use one of: {allowed}"),
    "answer_values": ("应列出答案的代码", "Give a list of answer codes"),
    "insurances": ("应为每个险种写一条规则：{allowed}", "Give a rule for each of: {allowed}"),
    "unknown_insurance": ("未知的险种：{value}", "Unknown insurance: {value}"),
    "missing": ("缺少这一项", "Missing"),
    "insurance_rule": ("应写 min_age、max_age、when 或 unless（全体人员写 {{}}）",
                       "Give min_age, max_age, when or unless (or {{}} for everybody)"),
    "age": ("年龄应为0到150的整数", "Give a whole number of years from 0 to 150"),
    "age_order": ("max_age 小于 min_age", "max_age is below min_age"),
}


def _problem(problems: list[dict], code: str, path: str, **params) -> None:
    zh, en = MESSAGES[code]
    problems.append({"path": path, "code": code, "zh": zh.format(**params), "en": en.format(**params)})


class RulesInvalid(ApiError):
    def __init__(self, problems: list[dict]):
        super().__init__(422, "report_rules_invalid",
                         N_("The rules file has problems; nothing was saved."), errors=problems)
        self.problems = problems


def parse(source: str) -> Rules:
    """Read and check a rules file; RulesInvalid lists every problem found."""
    problems: list[dict] = []
    if len(source) > MAX_SOURCE:
        raise RulesInvalid([{"path": "", "code": "too_long", "zh": MESSAGES["too_long"][0].format(limit=MAX_SOURCE), "en": MESSAGES["too_long"][1].format(limit=MAX_SOURCE)}])
    try:
        data = yaml.safe_load(source)
    except yaml.YAMLError as error:
        detail = str(error).splitlines()[0]
        raise RulesInvalid([{"path": "", "code": "yaml", "zh": MESSAGES["yaml"][0].format(detail=detail), "en": MESSAGES["yaml"][1].format(detail=detail)}]) from None
    if not isinstance(data, dict):
        raise RulesInvalid([{"path": "", "code": "not_mapping", "zh": MESSAGES["not_mapping"][0], "en": MESSAGES["not_mapping"][1]}])
    unknown = set(data) - {"version", "not_enrolled", "enrolled", "students", "military", "insurances"}
    for key in sorted(map(str, unknown)):
        _problem(problems, "unknown_key", key, key=key)
    version = data.get("version")
    if not isinstance(version, (str, int, float)) or not str(version).strip() or len(str(version)) > 32:
        _problem(problems, "version", "version")
    statuses = {name: _statuses(data.get(name), name, problems) for name in ("not_enrolled", "enrolled")}
    if set(statuses["not_enrolled"]) & set(statuses["enrolled"]):
        _problem(problems, "shared_status", "enrolled")
    students = _condition(data.get("students"), "students", problems, required=True)
    military = _condition(data.get("military"), "military", problems, required=True)
    insurances = data.get("insurances")
    rules: dict[str, InsuranceRule] = {}
    if not isinstance(insurances, dict):
        _problem(problems, "insurances", "insurances", allowed=", ".join(INSURANCES))
    else:
        for name in insurances:
            if name not in INSURANCES:
                _problem(problems, "unknown_insurance", "insurances", value=name)
        for name in INSURANCES:
            if name not in insurances:
                _problem(problems, "missing", f"insurances.{name}")
            else:
                rules[name] = _insurance(insurances[name], f"insurances.{name}", problems)
    if problems:
        raise RulesInvalid(problems)
    return Rules(version=str(version).strip(), not_enrolled=statuses["not_enrolled"],
                 enrolled=statuses["enrolled"], students=students, military=military,
                 insurances=rules, source=source)


def _statuses(value, where: str, problems: list[dict]) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        _problem(problems, "statuses", where, allowed=", ".join(STATUSES))
        return ()
    for item in value:
        if item not in STATUSES:
            _problem(problems, "unknown_status", where, value=item)
    return tuple(item for item in value if item in STATUSES)


def _condition(value, where: str, problems: list[dict], required: bool = False) -> Condition | None:
    if value is None and not required:
        return None
    if not isinstance(value, dict) or (required and not value):
        _problem(problems, "condition", where)
        return Condition({})
    values = {}
    for answer, listed in value.items():
        if answer not in ANSWERS:
            _problem(problems, "unknown_answer", where, value=answer, allowed=", ".join(ANSWERS))
        elif not isinstance(listed, list) or not listed or not all(isinstance(item, str) for item in listed):
            _problem(problems, "answer_values", f"{where}.{answer}")
        else:
            values[answer] = tuple(listed)
    return Condition(values)


def _insurance(value, where: str, problems: list[dict]) -> InsuranceRule:
    if value is None:
        value = {}
    if not isinstance(value, dict):
        _problem(problems, "insurance_rule", where)
        return InsuranceRule()
    for key in value:
        if key not in ("min_age", "max_age", "when", "unless"):
            _problem(problems, "unknown_key", where, key=key)
    ages = {}
    for key in ("min_age", "max_age"):
        age = value.get(key)
        if age is not None and (not isinstance(age, int) or isinstance(age, bool) or not 0 <= age <= 150):
            _problem(problems, "age", f"{where}.{key}")
            age = None
        ages[key] = age
    if ages["min_age"] is not None and ages["max_age"] is not None and ages["max_age"] < ages["min_age"]:
        _problem(problems, "age_order", where)
    return InsuranceRule(min_age=ages["min_age"] or 0, max_age=ages["max_age"],
                         when=_condition(value.get("when"), f"{where}.when", problems),
                         unless=_condition(value.get("unless"), f"{where}.unless", problems))
