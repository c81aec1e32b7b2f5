"""The checked form: its fields, choices and settings, as the rest of the app uses them.

app/forms/definition.py builds a FormDefinition from a file and refuses a wrong one; this
module is what that produces: the survey tree, the shape the browser runtime consumes
(to_client) and the file structure again (to_source).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from datetime import date
from functools import cached_property, lru_cache

from app.forms.expression import Binary, Call, Compiled, Current, Negate, Node, compile_expression, parse

INPUT_TYPES = ("text", "integer", "decimal", "date", "select_one", "select_multiple", "geopoint")
SELECT_TYPES = ("select_one", "select_multiple")
CONTAINER_TYPES = ("group", "repeat")

# Survey columns in their canonical order (to_source() and write_xlsx() use it).
SURVEY_COLUMNS = (
    "type", "name", "label", "hint", "required", "required_message", "relevant", "constraint",
    "constraint_message", "calculation", "trigger", "choice_filter", "appearance", "default",
    "read_only", "parameters",
)
CHOICE_COLUMNS = ("list_name", "name", "label")
SETTINGS_COLUMNS = ("form_id", "version", "title", "default_language")
TRANSLATED_COLUMNS = ("label", "hint", "required_message", "constraint_message", "title")
EXPRESSION_COLUMNS = ("required", "relevant", "constraint", "calculation", "trigger", "choice_filter")

_WORD_START = re.compile(r"[A-Za-z_]")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")  # a bare name, as the expression tokenizer reads one

INTEGER_TEXT = re.compile(r"-?[0-9]+")
DECIMAL_TEXT = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


def parse_iso_date(text: str) -> date | None:
    """A real calendar date written exactly YYYY-MM-DD, else None."""
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None



@dataclasses.dataclass(frozen=True)
class Choice:
    name: str
    label: dict[str, str]


@dataclasses.dataclass
class Field:
    """One survey row; a group or repeat holds the rows up to its end row as `children`.

    `type` is the base type (`select_one`, not `select_one LIST`); `row` is where the row was
    read from (see the module docstring). Translated columns are {language: text}; empty
    columns are None, {} or "".
    """

    row: int
    type: str
    name: str
    list_name: str | None = None
    label: dict[str, str] = dataclasses.field(default_factory=dict)
    hint: dict[str, str] = dataclasses.field(default_factory=dict)
    required: str | None = None
    required_message: dict[str, str] = dataclasses.field(default_factory=dict)
    relevant: str | None = None
    constraint: str | None = None
    constraint_message: dict[str, str] = dataclasses.field(default_factory=dict)
    calculation: str | None = None
    trigger: str | None = None
    choice_filter: str | None = None
    appearance: str = ""
    default: str | None = None
    read_only: bool = False
    parameters: str | None = None
    children: list[Field] = dataclasses.field(default_factory=list)

    def expression(self, column: str) -> Node | None:
        """The parsed expression of a column (choice_filter with `name` bound: choice_filter_source)."""
        source = getattr(self, column)
        if source is None:
            return None
        return parsed(choice_filter_source(source) if column == "choice_filter" else source)

    def compiled(self, column: str) -> Compiled | None:
        """The column's expression (see expression()) compiled, to call with a Context."""
        source = getattr(self, column)
        if source is None:
            return None
        return compiled(choice_filter_source(source) if column == "choice_filter" else source)

    @property
    def computed(self) -> bool:
        """True when the value comes from `calculation` alone. With a `trigger` (XLSForm's
        editable pre-fill) the calculation only proposes a value when the trigger field
        changes; the person may change it and the server keeps what was sent."""
        return self.calculation is not None and self.trigger is None

    @property
    def is_id_number(self) -> bool:
        """A field whose constraint calls id-valid(.) holds a resident ID number: validation
        normalises its value (full-width digits, lowercase x) and reports ID warnings."""
        return self.constraint is not None and _checks_id_number(self.constraint)


@dataclasses.dataclass
class FormDefinition:
    form_id: str
    version: str
    title: dict[str, str]
    default_language: str
    fields: list[Field]
    choices: dict[str, list[Choice]]

    def walk(self) -> Iterator[tuple[Field, str | None]]:
        """Every field in document order, groups and repeats included, with the name of the
        repeat it lies in (None at household level; a repeat itself is at household level)."""
        def visit(fields: list[Field], repeat: str | None):
            for item in fields:
                yield item, repeat
                yield from visit(item.children, item.name if item.type == "repeat" else repeat)
        return visit(self.fields, None)

    @cached_property
    def _by_name(self) -> dict[str, Field]:
        return {item.name: item for item, _ in self.walk()}

    def field(self, name: str) -> Field:
        """The field with this name; KeyError if there is none."""
        return self._by_name[name]

    @cached_property
    def scopes(self) -> dict[str | None, dict[str, Field]]:
        """The fields that hold values (no groups or repeats) by name, in document order, for
        the household level (None) and for each repeat, every repeat present even if empty."""
        scopes: dict[str | None, dict[str, Field]] = {None: {}}
        for item, repeat in self.walk():
            if item.type == "repeat":
                scopes[item.name] = {}
            if item.type not in CONTAINER_TYPES:
                scopes[repeat][item.name] = item
        return scopes

    @cached_property
    def computed_fields(self) -> dict[str | None, list[Field]]:
        """The fields whose value comes from their calculation alone (Field.computed), in
        document order, for each scope of `scopes`."""
        return {scope: [item for item in fields.values() if item.computed]
                for scope, fields in self.scopes.items()}

    @cached_property
    def choice_names(self) -> dict[str, frozenset[str]]:
        """The names of each list's choices."""
        return {name: frozenset(choice.name for choice in items) for name, items in self.choices.items()}

    def repeats(self) -> list[Field]:
        return [item for item, _ in self.walk() if item.type == "repeat"]

    def languages(self) -> list[str]:
        """Every language any text is written in, the default language first."""
        seen = {self.default_language: None}
        texts = [self.title] + [choice.label for items in self.choices.values() for choice in items]
        for item, _ in self.walk():
            texts += [item.label, item.hint, item.required_message, item.constraint_message]
        for text in texts:
            seen.update(dict.fromkeys(text))
        return list(seen)

    def to_client(self) -> dict:
        """The definition as the browser runtime consumes it (JSON-serialisable):

            {"form_id": str, "version": str, "title": {lang: str}, "default_language": str,
             "languages": [str, ...],               # default language first
             "fields": [FIELD, ...],                # the survey tree, document order
             "choices": {list_name: [{"name": str, "label": {lang: str}}, ...]}}

        FIELD has exactly these keys (absent values are null, {} or ""):

            {"name": str,
             "type": "text" | "integer" | "decimal" | "date" | "select_one" | "select_multiple"
                     | "geopoint" | "note" | "calculate" | "group" | "repeat",
             "list_name": str | null,               # key into "choices" for select types
             "label": {lang: str}, "hint": {lang: str},
             "required": EXPR | null, "required_message": {lang: str},
             "relevant": EXPR | null,
             "constraint": EXPR | null, "constraint_message": {lang: str},
             "calculation": EXPR | null,            # the runtime computes it; read-only when set
             "trigger": EXPR | null,                # with calculation: an editable pre-fill, set
                                                    # from calculation when ${trigger} changes
             "choice_filter": EXPR | null,          # see below
             "appearance": str, "default": str | null, "read_only": bool,
             "parameters": str | null,
             "repeat": str | null,                  # name of the enclosing repeat, null at household level
             "id_number": bool,                     # normalise like idcard.js normalize()
             "children": [FIELD, ...]}              # only on "group" and "repeat"

        EXPR is expression source that parses. `${x}` inside a repeat reads the same member's x,
        else the household-level x. `.` (constraint only) is the field's own value. In
        choice_filter, the form's `name` (the choice's value) is already rewritten as `(.) `,
        so evaluate it once per choice with `current` = the choice's name; the rewrite keeps
        every character position. `required` from YAML `true` arrives as "true()".
        Calculated values are stored as JSON: numbers as numbers, dates as "YYYY-MM-DD",
        booleans as booleans, empty results as absent. app/forms/validation.py describes the
        order in which the server evaluates; the runtime must reach the same values.
        """
        return {
            "form_id": self.form_id,
            "version": self.version,
            "title": dict(self.title),
            "default_language": self.default_language,
            "languages": self.languages(),
            "fields": [_client_field(item, None) for item in self.fields],
            "choices": {name: [{"name": c.name, "label": dict(c.label)} for c in items]
                        for name, items in self.choices.items()},
        }

    def to_source(self) -> dict:
        """The file structure (as in survey_forms/README.md), normalized: translated texts as
        {lang: text} mappings, empty columns left out, choices grouped by list."""
        settings = {"form_id": self.form_id, "version": self.version}
        if self.title:
            settings["title"] = dict(self.title)
        settings["default_language"] = self.default_language
        return {
            "settings": settings,
            "survey": list(_source_rows(self.fields)),
            "choices": [{"list_name": name, "name": c.name, "label": dict(c.label)}
                        for name, items in self.choices.items() for c in items],
        }


def _client_field(item: Field, repeat: str | None) -> dict:
    data = {
        "name": item.name, "type": item.type, "list_name": item.list_name,
        "label": dict(item.label), "hint": dict(item.hint),
        "required": item.required, "required_message": dict(item.required_message),
        "relevant": item.relevant,
        "constraint": item.constraint, "constraint_message": dict(item.constraint_message),
        "calculation": item.calculation, "trigger": item.trigger,
        "choice_filter": choice_filter_source(item.choice_filter) if item.choice_filter else None,
        "appearance": item.appearance, "default": item.default, "read_only": item.read_only,
        "parameters": item.parameters, "repeat": repeat, "id_number": item.is_id_number,
    }
    if item.type in CONTAINER_TYPES:
        inner = item.name if item.type == "repeat" else repeat
        data["children"] = [_client_field(child, inner) for child in item.children]
    return data


def _source_rows(fields: list[Field]) -> Iterator[dict]:
    for item in fields:
        begin = {"group": "begin_group", "repeat": "begin_repeat"}.get(item.type)
        row = {"type": begin or (f"{item.type} {item.list_name}" if item.list_name else item.type),
               "name": item.name}
        for column in SURVEY_COLUMNS[2:]:
            value = getattr(item, column)
            if value not in (None, "", {}, False):
                row[column] = dict(value) if isinstance(value, dict) else value
        yield row
        if begin:
            yield from _source_rows(item.children)
            yield {"type": begin.replace("begin", "end")}


# ---------------------------------------------------------------------------------------------
# Expressions


@lru_cache(maxsize=4096)  # every choice of every filtered question of every household asks
def choice_filter_source(source: str) -> str:
    """Bind XLSForm's `name` (the choice being filtered) to `.`.

    The expression language has no bare names, so a standalone `name` (outside strings and
    ${...}, not a function call) is rewritten as `(.) `: the parentheses keep it apart from a
    neighbouring number, the space keeps every later character at its position, so parse
    errors point into the text as written.
    """
    out, i = [], 0
    while i < len(source):
        char = source[i]
        if char in "'\"" or source.startswith("${", i):
            end = source.find(char if char in "'\"" else "}", i + 1)
            end = len(source) if end == -1 else end + 1
            out.append(source[i:end])
            i = end
        elif _WORD_START.match(char):
            word = _WORD.match(source, i).group()
            i += len(word)
            is_call = source[i:].lstrip(" \t\r\n").startswith("(")
            out.append("(.) " if word == "name" and not is_call else word)
        else:
            out.append(char)
            i += 1
    return "".join(out)


@lru_cache(maxsize=4096)
def _checks_id_number(constraint: str) -> bool:
    # Asked for every value validated: walking the expression each time cost a push 5 %.
    return any(isinstance(item, Call) and item.name == "id-valid" and item.args == (Current(),)
               for item in walk_nodes(parsed(constraint)))


@lru_cache(maxsize=4096)
def parsed(source: str) -> Node:
    # Nodes are immutable, so one parse per distinct source serves every submission.
    return parse(source)


@lru_cache(maxsize=4096)
def compiled(source: str) -> Compiled:
    # Compiled closures keep no state, so one per distinct source serves every submission.
    return compile_expression(parsed(source))


def walk_nodes(node: Node) -> Iterator[Node]:
    """Every node of an expression, except the argument of count(), which names a repeat."""
    yield node
    match node:
        case Call("count", _):
            pass
        case Call(_, args):
            for arg in args:
                yield from walk_nodes(arg)
        case Negate(operand):
            yield from walk_nodes(operand)
        case Binary(_, left, right):
            yield from walk_nodes(left)
            yield from walk_nodes(right)


