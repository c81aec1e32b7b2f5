"""全民参保计划攻坚行动工作落实台账: per month of a year (China time), the people newly enrolled
per insurance, the households visited (submissions first received that month, whatever became
of them) and the targets settled, per ending; then 合计."""
from sqlalchemy import case, func
from sqlmodel import Session, col, select

from app.areas.service import code_under
from app.i18n import N_
from app.reports.dispatch import TOTAL, area_or_404, newly_enrolled
from app.reports.figures import INSURANCE_NAMES, Line, Report, summed
from app.reports.models import INSURANCES, PersonFact
from app.reports.periods import month_of
from app.reports.rules import Rules
from app.review.models import TargetOutcome
from app.submissions.models import Submission, SubmissionRevision
from app.targets.models import STATUS_LABELS, Target, TargetStatus

SETTLED = (TargetStatus.registered, TargetStatus.moved, TargetStatus.deceased, TargetStatus.not_found)
COLUMNS = [*((f"{name}_new", INSURANCE_NAMES[name]) for name in INSURANCES), ("households", N_("Households visited")),
           *((f"settled_{status.value}", STATUS_LABELS[status]) for status in SETTLED)]
MONTH = N_("Month {month}")


def ledger(session: Session, area_code: str, year: int, rules: Rules) -> Report:
    area = area_or_404(session, area_code)
    found: dict[int, dict[str, int]] = {month: {} for month in range(1, 13)}

    month, in_year = month_of(col(PersonFact.approved_at), year)
    query = select(month.label("month"), *(func.count(func.distinct(
        case((newly_enrolled(rules, name), col(PersonFact.id_number))))).label(name) for name in INSURANCES)
    ).where(code_under(col(PersonFact.village_code), area_code), in_year).group_by(month)
    for row in session.exec(query):
        found[row.month].update({f"{name}_new": int(getattr(row, name)) for name in INSURANCES})

    first = select(SubmissionRevision.submission_id,
                   func.min(SubmissionRevision.received_at).label("received_at")
                   ).group_by(SubmissionRevision.submission_id).subquery()
    month, in_year = month_of(first.c.received_at, year)
    query = select(month.label("month"), func.count().label("households")).select_from(first).join(
        Submission, col(Submission.id) == first.c.submission_id).where(
        code_under(col(Submission.village_code), area_code), in_year).group_by(month)
    for row in session.exec(query):
        found[row.month]["households"] = int(row.households)

    month, in_year = month_of(col(TargetOutcome.decided_at), year)
    query = select(month.label("month"), TargetOutcome.status, func.count().label("targets")).join(
        Target, col(Target.id) == TargetOutcome.target_id).where(
        code_under(col(Target.village_code), area_code), in_year).group_by(month, TargetOutcome.status)
    for row in session.exec(query):
        found[row.month][f"settled_{row.status}"] = int(row.targets)

    keys = [key for key, _ in COLUMNS]
    rows = [Line(None, str(number), {key: found[number].get(key, 0) for key in keys})
            for number in range(1, 13)]
    return Report("ledger", area.code, area.name, rules.version, COLUMNS, rows,
                  summed(rows, keys, TOTAL), {"year": year})
