"""A household as the supervisor reads it: the form's labels and choice labels in the reader's
language, ID numbers and phones masked, each flag and field comment next to its field, and
the difference between two revisions.

Sensitive fields are known by name: `id_number`, `phone` and `*_phone` (a county adding a
question of that kind names it so). Their full value leaves the server only through
service.reveal(), which writes it to the audit trail.
"""
import re
from dataclasses import dataclass, field

from app.common import idcard, phone
from app.forms.model import Field, FormDefinition

PATH = re.compile(r"(?:(?P<repeat>[a-z_][a-z0-9_]*)\[(?P<index>\d{1,4})\]\.)?(?P<name>[a-z_][a-z0-9_]*)")
HIDDEN_TYPES = {"group", "repeat", "note", "calculate"}


def _name(path: str) -> str:
    match = PATH.fullmatch(path)
    return match.group("name") if match else ""


def is_sensitive(path: str) -> bool:
    name = _name(path)
    return name in ("id_number", "phone") or name.endswith("_phone")


def mask(path: str, value: object) -> str:
    text = str(value)
    if not is_sensitive(path):
        return text
    return phone.mask(text) if _name(path).endswith("phone") else idcard.mask(text)


def value_at(payload: dict, path: str) -> object | None:
    """The answer at a path such as `contact_phone` or `members[1].id_number`."""
    match = PATH.fullmatch(path or "")
    if match is None:
        return None
    scope = payload
    if match.group("repeat"):
        items = payload.get(match.group("repeat"))
        index = int(match.group("index"))
        if not isinstance(items, list) or index >= len(items) or not isinstance(items[index], dict):
            return None
        scope = items[index]
    value = scope.get(match.group("name"))
    return None if value in (None, "", []) else value


@dataclass
class Line:
    path: str
    label: str
    value: str  # for display: choice labels, sensitive values masked
    raw: object = None
    sensitive: bool = False
    flags: list = field(default_factory=list)
    comment: str = ""


@dataclass
class Block:
    """The household's own answers, or one member's."""

    title: str
    lines: list[Line] = field(default_factory=list)
    index: int | None = None  # the member's position; None for the household


class Reader:
    """Reads payloads of one form version in one language ("zh" or "en")."""

    def __init__(self, definition: FormDefinition, lang: str):
        self.definition = definition
        self.lang = lang
        self.fields = [(item, repeat) for item, repeat in definition.walk() if item.type not in HIDDEN_TYPES]
        self.repeats = [item.name for item in definition.repeats()]

    def text(self, labels: dict[str, str], fallback: str = "") -> str:
        return labels.get(self.lang) or labels.get(self.definition.default_language) or fallback

    def shown(self, item: Field, path: str, value: object) -> str:
        if item.list_name and item.type in ("select_one", "select_multiple"):
            choices = {choice.name: choice.label for choice in self.definition.choices.get(item.list_name, [])}
            names = str(value).split() if item.type == "select_multiple" else [str(value)]
            separator = "、" if self.lang == "zh" else ", "
            return separator.join(self.text(choices.get(name, {}), name) for name in names)
        return mask(path, value)

    def masked(self, payload: dict) -> dict:
        """The payload with every sensitive value masked (for the API)."""
        def level(values: dict, prefix: str) -> dict:
            out = {}
            for name, value in values.items():
                if isinstance(value, list):
                    out[name] = [level(item, f"{name}[{index}].") if isinstance(item, dict) else item
                                 for index, item in enumerate(value)]
                elif value is not None and is_sensitive(prefix + name):
                    out[name] = mask(prefix + name, value)
                else:
                    out[name] = value
            return out
        return level(payload, "")

    def member_title(self, index: int, member: dict) -> str:
        number = f"成员{index + 1}" if self.lang == "zh" else f"Member {index + 1}"
        return f"{number} {member.get('full_name') or ''}".strip()

    def blocks(self, payload: dict, *, flags: list = (), comments: dict | None = None) -> list[Block]:
        """The household block, then one per member. A field is shown when it has an answer,
        a flag or a field comment (a missing reason is worth showing empty)."""
        comments = comments or {}
        wanted = {flag.path for flag in flags} | set(comments)
        household = Block(self.text(self.definition.title, self.definition.form_id))
        blocks = [household]
        for repeat in self.repeats:
            for index, member in enumerate(payload.get(repeat) or []):
                if isinstance(member, dict):
                    blocks.append(Block(self.member_title(index, member), index=index))
        members = [block for block in blocks if block.index is not None]
        for item, repeat in self.fields:
            targets = [(household, item.name)] if repeat is None else [
                (block, f"{repeat}[{block.index}].{item.name}") for block in members]
            for block, path in targets:
                value = value_at(payload, path)
                if value is None and path not in wanted:
                    continue
                block.lines.append(Line(
                    path, self.text(item.label, item.name),
                    "—" if value is None else self.shown(item, path, value), value,
                    is_sensitive(path), [flag for flag in flags if flag.path == path],
                    comments.get(path, "")))
        return blocks


@dataclass
class Change:
    label: str
    before: str
    after: str
    hidden_change: bool = False  # masked values that look alike but differ


def diff(reader: Reader, before: dict, after: dict) -> list[Change]:
    """What changed between two revisions, field by field (members matched by position)."""
    old = _lines(reader, before)
    new = _lines(reader, after)
    changes = []
    for path in list(new) + [path for path in old if path not in new]:
        was, now = old.get(path), new.get(path)
        if was is not None and now is not None and was[1].raw == now[1].raw:
            continue
        title, line = now or was
        shown = [pair[1].value if pair else "—" for pair in (was, now)]
        changes.append(Change(f"{title} · {line.label}" if title else line.label, shown[0], shown[1],
                              hidden_change=shown[0] == shown[1]))
    return changes


def _lines(reader: Reader, payload: dict) -> dict[str, tuple[str, Line]]:
    return {line.path: ("" if block.index is None else block.title, line)
            for block in reader.blocks(payload) for line in block.lines}
