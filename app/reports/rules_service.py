"""A county's report rules: the newest uploaded version applies, else canbao's default
(rules/default.yaml). Versions are kept and never changed, so every report names the version
it used and an old figure can be explained."""
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from app.audit import service as audit
from app.audit.service import Actor
from app.errors import ApiError
from app.i18n import N_
from app.reports.models import ReportRules
from app.reports.rules import Rules, default_rules, parse


@dataclass(frozen=True)
class Version:
    version: str
    created_at: datetime | None  # None: canbao's default, never uploaded
    created_by_id: int | None


def current(session: Session, county_code: str) -> Rules:
    row = session.exec(select(ReportRules).where(ReportRules.county_code == county_code)
                       .order_by(col(ReportRules.created_at).desc(), col(ReportRules.id).desc())).first()
    return parse(row.source) if row is not None else default_rules()


def history(session: Session, county_code: str) -> list[Version]:
    """Newest first, ending with the default the county started from."""
    rows = session.exec(select(ReportRules).where(ReportRules.county_code == county_code)
                        .order_by(col(ReportRules.created_at).desc(), col(ReportRules.id).desc()))
    return [*(Version(row.version, row.created_at, row.created_by_id) for row in rows),
            Version(default_rules().version, None, None)]


def save(*, session: Session, actor: Actor, county_code: str, source: str) -> Rules:
    """Check and store a new version; RulesInvalid lists every problem, nothing is stored."""
    rules = parse(source)
    taken = {version.version for version in history(session, county_code)}
    if rules.version in taken:
        raise ApiError(409, "report_rules_version_taken",
                       N_("Version {version} already exists: give the new rules a version of their own."),
                       params={"version": rules.version})
    session.add(ReportRules(county_code=county_code, version=rules.version, source=source,
                            created_by_id=actor.user_id))
    session.flush()
    audit.record(session, actor, "report_rules.saved", object_type="county", object_id=county_code,
                 detail={"version": rules.version})
    return rules
