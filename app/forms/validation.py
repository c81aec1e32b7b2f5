"""Server-side validation of a submission payload against its form definition.

The device validates as the person types, but the server never trusts it: every submission
is checked again here, with the same expression language. The rules are those of
survey_forms/README.md; the steps run in this order:

1. Shape and types: unknown names are refused (`field_unknown`), each repeat must be a list of
   objects (`repeat_type`), each value must fit its type (`type_*`, `choice_unknown`). Values
   are cleaned: text stripped, numeric strings turned into numbers, select_multiple written
   as a space-separated string, ID numbers normalised (full-width digits, lowercase x).
   Empty values (null, "", []) count as absent. Notes are ignored.
2. Calculations, in document order: household-level fields first, then each member's. The
   value the device sent for a calculated field is ignored.
3. Relevance, top down in document order: a field inside a non-relevant group or repeat is
   not relevant. A non-relevant value is dropped silently (a non-relevant repeat loses all
   its members) and is forgotten at once, so conditions further down see it as empty, just
   as the browser clears a question it hides. Dropping rather than refusing: the device may
   still hold answers to a question that a later answer hid, and refusing the whole visit
   for them would strand it on a phone that is offline.
4. Calculations again, on the kept values only (count(${members}) of a dropped repeat is 0),
   then required, constraint and choice_filter, so that every expression sees exactly what
   will be stored. A rule that cannot be evaluated (say regex() with a pattern taken from an
   answer) is an `expression_error` and neither hides, requires nor refuses anything.

Paths are `name` at household level and `members[2].name` inside a repeat (0-based, the
index in the payload). `cleaned` holds the relevant non-empty values in document order; a
relevant repeat is always there (possibly []), a non-relevant one is absent. It is meant for
storing only when `errors` is empty.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime

from app.clock import CHINA_TZ
from app.common import idcard
from app.forms.model import DECIMAL_TEXT, INTEGER_TEXT, Field, FormDefinition, parse_iso_date
from app.forms.expression import Context, ExpressionError, to_boolean, to_string
from app.forms.expression.functions import check_id_number

MESSAGES = {
    "payload_type": ("提交的内容格式不对", "The submission must be a JSON object"),
    "field_unknown": ("表单中没有这个字段", "This field is not in the form"),
    "repeat_type": ("应为成员列表，每个成员一个对象", "Must be a list of objects, one per member"),
    "type_text": ("应填写文字", "Must be text"),
    "type_integer": ("请填写整数", "Enter a whole number"),
    "type_decimal": ("请填写数字", "Enter a number"),
    "type_date": ("请填写有效的日期（年-月-日）", "Enter a real date as YYYY-MM-DD"),
    "type_select": ("选项格式不对", "A choice must be given by its name"),
    "type_geopoint": ("位置格式不对，应为“纬度 经度 [海拔 [精度]]”", "A location must be 'lat lon [alt [accuracy]]'"),
    "choice_unknown": ("所选项不在选项列表中", "Not one of the listed choices"),
    "choice_not_allowed": ("根据前面的回答，不能选择这一项", "This choice is not available given the earlier answers"),
    "required": ("此项必填", "This field is required"),
    "constraint": ("填写的内容不符合要求", "The value is not allowed"),
    "expression_error": ("表单的规则无法计算，请联系管理员", "A rule of the form could not be evaluated; tell the administrator"),
}


@dataclass(frozen=True)
class FieldError:
    path: str
    code: str
    message_zh: str
    message_en: str


@dataclass
class ValidationResult:
    errors: list[FieldError] = field(default_factory=list)
    warnings: list[FieldError] = field(default_factory=list)
    cleaned: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def validate(definition: FormDefinition, payload: dict, *, today: date | None = None) -> ValidationResult:
    """Check a submission; `today` (default: today in China) bounds dates such as an ID's birth date."""
    return _Validation(definition, today or datetime.now(CHINA_TZ).date()).run(payload)


class _BadValue(Exception):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


class _Validation:
    def __init__(self, definition: FormDefinition, today: date):
        self.definition = definition
        self.today = today
        self.result = ValidationResult()
        self.scopes = definition.scopes
        self.members: dict[str, list[tuple[int, dict]]] = {}  # repeat -> (payload index, values)
        self.repeat_values: dict[str, list[dict]] = {}  # what count() sees during steps 2 and 3
        self.checks: list[tuple[Field, str, dict | None]] = []  # relevant fields: (field, path, member)
        self.bad_paths: set[str] = set()  # values refused in step 1 get no further errors
        self.last_context: Context | None = None
        self.id_checks: dict = {}  # shared by this validation's contexts

    def run(self, payload: object) -> ValidationResult:
        if not isinstance(payload, dict):
            self.error("", "payload_type")
            return self.result
        household = self.read(payload, self.scopes[None], "", extra=self.scopes.keys() - {None})
        self.members = {repeat: self.read_repeat(payload.get(repeat), repeat) for repeat in self.scopes if repeat}
        self.repeat_values = {repeat: [values for _, values in items] for repeat, items in self.members.items()}
        computed = self.definition.computed_fields
        calculated = [(item, item.name, None) for item in computed[None]]
        calculated += [(item, f"{repeat}[{index}].{item.name}", member)
                       for repeat, instances in self.members.items() for index, member in instances
                       for item in computed[repeat]]
        self.calculate(calculated, household)
        cleaned = self.result.cleaned
        self.keep_relevant(self.definition.fields, household, None, cleaned, "")
        # Once more on what is kept, so that no stored result rests on a dropped value.
        self.repeat_values = {repeat: cleaned.get(repeat, []) for repeat in self.members}
        relevant = [check for check in self.checks if check[0].computed]
        self.calculate(sorted(relevant, key=lambda check: check[2] is not None), cleaned)
        for item, path, member in self.checks:
            if path not in self.bad_paths:
                self.check(item, path, cleaned, member)
        return self.result

    # -- 1. shape and types

    def read(self, raw: dict, fields: dict[str, Field], prefix: str, extra: Collection[str] = ()) -> dict:
        """The typed values of one level; `extra` are names handled elsewhere (the repeats)."""
        values = {}
        for name, value in raw.items():
            item = fields.get(name)
            if item is None:
                if name not in extra:
                    self.error(prefix + str(name), "field_unknown")
            elif item.type != "note" and not item.computed and not _empty(value):
                try:
                    values[name] = self.coerce(item, value)
                except _BadValue as bad:
                    self.error(prefix + name, bad.code)
                    self.bad_paths.add(prefix + name)
        return values

    def read_repeat(self, raw: object, repeat: str) -> list[tuple[int, dict]]:
        """(index in the payload, typed values) for each member."""
        if raw is None:
            return []
        if not isinstance(raw, list):
            self.error(repeat, "repeat_type")
            return []
        instances = []
        for index, item in enumerate(raw):
            if isinstance(item, dict):
                instances.append((index, self.read(item, self.scopes[repeat], f"{repeat}[{index}].")))
            else:
                self.error(f"{repeat}[{index}]", "repeat_type")
        return instances

    def coerce(self, item: Field, value: object) -> object:
        if isinstance(value, str):
            value = value.strip()
        match item.type:
            case "text":
                if not isinstance(value, str):
                    raise _BadValue("type_text")
                return idcard.normalize(value) if item.is_id_number else value
            case "integer":
                return _integer(value)
            case "decimal":
                return _decimal(value)
            case "date":
                if not isinstance(value, str) or parse_iso_date(value) is None:
                    raise _BadValue("type_date")
                return value
            case "select_one":
                return self.choice_names(item, [value])[0]
            case "select_multiple":
                items = value.split() if isinstance(value, str) else value
                if not isinstance(items, list):
                    raise _BadValue("type_select")
                return " ".join(dict.fromkeys(self.choice_names(item, items)))
            case "geopoint":
                return _geopoint(value)
        return value

    def choice_names(self, item: Field, values: list) -> list[str]:
        names = self.definition.choice_names[item.list_name]
        out = []
        for value in values:
            if isinstance(value, bool) or not isinstance(value, str | int):
                raise _BadValue("type_select")
            name = str(value).strip()
            if name not in names:
                raise _BadValue("choice_unknown")
            out.append(name)
        return out

    # -- 2. calculations

    def calculate(self, calculated: list[tuple[Field, str, dict | None]], household: dict) -> None:
        """Compute (field, path, member or None at household level) in the order given."""
        for item, path, member in calculated:
            values = household if member is None else member
            ctx = self.context(household, member)
            value = self.computed(item, self.evaluate(item, "calculation", ctx, path))
            if value is None:
                values.pop(item.name, None)
            else:
                values[item.name] = value

    def computed(self, item: Field, value: object) -> object:
        """An expression result as stored JSON: numbers as numbers, dates as YYYY-MM-DD."""
        if item.type == "calculate":
            if isinstance(value, float) and not math.isfinite(value):
                return None
            if isinstance(value, float):
                return int(value) if value.is_integer() else value
            if isinstance(value, date):
                return value.isoformat()
            return None if value in ("", None) else value
        try:
            return None if value is None or to_string(value) == "" else self.coerce(item, to_string(value))
        except _BadValue:
            return None  # a read-only field whose inputs are missing or wrong stays empty

    # -- 3. relevance

    def keep_relevant(self, fields: list[Field], household: dict, member: dict | None, out: dict,
                      prefix: str) -> None:
        """Copy the relevant values of `fields` into `out` (the cleaned household or member), in
        document order, and note each relevant field for step 4. A value found not relevant is
        forgotten at once, as the browser clears a question it hides, so that later relevance
        conditions do not see it."""
        values = household if member is None else member
        for item in fields:
            if item.relevant and self.verdict(item, "relevant", self.context(household, member),
                                              prefix + item.name) is False:
                self.forget(item, values)
            elif item.type == "group":
                self.keep_relevant(item.children, household, member, out, prefix)
            elif item.type == "repeat":
                out[item.name] = []
                for index, instance in self.members[item.name]:
                    kept: dict = {}
                    self.keep_relevant(item.children, household, instance, kept, f"{item.name}[{index}].")
                    out[item.name].append(kept)
            elif item.type != "note":
                if item.name in values:
                    out[item.name] = values[item.name]
                self.checks.append((item, prefix + item.name, None if member is None else out))

    def forget(self, item: Field, values: dict) -> None:
        if item.type == "repeat":
            self.members[item.name] = []
            self.repeat_values[item.name] = []
        values.pop(item.name, None)
        for child in item.children if item.type == "group" else ():
            self.forget(child, values)

    # -- 4. required, constraint, choice filter

    def check(self, item: Field, path: str, cleaned: dict, member: dict | None) -> None:
        value = (cleaned if member is None else member).get(item.name)
        ctx = self.context(cleaned, member, current=value)
        if value is None:
            if item.required and self.verdict(item, "required", ctx, path):
                self.error(path, "required", item.required_message)
            return
        if item.constraint and self.verdict(item, "constraint", ctx, path) is False:
            self.error(path, "constraint", self.id_number_problem(item, value) or item.constraint_message)
        if item.choice_filter:
            for name in str(value).split():
                ctx.current = name
                if self.verdict(item, "choice_filter", ctx, path) is False:
                    self.error(path, "choice_not_allowed")
                    break
        if item.is_id_number:
            found = check_id_number(self.id_checks, value, self.today)
            for code in found.warnings if found.valid else ():
                self.warning(path, code, idcard.MESSAGES[code])

    def id_number_problem(self, item: Field, value: object) -> dict | None:
        """For an ID number, say which rule it breaks (length, characters, check digit, date):
        "the check digit is wrong" tells the enumerator what to look at, a general message not."""
        if not item.is_id_number:
            return None
        found = check_id_number(self.id_checks, str(value), self.today)
        return idcard.MESSAGES[found.errors[0]] if found.errors else None

    # -- helpers

    def context(self, household: dict, member: dict | None, current: object = None) -> Context:
        """What the expressions of a household or member field see. Fields of the same member
        come one after another, so the last context usually serves again."""
        ctx = self.last_context
        if ctx is None or ctx.values is not household or ctx.repeat is not member \
                or ctx.repeats is not self.repeat_values:
            ctx = self.last_context = Context(household, member, self.repeat_values, self.today,
                                              id_checks=self.id_checks)
        ctx.current = current
        return ctx

    def evaluate(self, item: Field, column: str, ctx: Context, path: str) -> object:
        """The expression's value; None (and an error) when it cannot be computed."""
        try:
            return item.compiled(column)(ctx)
        except ExpressionError:
            self.error(path, "expression_error")
            return None

    def verdict(self, item: Field, column: str, ctx: Context, path: str) -> bool | None:
        """True or False, or None when the rule failed: then it neither hides, requires nor refuses."""
        value = self.evaluate(item, column, ctx, path)
        return None if value is None else to_boolean(value)

    def error(self, path: str, code: str, messages: dict | None = None) -> None:
        error = _field_error(path, code, messages)
        if error not in self.result.errors:  # a calculation runs twice, its failure counts once
            self.result.errors.append(error)

    def warning(self, path: str, code: str, messages: dict) -> None:
        self.result.warnings.append(_field_error(path, code, messages))


def _field_error(path: str, code: str, messages: dict | None) -> FieldError:
    """The form's own message where it has one in that language, else the standard one."""
    zh, en = MESSAGES.get(code, ("", ""))
    messages = messages or {}
    return FieldError(path, code, messages.get("zh") or zh, messages.get("en") or en)


def _empty(value: object) -> bool:
    return value is None or value == [] or (isinstance(value, str) and not value.strip())


def _integer(value: object) -> int:
    if isinstance(value, str) and INTEGER_TEXT.fullmatch(value):
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raise _BadValue("type_integer")


def _decimal(value: object) -> float:
    if isinstance(value, str) and DECIMAL_TEXT.fullmatch(value):
        return float(value)
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    raise _BadValue("type_decimal")


_COORDINATE = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


def _geopoint(value: object) -> str:
    """"lat lon [alt [accuracy]]" with latitude and longitude in range and accuracy not negative."""
    parts = value.split() if isinstance(value, str) else []
    if not 2 <= len(parts) <= 4 or not all(_COORDINATE.fullmatch(part) for part in parts):
        raise _BadValue("type_geopoint")
    numbers = [float(part) for part in parts]
    if abs(numbers[0]) > 90 or abs(numbers[1]) > 180 or (len(numbers) == 4 and numbers[3] < 0):
        raise _BadValue("type_geopoint")
    return " ".join(parts)
