"""Area codes, the area tree, and the CSV import that builds it (all rows or none)."""
import csv
import io
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from app.areas.models import LEVEL_BY_LENGTH, Area, AreaLevel
from app.i18n import N_


def normalize_code(raw: str) -> str:
    """Accept both the significant code (350524100) and the official 12-digit padded form
    (350524100000) and return the significant one."""
    code = raw.strip()
    if len(code) == 12:
        if code.endswith("000000"):
            return code[:6]
        if code.endswith("000"):
            return code[:9]
    return code


def level_of(code: str) -> AreaLevel | None:
    if not code.isdigit():
        return None
    return LEVEL_BY_LENGTH.get(len(code))


def parent_of(code: str) -> str | None:
    level = level_of(code)
    if level is AreaLevel.township:
        return code[:6]
    if level is AreaLevel.village:
        return code[:9]
    return None


@dataclass
class RowError:
    row: int
    code: str
    message: str
    params: dict = field(default_factory=dict)


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)


class AreaFileError(ValueError):
    def __init__(self, code: str, message: str):
        super().__init__(code)
        self.code = code
        self.message = message


def decode_csv(data: bytes) -> str:
    """UTF-8 (with or without BOM) or GBK, which is what Excel on a Chinese Windows saves."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise AreaFileError("file_encoding", N_("The file is neither UTF-8 nor GBK text."))


HEADER_NAMES = {"code", "name", "parent", "代码", "区划代码", "统计用区划代码", "名称", "上级", "上级代码"}


def parse_rows(text: str) -> list[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text))
    rows = [(number, row) for number, row in enumerate(reader, start=1)
            if any(cell.strip() for cell in row)]
    if rows and rows[0][1] and rows[0][1][0].strip().lower() in HEADER_NAMES:
        rows = rows[1:]
    return rows


def import_areas(session: Session, data: bytes) -> ImportResult:
    """Validate the whole file first; write only when every row is good."""
    result = ImportResult()
    rows = parse_rows(decode_csv(data))
    if not rows:
        raise AreaFileError("file_empty", N_("The file has no rows."))

    existing = {area.code: area for area in session.exec(select(Area))}
    incoming: dict[str, tuple[str, str | None]] = {}
    for number, cells in rows:
        cells = [cell.strip() for cell in cells]
        if len(cells) < 2 or not cells[0] or not cells[1]:
            result.errors.append(RowError(number, "row_columns",
                                          N_("A row needs a code and a name.")))
            continue
        code = normalize_code(cells[0])
        name = cells[1]
        parent_given = normalize_code(cells[2]) if len(cells) > 2 and cells[2] else None
        if level_of(code) is None:
            result.errors.append(RowError(number, "area_code_invalid",
                                          N_("Area code {code} is not a county (6 digits), township (9) or village (12) code."),
                                          {"code": cells[0]}))
            continue
        if len(name) > 100:
            result.errors.append(RowError(number, "area_name_too_long",
                                          N_("The name is longer than 100 characters.")))
            continue
        parent = parent_of(code)
        if parent_given is not None and parent_given != parent:
            result.errors.append(RowError(number, "area_parent_mismatch",
                                          N_("Parent {parent} does not contain area {code}."),
                                          {"parent": parent_given, "code": code}))
            continue
        if code in incoming:
            result.errors.append(RowError(number, "area_duplicate",
                                          N_("Area code {code} appears twice in the file."),
                                          {"code": code}))
            continue
        incoming[code] = (name, parent)

    for number, cells in rows:
        code = normalize_code(cells[0].strip()) if cells else ""
        if code not in incoming:
            continue
        parent = incoming[code][1]
        if parent and parent not in incoming and parent not in existing:
            result.errors.append(RowError(number, "area_parent_missing",
                                          N_("The parent area {parent} of {code} is neither in the file nor in the system."),
                                          {"parent": parent, "code": code}))

    if result.errors:
        result.errors.sort(key=lambda error: error.row)
        return result

    # Parents first, so foreign keys hold at every insert.
    for code in sorted(incoming, key=len):
        name, parent = incoming[code]
        area = existing.get(code)
        if area is None:
            session.add(Area(code=code, name=name, level=level_of(code).value, parent_code=parent))
            result.created += 1
        elif area.name != name:
            area.name = name
            session.add(area)
            result.updated += 1
        session.flush()
    return result


def get(session: Session, code: str) -> Area | None:
    return session.get(Area, code)


def descendants(session: Session, roots: list[str]) -> list[Area]:
    """Every area at or under the given codes, ordered by code (so a tree reads top-down)."""
    if not roots:
        return []
    condition = None
    for root in roots:
        clause = col(Area.code).startswith(root)
        condition = clause if condition is None else condition | clause
    return list(session.exec(select(Area).where(condition).order_by(Area.code)))


def villages_in(session: Session, roots: list[str]) -> list[Area]:
    return [area for area in descendants(session, roots) if area.level == AreaLevel.village]


def all_areas(session: Session) -> list[Area]:
    return list(session.exec(select(Area).order_by(Area.code)))


def build_tree(areas: list[Area]) -> list[dict]:
    """Nest a flat, code-ordered list into {code, name, level, children} dicts."""
    nodes = {area.code: {"code": area.code, "name": area.name, "level": area.level,
                         "children": []} for area in areas}
    roots = []
    for area in areas:
        parent = nodes.get(area.parent_code or "")
        (parent["children"] if parent else roots).append(nodes[area.code])
    return roots


def expected_level(role: str) -> AreaLevel:
    return {"enumerator": AreaLevel.village, "supervisor": AreaLevel.township,
            "admin": AreaLevel.county}[role]



def code_under(column, code: str):
    """SQL condition: the area code in `column` lies at or under `code`. A range rather than
    LIKE 'code%', so that an index on the column serves it on SQLite too (codes are digits,
    and ':' is the character after '9')."""
    return (column >= code) & (column < code + ":")
