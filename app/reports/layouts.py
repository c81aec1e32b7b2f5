"""The three tables laid out as the source documents print them (seeds: 附件一, 附件二, and the
攻坚行动 ledger): a figures.Report becomes a sheet.Sheet in one language, which render.py
turns into XLSX or CSV and templates/reports/_sheet.html into HTML."""
from collections.abc import Callable

from app.i18n import N_
from app.reports.dispatch import ONE_COLUMNS, TWO_COLUMNS
from app.reports.figures import INSURANCE_NAMES, Line, Report, describe
from app.reports.ledger import MONTH, SETTLED
from app.reports.models import INSURANCES
from app.reports.sheet import HeaderCell, Row, Sheet
from app.targets.models import STATUS_LABELS

Gettext = Callable[[str], str]

REPORTING_UNIT = N_("Reporting unit: {area}")
UNIT_PEOPLE = N_("Unit: people")
SIGNATURES = [N_("Checked by:"), N_("Filled in by:"), N_("Phone:")]


def _row(line: Line, gettext: Gettext, label: str | None = None) -> Row:
    return Row(label=line.name if label is None else label, values=list(line.values.values()), code=line.code,
               problems=[describe(problem, gettext) for problem in line.problems])


def _column_numbers(gettext: Gettext, count: int) -> list[str]:
    return [gettext("Column A"), *(str(number) for number in range(1, count + 1))]


def dispatch_one(report: Report, gettext: Gettext) -> Sheet:
    _ = gettext
    header = [
        [HeaderCell(_("Reporting unit"), rowspan=3), HeaderCell(_("Household registration"), colspan=4),
         HeaderCell(_("Data comparison and verification"), colspan=10)],
        [*(HeaderCell(_(label), rowspan=2) for _key, label in ONE_COLUMNS[:4]),
         *(HeaderCell(_(INSURANCE_NAMES[name]), colspan=2) for name in INSURANCES)],
        [HeaderCell(_(label)) for _key, label in ONE_COLUMNS[4:]],
    ]
    return Sheet(name=_("Dispatch table 1"), title=_("Universal enrollment plan dispatch table (1)"),
                 notes=[_(REPORTING_UNIT).format(area=report.area_name),
                        _("As of {date}").format(date=report.period["date"]),
                        _("Rules version {version}").format(version=report.rules_version),
                        _(UNIT_PEOPLE)],
                 header=header, rows=[_row(line, _) for line in report.rows],
                 column_numbers=_column_numbers(_, 14), total=_row(report.total, _, _(report.total.name)),
                 footer=[_("Logical relation: (5) = (2) − (3) − (4)")])


def dispatch_two(report: Report, gettext: Gettext) -> Sheet:
    _ = gettext
    year, quarter = report.period["year"], report.period["quarter"]
    header = [
        [HeaderCell(_("Item"), rowspan=3),
         HeaderCell(_("Expansion in {year} quarter {quarter}").format(year=year, quarter=quarter), colspan=15),
         HeaderCell(_("Expansion plan for {year}").format(year=year + 1), colspan=5)],
        [*(HeaderCell(_(INSURANCE_NAMES[name]), colspan=3) for name in INSURANCES),
         *(HeaderCell(_("{insurance}: people to enroll").format(insurance=_(INSURANCE_NAMES[name])), rowspan=2)
           for name in INSURANCES)],
        [HeaderCell(_(label)) for _key, label in TWO_COLUMNS[:15]],
    ]
    return Sheet(name=_("Dispatch table 2"), title=_("Universal enrollment plan dispatch table (2)"),
                 notes=[_(REPORTING_UNIT).format(area=report.area_name),
                        _("Quarter {quarter} of {year}").format(year=year, quarter=quarter),
                        _("Rules version {version}").format(version=report.rules_version), _(UNIT_PEOPLE)],
                 header=header, rows=[_row(line, _) for line in report.rows],
                 column_numbers=_column_numbers(_, 20), total=_row(report.total, _, _(report.total.name)),
                 footer=[_(line) for line in SIGNATURES],
                 percent_columns=frozenset(3 * index for index in range(1, 6)))


def ledger(report: Report, gettext: Gettext) -> Sheet:
    _ = gettext
    header = [
        [HeaderCell(_("Month"), rowspan=2), HeaderCell(_("Newly enrolled people"), colspan=5),
         HeaderCell(_("Households visited"), rowspan=2), HeaderCell(_("Targets settled"), colspan=4)],
        [*(HeaderCell(_(INSURANCE_NAMES[name])) for name in INSURANCES),
         *(HeaderCell(_(STATUS_LABELS[status])) for status in SETTLED)],
    ]
    return Sheet(name=_("Ledger"),
                 title=_("Work ledger of the universal enrollment drive, {year}").format(year=report.period["year"]),
                 notes=[_(REPORTING_UNIT).format(area=report.area_name),
                        _("Unit: people, households")],
                 header=header,
                 rows=[_row(line, _, _(MONTH).format(month=line.name)) for line in report.rows],
                 total=_row(report.total, _, _(report.total.name)), footer=[_(line) for line in SIGNATURES])


LAYOUTS = {"dispatch-1": dispatch_one, "dispatch-2": dispatch_two, "ledger": ledger}


def sheet_of(report: Report, gettext: Gettext) -> Sheet:
    return LAYOUTS[report.kind](report, gettext)
