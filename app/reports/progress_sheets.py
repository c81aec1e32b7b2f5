"""The progress dashboard's tables as Sheets (app/reports/sheet.py) and its charts: the page
shows them, render.py turns the same Sheets into the XLSX and CSV downloads, so a page, its
downloads and its charts can never disagree."""
from collections.abc import Callable
from markupsafe import Markup

from app.areas.models import AreaLevel
from app.clock import CHINA_TZ, utcnow
from app.i18n import N_
from app.reports import charts
from app.reports.progress import UNASSIGNED, Line, Progress, Tally
from app.reports.sheet import HeaderCell, Row, Sheet
from app.review.labels import STATE_LABELS
from app.submissions.models import SubmissionState
from app.targets.models import STATUS_LABELS, TargetStatus

Gettext = Callable[[str], str]
TABLES = ("areas", "enumerators", "days", "returns", "fields", "flags")
# The parts a target bar is cut into: how targets ended, then the open ones found in a
# household, then those nobody has found yet. Each target is in exactly one part.
STATUS_SERIES = (
    ("registered", STATUS_LABELS[TargetStatus.registered], "#2e7d32"),
    ("moved", STATUS_LABELS[TargetStatus.moved], "#1565c0"),
    ("deceased", STATUS_LABELS[TargetStatus.deceased], "#6d4c41"),
    ("not_found", STATUS_LABELS[TargetStatus.not_found], "#c62828"),
    ("visited_open", N_("Found, not yet settled"), "#b45f06"),
    ("not_visited", N_("Not visited yet"), "#8c959f"),
)
DAY_COLOUR = "#1565c0"
RETURN_COLOUR = "#b45f06"
FLAG_COLOUR = "#6a1b9a"
SEVERITY_LABELS = {"error": N_("Must be looked at"), "warning": N_("Worth a look")}
TARGET_COLUMNS = (TargetStatus.registered, TargetStatus.moved, TargetStatus.deceased,
                  TargetStatus.not_found, TargetStatus.open)
STATE_COLUMNS = (SubmissionState.submitted, SubmissionState.returned, SubmissionState.approved,
                 SubmissionState.rejected)
CHILD_HEADINGS = {AreaLevel.county: N_("Township"), AreaLevel.township: N_("Village"),
                  AreaLevel.village: N_("Village")}


def segments(tally: Tally) -> tuple[int, ...]:
    targets = tally.targets
    return (targets.get(TargetStatus.registered, 0), targets.get(TargetStatus.moved, 0),
            targets.get(TargetStatus.deceased, 0), targets.get(TargetStatus.not_found, 0),
            tally.visited_open, tally.not_visited)


def _notes(progress: Progress, _: Gettext, unit: str) -> list[str]:
    stamp = utcnow().astimezone(CHINA_TZ)
    return [_("Reporting unit: {area}").format(area=progress.area.name),
            _("As of {time}").format(time=stamp.strftime("%Y-%m-%d %H:%M")),
            _("Unit: {unit}").format(unit=unit)]


def _tally_values(tally: Tally) -> list[int]:
    return [tally.targets_total, tally.visited,
            *(tally.targets.get(status, 0) for status in TARGET_COLUMNS),
            tally.households_total, tally.people,
            *(tally.households.get(state, 0) for state in STATE_COLUMNS),
            tally.returns]


def _tally_header(first: str, _: Gettext) -> list[list[HeaderCell]]:
    target_headings = [_(STATUS_LABELS[status]) for status in TARGET_COLUMNS[:-1]] + [_("Targets open")]
    return [
        [HeaderCell(first, rowspan=2), HeaderCell(_("Targets"), colspan=2 + len(TARGET_COLUMNS)),
         HeaderCell(_("Households visited"), colspan=3 + len(STATE_COLUMNS))],
        [HeaderCell(_("Number of targets")), HeaderCell(_("Visited")),
         *(HeaderCell(text) for text in target_headings),
         HeaderCell(_("Households")), HeaderCell(_("People")),
         *(HeaderCell(_(STATE_LABELS[state])) for state in STATE_COLUMNS),
         HeaderCell(_("Times returned"))],
    ]


def enumerator_name(line: Line, _: Gettext) -> str:
    return _("Not assigned") if line.key == UNASSIGNED else line.name


def area_sheet(progress: Progress, _: Gettext) -> Sheet:
    return Sheet(
        name=_("Progress by area"),
        title=_("{area}: progress of the visits by area").format(area=progress.area.name),
        notes=_notes(progress, _, _("people, households")),
        header=_tally_header(_(CHILD_HEADINGS[AreaLevel(progress.area.level)]), _),
        rows=[Row(line.name, _tally_values(line.tally), code=line.key) for line in progress.areas],
        total=Row(_("Total"), _tally_values(progress.total)))


def enumerator_sheet(progress: Progress, _: Gettext) -> Sheet:
    return Sheet(
        name=_("Progress by enumerator"),
        title=_("{area}: progress of the visits by enumerator").format(area=progress.area.name),
        notes=_notes(progress, _, _("people, households")),
        header=_tally_header(_("Enumerator"), _),
        rows=[Row(enumerator_name(line, _), _tally_values(line.tally)) for line in progress.enumerators],
        total=Row(_("Total"), _tally_values(progress.total)))


def day_sheet(progress: Progress, _: Gettext) -> Sheet:
    return Sheet(
        name=_("Households per day"),
        title=_("{area}: households visited per day").format(area=progress.area.name),
        notes=_notes(progress, _, _("people, households")),
        header=[[HeaderCell(_("Date")), HeaderCell(_("Households")), HeaderCell(_("People"))]],
        rows=[Row(day.day.isoformat(), [day.households, day.people]) for day in progress.days],
        total=Row(_("Total"), [sum(day.households for day in progress.days),
                               sum(day.people for day in progress.days)]))


def return_sheet(progress: Progress, _: Gettext) -> Sheet:
    shown = sum(reason.count for reason in progress.reasons)
    rows = [Row(reason.text, [reason.count]) for reason in progress.reasons]
    if progress.returns_total > shown:
        rows.append(Row(_("Other reasons"), [progress.returns_total - shown]))
    return Sheet(
        name=_("Return reasons"),
        title=_("{area}: why households were returned").format(area=progress.area.name),
        notes=_notes(progress, _, _("times")),
        header=[[HeaderCell(_("Supervisor's comment")), HeaderCell(_("Times returned"))]],
        rows=rows, total=Row(_("Total"), [progress.returns_total]))


def field_sheet(progress: Progress, _: Gettext) -> Sheet:
    return Sheet(
        name=_("Fields returned"),
        title=_("{area}: fields named in return comments").format(area=progress.area.name),
        notes=_notes(progress, _, _("times")),
        header=[[HeaderCell(_("Field")), HeaderCell(_("Field comments"))]],
        rows=[Row(field.text, [field.count]) for field in progress.fields],
        total=Row(_("Total"), [sum(field.count for field in progress.fields)]))


def flag_label(code_label: tuple[str, str], lang: str) -> str:
    return code_label[1] if lang == "en" else code_label[0]


def flag_sheet(progress: Progress, _: Gettext, lang: str) -> Sheet:
    return Sheet(
        name=_("Flags by check"),
        title=_("{area}: automatic check flags by check").format(area=progress.area.name),
        notes=_notes(progress, _, _("flags, households")),
        header=[[HeaderCell(_("Check")), HeaderCell(_("Severity")), HeaderCell(_("Flags now")),
                 HeaderCell(_("Households now")), HeaderCell(_("Households ever flagged"))]],
        rows=[Row(flag_label(flag.label, lang), [_(SEVERITY_LABELS.get(flag.severity, flag.severity)),
                                                 flag.current, flag.households, flag.ever])
              for flag in progress.flags],
        total=Row(_("Total"), ["", sum(flag.current for flag in progress.flags),
                               None, None]))


def sheet(progress: Progress, table: str, _: Gettext, lang: str) -> Sheet:
    builders = {"areas": area_sheet, "enumerators": enumerator_sheet, "days": day_sheet,
                "returns": return_sheet, "fields": field_sheet}
    if table == "flags":
        return flag_sheet(progress, _, lang)
    return builders[table](progress, _)


# ----------------------------------------------------------------------------------- charts

def _series(_: Gettext) -> list[charts.Series]:
    return [charts.Series(key, _(label), colour) for key, label, colour in STATUS_SERIES]


def visited_note(tally: Tally, _: Gettext) -> str:
    return _("Visited {visited} / {total}").format(visited=tally.visited, total=tally.targets_total)


def area_chart(progress: Progress, _: Gettext, link: Callable[[str], str] | None) -> Markup:
    return charts.stacked_bars(
        "chart-areas", _("Targets by area"),
        _("One bar per area: its targets by how they ended; the numbers are visited / all targets."),
        _series(_), [charts.Bar(line.name, segments(line.tally), visited_note(line.tally, _),
                                href=link(line.key) if link else None, key=line.key)
                     for line in progress.areas])


def enumerator_chart(progress: Progress, _: Gettext) -> Markup:
    return charts.stacked_bars(
        "chart-enumerators", _("Targets by enumerator"),
        _("One bar per enumerator: the targets assigned to them by how they ended."),
        _series(_), [charts.Bar(enumerator_name(line, _), segments(line.tally), visited_note(line.tally, _),
                                key=line.key)
                     for line in progress.enumerators if line.tally.targets_total])


def day_chart(progress: Progress, _: Gettext) -> Markup:
    points, month = [], None
    for day in progress.chart_days():
        points.append(charts.Point(str(day.day.day), day.households,
                                   _("Month {month}").format(month=day.day.month) if day.day.month != month else "",
                                   day.day.isoformat()))
        month = day.day.month
    return charts.columns("chart-days", _("Households per day"),
                          _("Households visited on each of the last {days} days, by the day they were captured.")
                          .format(days=len(points)), DAY_COLOUR, points)


def return_chart(progress: Progress, _: Gettext) -> Markup:
    return charts.bars("chart-returns", _("Most common return reasons"),
                       _("How many times each comment was given when a household was returned."),
                       RETURN_COLOUR, [(reason.text, reason.count, str(index))
                                       for index, reason in enumerate(progress.reasons)])


def flag_chart(progress: Progress, _: Gettext, lang: str) -> Markup:
    return charts.bars("chart-flags", _("Flags by check"),
                       _("How many flags each automatic check has on the households' current revisions."),
                       FLAG_COLOUR, [(flag_label(flag.label, lang), flag.current, flag.code)
                                     for flag in progress.flags if flag.current])
