"""Form definitions: reading a file and checking it into an app/forms/model.FormDefinition.

A definition is data shaped as survey_forms/README.md describes (YAML, JSON, or an XLSForm
.xlsx read by app/forms/xlsform.py). load_definition() checks all of it and either returns a
FormDefinition or raises DefinitionError listing every problem found, so that whoever edits
the file sees everything at once instead of fixing one problem per upload.

Row numbers in problems: for YAML and JSON, the 1-based position in the `survey` (or
`choices`) list; for .xlsx, the sheet row number, header included, so the first data row is 2.
A row may carry the key `_row` to say which number to report; read_xlsx() sets it.

Beyond the README, a definition is also refused when:
- a row uses a column its type cannot use (`column_not_allowed`, e.g. `constraint` on a group)
  or a column nobody knows (`column_unknown`, usually a typo such as `relevent`);
- a YAML yes/no/true/false turned a name or a label into a boolean (`value_invalid`);
- `.` appears outside `constraint` and `choice_filter` (`current_not_allowed`);
- a calculation reads a calculated field at or below itself in the same level
  (`calculation_order`): the server computes calculations once, top to bottom;
- `${x}` names a group, repeat or note (`ref_not_value`), or count() names no repeat.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import yaml

from app.forms.expression import MESSAGES as EXPRESSION_MESSAGES
from app.forms.expression import Call, Current, ExpressionError, Node, Ref
from app.forms.model import (CHOICE_COLUMNS, CONTAINER_TYPES, DECIMAL_TEXT, EXPRESSION_COLUMNS, INPUT_TYPES,
                             INTEGER_TEXT, SELECT_TYPES, SETTINGS_COLUMNS, SURVEY_COLUMNS, Choice, Field,
                             FormDefinition, parse_iso_date, walk_nodes)
from app.forms.problems import SHEET_ORDER, DefinitionError, Problem, problem
from app.forms.xlsform import read_xlsx


_DESCRIPTIVE = {"type", "name", "label", "hint", "relevant"}
_ALLOWED_COLUMNS = {
    **{kind: set(SURVEY_COLUMNS) - {"choice_filter"} for kind in INPUT_TYPES},
    **{kind: set(SURVEY_COLUMNS) for kind in SELECT_TYPES},
    "calculate": _DESCRIPTIVE | {"calculation"},
    "note": _DESCRIPTIVE | {"appearance"},
    "group": _DESCRIPTIVE | {"appearance"},
    "repeat": _DESCRIPTIVE | {"appearance"},
    "end": {"type", "name"},
}
_BEGIN = {"begin_group": "group", "begin_repeat": "repeat"}
_END = {"end_group": "group", "end_repeat": "repeat"}
# XLSForm also accepts "begin group" with a space.
_TYPE_ALIASES = {"begin group": "begin_group", "end group": "end_group",
                 "begin repeat": "begin_repeat", "end repeat": "end_repeat"}

NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
FORM_ID = re.compile(r"[a-z][a-z0-9_]*")
LANGUAGE = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")
_TRUE_WORDS, _FALSE_WORDS = ("true", "yes", "1"), ("false", "no", "0")

def _inspect(node: Node) -> tuple[set[str], set[str], bool]:
    """(fields read through ${x}, repeats counted through count(${r}), whether `.` is used)."""
    refs, counted, uses_current = set(), set(), False
    for item in walk_nodes(node):
        if isinstance(item, Call) and item.name == "count":
            counted.add(item.args[0].name)
        elif isinstance(item, Ref):
            refs.add(item.name)
        elif isinstance(item, Current):
            uses_current = True
    return refs, counted, uses_current


# ---------------------------------------------------------------------------------------------
# Loading


def load_definition(data: dict) -> FormDefinition:
    """Check a definition dict (README structure) and build it; DefinitionError lists every problem."""
    return _Loader().load(data)


def parse_text(text: str, fmt: str) -> FormDefinition:
    """Load from YAML (`fmt` "yaml" or "yml") or JSON ("json") text."""
    try:
        if fmt in ("yaml", "yml"):
            data = yaml.safe_load(text)
        elif fmt == "json":
            data = json.loads(text)
        else:
            raise DefinitionError([problem("file_type", sheet=None, value=fmt)])
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise DefinitionError([problem("file_invalid", mark.line + 1 if mark else None, sheet=None,
                                       detail=str(error))]) from None
    except json.JSONDecodeError as error:
        raise DefinitionError([problem("file_invalid", error.lineno, sheet=None, detail=error.msg)]) from None
    return load_definition(data)


def load_file(path: str | Path) -> FormDefinition:
    """Load a .yaml, .yml, .json or .xlsx file."""
    path = Path(path)
    suffix = path.suffix.lower().lstrip(".")
    if suffix == "xlsx":
        return load_definition(read_xlsx(path))
    if suffix not in ("yaml", "yml", "json"):
        raise DefinitionError([problem("file_type", sheet=None, value=path.suffix or path.name)])
    return parse_text(path.read_text(encoding="utf-8"), suffix)


class _Loader:
    def __init__(self):
        self.problems: list[Problem] = []
        self.first_row: dict[str, int] = {}  # name -> the row that first used it
        self.unusable: set[str] = set()  # names on rows refused outright, so refs to them don't cascade

    def add(self, code: str, row: int | None, column: str | None = None, sheet: str | None = "survey",
            **params) -> None:
        self.problems.append(problem(code, row, column, sheet, **params))

    def load(self, data: object) -> FormDefinition:
        if not isinstance(data, dict):
            raise DefinitionError([problem("data_invalid", sheet=None)])
        for key in data:
            if key not in ("settings", "survey", "choices"):
                self.add("section_unknown", None, sheet=None, value=key)
        settings = self.settings(data.get("settings"))
        choices = self.choices(data.get("choices"))
        fields = self.survey(data.get("survey"))
        definition = FormDefinition(fields=fields, choices=choices, **settings)
        self.check_fields(definition)
        if self.problems:
            raise DefinitionError(sorted(self.problems, key=lambda p: (SHEET_ORDER[p.sheet], p.row or 0)))
        return definition

    # -- settings and choices

    def settings(self, raw: object) -> dict:
        if not isinstance(raw, dict | None):
            self.add("section_invalid", None, sheet="settings", value="settings")
        raw = raw if isinstance(raw, dict) else {}
        row = raw.get("_row")
        self.unknown_columns(raw, SETTINGS_COLUMNS, row, "settings")
        form_id = self.text(raw, "form_id", row, "settings")
        if form_id is None and _blank(raw.get("form_id")):
            self.add("form_id_missing", row, "form_id", "settings")
        elif form_id is not None and not FORM_ID.fullmatch(form_id):
            self.add("form_id_invalid", row, "form_id", "settings")
        version = self.text(raw, "version", row, "settings")
        if version is None and _blank(raw.get("version")):
            self.add("version_missing", row, "version", "settings")
        language = self.text(raw, "default_language", row, "settings") or "zh"
        if not LANGUAGE.fullmatch(language):
            self.add("language_invalid", row, "default_language", "settings", value=language)
        return {"form_id": form_id or "", "version": version or "", "default_language": language,
                "title": self.translation(raw, "title", row, "settings")}

    def choices(self, raw: object) -> dict[str, list[Choice]]:
        lists: dict[str, list[Choice]] = {}
        for row, item in self.rows(raw, "choices"):
            self.unknown_columns(item, CHOICE_COLUMNS, row, "choices")
            list_name = self.text(item, "list_name", row, "choices")
            name = self.text(item, "name", row, "choices")
            label = self.translation(item, "label", row, "choices")
            if list_name is None or not NAME.fullmatch(list_name):
                self.add("list_name_invalid", row, "list_name", "choices", value=list_name or "")
                continue
            if name is None or name.split() != [name]:
                self.add("choice_name_invalid", row, "name", "choices", value=name or "")
                continue
            if not label:
                self.add("label_missing", row, "label", "choices")
            items = lists.setdefault(list_name, [])
            if any(choice.name == name for choice in items):
                self.add("choice_duplicate", row, "name", "choices", value=name, list=list_name)
            else:
                items.append(Choice(name, label))
        return lists

    def rows(self, raw: object, sheet: str) -> Iterator[tuple[int, dict]]:
        """The rows of a section with the row numbers to report; other shapes are recorded."""
        if raw is None:
            return
        if not isinstance(raw, list):
            self.add("section_invalid", None, sheet=sheet, value=sheet)
            return
        for index, item in enumerate(raw, 1):
            if isinstance(item, dict):
                yield item.get("_row", index), item
            else:
                self.add("row_invalid", index, sheet=sheet)

    # -- survey

    def survey(self, raw: object) -> list[Field]:
        if not raw:
            self.add("survey_empty", None)
        root: list[Field] = []
        open_containers: list[Field] = []
        for row, item in self.rows(raw, "survey"):
            self.unknown_columns(item, SURVEY_COLUMNS, row, "survey")
            kind, list_name = self.row_type(item, row)
            if kind is None:
                if isinstance(item.get("name"), str):
                    self.unusable.add(item["name"].strip())
            elif kind in _END:
                self.close(open_containers, _END[kind], item, row)
            else:
                made = self.make_field(item, row, _BEGIN.get(kind, kind), list_name)
                (open_containers[-1].children if open_containers else root).append(made)
                if made.type == "repeat" and any(c.type == "repeat" for c in open_containers):
                    self.add("repeat_nested", row, "type")
                if made.type in CONTAINER_TYPES:
                    open_containers.append(made)
        for container in open_containers:
            self.add("group_unbalanced", container.row, "type", message="group_unclosed",
                     value=container.name, kind=container.type)
        return root

    def row_type(self, item: dict, row: int) -> tuple[str | None, str | None]:
        """(type as written in the README, choice list name); (None, None) for an unusable row."""
        text = self.text(item, "type", row)
        if text is None:
            if _blank(item.get("type")):
                self.add("type_missing", row, "type")
            return None, None
        words = text.split()
        kind = _TYPE_ALIASES.get(" ".join(words), words[0])
        if kind in SELECT_TYPES and len(words) <= 2:
            if len(words) == 1:
                self.add("choice_list_missing", row, "type", message="choice_list_unnamed")
            return kind, words[1] if len(words) == 2 else None
        known = kind in INPUT_TYPES or kind in ("note", "calculate") or kind in _BEGIN or kind in _END
        if not known or (kind == words[0] and len(words) > 1):
            self.add("type_unknown", row, "type", value=text)
            return None, None
        return kind, None

    def close(self, open_containers: list[Field], kind: str, item: dict, row: int) -> None:
        self.allowed_columns(item, row, "end")
        if not open_containers:
            self.add("group_unbalanced", row, "type", message="group_end_unexpected", kind=kind)
            return
        container = open_containers.pop()
        name = _scalar_text(item.get("name")) if not isinstance(item.get("name"), list | dict) else None
        if container.type != kind or name not in (None, container.name):
            self.add("group_unbalanced", row, "type", message="group_end_mismatch", kind=kind,
                     open=container.type, value=container.name, first=container.row)

    def make_field(self, item: dict, row: int, kind: str, list_name: str | None) -> Field:
        """The row as a Field; bad cells are recorded and left empty so that checking goes on."""
        self.allowed_columns(item, row, kind)
        return Field(
            row=row, type=kind, name=self.name(item, row), list_name=list_name,
            label=self.translation(item, "label", row),
            hint=self.translation(item, "hint", row),
            required=self.expression_text(item, "required", row),
            required_message=self.translation(item, "required_message", row),
            relevant=self.expression_text(item, "relevant", row),
            constraint=self.expression_text(item, "constraint", row),
            constraint_message=self.translation(item, "constraint_message", row),
            calculation=self.expression_text(item, "calculation", row),
            trigger=self.expression_text(item, "trigger", row),
            choice_filter=self.expression_text(item, "choice_filter", row),
            appearance=self.text(item, "appearance", row) or "",
            default=self.text(item, "default", row),
            read_only=self.flag(item, row),
            parameters=self.text(item, "parameters", row),
        )

    def name(self, item: dict, row: int) -> str:
        name = self.text(item, "name", row)
        if name is None:
            if _blank(item.get("name")):
                self.add("name_missing", row, "name")
            return ""
        if not NAME.fullmatch(name):
            self.add("name_invalid", row, "name", value=name)
        elif name in self.first_row:
            self.add("name_duplicate", row, "name", value=name, first=self.first_row[name])
        else:
            self.first_row[name] = row
        return name

    # -- cell values

    def unknown_columns(self, item: dict, known: tuple[str, ...], row: int | None, sheet: str) -> None:
        for key in item:
            if key not in known and key != "_row":
                self.add("column_unknown", row, str(key), sheet, value=key)

    def allowed_columns(self, item: dict, row: int, kind: str) -> None:
        for key, value in item.items():
            if key in SURVEY_COLUMNS and key not in _ALLOWED_COLUMNS[kind] and not _blank(value):
                self.add("column_not_allowed", row, key, kind=kind, value=key)

    def text(self, item: dict, column: str, row: int | None, sheet: str = "survey") -> str | None:
        """A scalar cell as stripped text, None when blank or unusable (which is recorded).

        Booleans are refused: in YAML an unquoted yes, no, on or off is one, so `name: no`
        would otherwise quietly become a field named "false".
        """
        value = item.get(column)
        if isinstance(value, bool | list | dict):
            self.add("value_invalid", row, column, sheet, value=column)
            return None
        return _scalar_text(value)

    def translation(self, item: dict, column: str, row: int | None, sheet: str = "survey") -> dict[str, str]:
        value = item.get(column)
        if value is None:
            return {}
        if not isinstance(value, dict):
            value = {"zh": value}  # README: a plain string means zh
        texts = {}
        for language, text in value.items():
            if not (isinstance(language, str) and LANGUAGE.fullmatch(language)):
                self.add("language_invalid", row, column, sheet, value=language)
            elif isinstance(text, bool | list | dict):
                self.add("translation_invalid", row, column, sheet)
            elif not _blank(text):
                # Text is kept as written: only blank entries are dropped.
                texts[language] = text if isinstance(text, str) else _scalar_text(text)
        return texts

    def expression_text(self, item: dict, column: str, row: int) -> str | None:
        value = item.get(column)
        if column == "required" and isinstance(value, str) and value.strip().lower() in _TRUE_WORDS + _FALSE_WORDS:
            value = value.strip().lower() in _TRUE_WORDS  # XLSForm writes required as yes / no
        if isinstance(value, bool):
            if column == "required":
                return "true()" if value else None
            return "true()" if value else "false()"
        return self.text(item, column, row)

    def flag(self, item: dict, row: int) -> bool:
        value = item.get("read_only")
        if isinstance(value, bool):
            return value
        word = "" if value is None else str(value).strip().lower()
        if word in _TRUE_WORDS:
            return True
        if word not in ("",) + _FALSE_WORDS:
            self.add("read_only_invalid", row, "read_only")
        return False

    # -- whole-form checks, once every name is known

    def check_fields(self, definition: FormDefinition) -> None:
        self.definition = definition
        self.position: dict[str, int] = {}
        self.scope: dict[str, str | None] = {}
        order = list(definition.walk())
        for index, (item, repeat) in enumerate(order):
            self.position.setdefault(item.name, index)
            self.scope.setdefault(item.name, repeat)
        for index, (item, repeat) in enumerate(order):
            if item.type in SELECT_TYPES and item.list_name is not None and item.list_name not in definition.choices:
                self.add("choice_list_missing", item.row, "type", value=item.list_name)
            if item.type == "calculate" and item.calculation is None:
                self.add("calculation_missing", item.row, "calculation")
            if item.trigger is not None and item.calculation is None:
                self.add("trigger_without_calculation", item.row, "trigger")
            if item.type not in ("calculate", "group", "repeat") and not item.label:
                self.add("label_missing", item.row, "label")
            if item.default is not None and not _default_fits(item, definition.choices):
                self.add("default_invalid", item.row, "default", value=item.default)
            for column in EXPRESSION_COLUMNS:
                if getattr(item, column) is not None:
                    self.check_expression(item, column, repeat, index)

    def check_expression(self, item: Field, column: str, repeat: str | None, index: int) -> None:
        try:
            node = item.expression(column)
        except ExpressionError as error:
            messages = EXPRESSION_MESSAGES.get(error.code, EXPRESSION_MESSAGES["expr_syntax"])
            # Positions count from 1 here: people read "character 1" as the first one.
            at = error.position + 1 if error.position is not None else None
            at_zh = f"（第 {at} 个字符处）" if at else ""
            at_en = f" (at character {at})" if at else ""
            self.problems.append(Problem(item.row, column, error.code, f"{messages['zh']}{at_zh}：{error.detail}",
                                         f"{messages['en']}{at_en}: {error.detail}"))
            return
        if column == "trigger" and not isinstance(node, Ref):
            self.add("trigger_not_ref", item.row, column)
            return
        refs, counted, uses_current = _inspect(node)
        if uses_current and column not in ("constraint", "choice_filter"):
            self.add("current_not_allowed", item.row, column)
        for name in sorted(refs):
            self.check_reference(item, column, repeat, index, name)
        for name in sorted(counted):
            if name not in self.position:
                self.add("ref_unknown", item.row, column, value=name)
            elif self.definition.field(name).type != "repeat":
                self.add("count_not_repeat", item.row, column, value=name)

    def check_reference(self, item: Field, column: str, repeat: str | None, index: int, name: str) -> None:
        if name not in self.position:
            if name not in self.unusable:
                self.add("ref_unknown", item.row, column, value=name)
            return
        target = self.definition.field(name)
        where = self.scope[name]
        if target.type in ("group", "repeat", "note"):
            self.add("ref_not_value", item.row, column, value=name)
        elif where is not None and where != repeat:
            self.add("ref_into_repeat", item.row, column, value=name, repeat=where)
        elif column == "calculation" and target.computed and where == repeat and self.position[name] >= index:
            self.add("calculation_order", item.row, column, value=name)


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _scalar_text(value: object) -> str | None:
    """Cell values as text: numbers without a needless .0, dates as YYYY-MM-DD, blank as None."""
    if value is None:
        return None
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    return text or None



def _default_fits(item: Field, choices: dict[str, list[Choice]]) -> bool:
    value = item.default
    names = {choice.name for choice in choices.get(item.list_name or "", [])}
    match item.type:
        case "date":
            return value == "today()" or parse_iso_date(value) is not None
        case "integer":
            return INTEGER_TEXT.fullmatch(value) is not None
        case "decimal":
            return DECIMAL_TEXT.fullmatch(value) is not None
        case "select_one":
            return not names or value in names
        case "select_multiple":
            return not names or set(value.split()) <= names
    return True
