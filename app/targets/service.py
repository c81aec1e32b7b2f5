"""Roster import (入户核对登记确认对象) and the per-village target counts.

An import reads the file row by row, checks every row, and by default writes nothing: it is a
dry run that counts what would be created, updated or left alone and reports every bad row.
Only when the admin chooses "import the valid rows" are they written, all in one transaction
with the import's audit event. A target is keyed by (village, ID number): an unchanged one is
left as it is, a changed one is updated and, like a new one, takes a number from the change
sequence so that phones pull it.
"""
import csv
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import false, or_
from sqlmodel import Session, col, func, select

from app.accounts.models import Role, User, UserArea
from app.areas import service as areas
from app.areas.models import Area
from app.audit import service as audit
from app.audit.service import Actor
from app.clock import CHINA_TZ, utcnow
from app.common import idcard
from app.i18n import N_, translations
from app.targets import roster
from app.targets.checks import FORMULA_START, CountyData, check_row
from app.targets.models import Target, TargetStatus
from app.targets.quick import quick_check
from app.targets.staging import BATCH, Staging
from sync import changes

PROGRESS_EVERY = 100_000
FIRST_PROBLEMS = 20
REPORT_HEADERS = (N_("Row"), N_("Name"), N_("ID number (masked)"), N_("Problems"), N_("Codes"))
REPEAT_REASON = N_("The same ID number is already in row {row}.")


@dataclass
class RosterImport:
    file_name: str
    sha256: str
    rows: int = 0
    bad: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    imported: bool = False
    mapping: dict[str, str] = field(default_factory=dict)
    first_problems: list[dict] = field(default_factory=list)

    @property
    def valid(self) -> int:
        return self.rows - self.bad

    def counts(self) -> dict[str, int]:
        return {"rows": self.rows, "valid": self.valid, "bad": self.bad, "created": self.created,
                "updated": self.updated, "unchanged": self.unchanged}


def county_data(session: Session, scope: list[str]) -> CountyData:
    """The villages under `scope` and the active enumerators working there."""
    villages = frozenset(area.code for area in areas.villages_in(session, scope))
    found: dict[str, tuple[int, list[str]]] = {}
    rows = session.exec(select(User.id, User.username, UserArea.area_code)
                        .join(UserArea, col(UserArea.user_id) == User.id)
                        .where(User.role == Role.enumerator, col(User.active).is_(True)))
    for user_id, username, code in rows:
        if code in villages:
            found.setdefault(username, (user_id, []))[1].append(code)
    return CountyData(villages, {name: (uid, tuple(codes)) for name, (uid, codes) in found.items()},
                      datetime.now(CHINA_TZ).date())


def import_roster(*, session: Session, actor: Actor, scope: list[str], path: Path,
                  file_name: str, sha256: str, mapping: dict[str, str], import_valid: bool,
                  locale: str = "zh_CN", report: Path | None = None,
                  progress: Callable[[str], None] | None = None) -> RosterImport:
    """Check the file and, with import_valid, write its valid rows. Raises RosterFileError
    for a file that cannot be used at all; then nothing is written."""
    gettext = translations(locale).gettext
    rows = roster.read_rows(path)
    header = next(rows, None)
    if header is None:
        raise roster.RosterFileError("file_empty", N_("The file has no rows."))
    headers = [cell.strip() for cell in header[1]]
    columns = roster.find_columns(headers, mapping)
    assigns = "enumerator" in columns
    result = RosterImport(file_name, sha256,
                          mapping={field: headers[index] for field, index in columns.items()})
    county = county_data(session, scope)

    # A savepoint, so that a dry run (or a file found unreadable half-way) leaves nothing
    # behind while its audit event, written after it, still commits.
    savepoint = session.begin_nested()
    staging = None
    try:
        staging = Staging(session.connection())
        _stage(staging, rows, columns, county, gettext, locale, progress, result)
        before, _, after = gettext(REPEAT_REASON).partition("{row}")
        staging.drop_repeats(before, after)
        if import_valid:
            # From here on no other writer of targets may run: the counts below must be the
            # ones the write meets.
            changes.hold(session)
        counts = staging.classify(assigns=assigns)
        result.created, result.updated = counts["created"], counts["updated"]
        result.unchanged = counts["unchanged"]
        result.bad = staging.problem_count()
        result.first_problems = [dict(row) for row in staging.problems(FIRST_PROBLEMS)]
        if report is not None:
            _write_report(staging, report, gettext)
        if import_valid and result.created + result.updated:
            if progress:
                progress(f"writing {result.created} new and {result.updated} changed targets")
            first = changes.next_seq(session, result.created + result.updated)
            staging.write(first_seq=first, updated=result.updated, assigns=assigns, now=utcnow())
        staging.drop()
    except BaseException:
        if staging is not None:
            staging.abandon()
        savepoint.rollback()
        raise
    if import_valid:
        savepoint.commit()
        result.imported = True
    else:
        savepoint.rollback()
    audit.record(session, actor, "targets.import" if import_valid else "targets.import_checked",
                 object_type="file", object_id=file_name,
                 detail={"sha256": sha256, **result.counts(), "columns": result.mapping})
    return result


def _stage(staging: Staging, rows, columns: dict[str, int], county: CountyData, gettext,
           locale: str, progress, result: RosterImport) -> None:
    """Check every row; stage the good ones and record the problems of the others. The quick
    check takes the clean rows, nearly all of them; check_row() decides about the rest."""
    separator = "; " if locale == "en" else "；"
    quick = quick_check(columns, county)
    checked: list[tuple] = []
    count = 0
    for number, cells in rows:
        good = quick(number, cells)
        if good is None:
            values = {field: cells[index] if index < len(cells) else ""
                      for field, index in columns.items()}
            row, problems, name, id_number = check_row(values, county)
            if row is None:
                staging.problem(number, name, idcard.mask(id_number),
                                separator.join(problem.text(gettext, locale) for problem in problems),
                                " ".join(problem.code for problem in problems))
            else:
                good = (number, *row)
        if good is not None:
            checked.append(good)
            if len(checked) == BATCH:
                staging.add(checked)
                checked = []
        count += 1
        if progress and count % PROGRESS_EVERY == 0:
            progress(f"{count} rows checked")
    staging.add(checked)
    staging.finish()
    result.rows = count
    if count == 0:
        raise roster.RosterFileError("file_empty", N_("The file has no rows."))


def _report_cell(text: str) -> str:
    """A spreadsheet would run a cell that begins like a formula: make it plain text."""
    return "'" + text if text.startswith((*FORMULA_START, "\t", "\r")) else text


def _write_report(staging: Staging, path: Path, gettext) -> None:
    """Every bad row in file order, as CSV with a BOM so that Excel opens it as UTF-8."""
    partial = path.with_name(path.name + ".part")
    with partial.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([gettext(header) for header in REPORT_HEADERS])
        for problem in staging.problems():
            writer.writerow([problem["row_no"], _report_cell(problem["name"]), problem["id_masked"],
                             _report_cell(problem["reasons"]), problem["codes"]])
    os.replace(partial, path)


# ---- what the admin page lists -----------------------------------------------------------------

@dataclass
class VillageTargets:
    code: str
    name: str
    township: str
    total: int
    by_status: dict[str, int]


def village_counts(session: Session, scope: list[str]) -> list[VillageTargets]:
    """Every village under `scope` with its number of targets per status (zeros included)."""
    villages = areas.villages_in(session, scope)
    names = {area.code: area.name for area in session.exec(
        select(Area).where(col(Area.code).in_({area.parent_code for area in villages})))}
    counts: dict[str, dict[str, int]] = {}
    inside = or_(false(), *(col(Target.village_code).startswith(code) for code in scope))
    for village, status, count in session.exec(
            select(Target.village_code, Target.status, func.count()).where(inside)
            .group_by(Target.village_code, Target.status)):
        counts.setdefault(village, {})[status] = count
    return [VillageTargets(area.code, area.name, names.get(area.parent_code or "", ""),
                           sum(counts.get(area.code, {}).values()),
                           {status.value: counts.get(area.code, {}).get(status.value, 0)
                            for status in TargetStatus})
            for area in villages]


def targets_of(session: Session, village_code: str, *, limit: int, offset: int) -> tuple[list, int]:
    """One page of a village's targets (with the enumerator's username) and their number."""
    total = session.exec(select(func.count()).select_from(Target)
                         .where(Target.village_code == village_code)).one()
    rows = session.exec(select(Target, User.username)
                        .join(User, col(User.id) == Target.assigned_to_id, isouter=True)
                        .where(Target.village_code == village_code)
                        .order_by(col(Target.id)).limit(limit).offset(offset))
    return list(rows), total
