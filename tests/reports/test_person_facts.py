"""Person facts: what the reports count is written with each approval, supersedes the person's
previous fact, and knows each insurance's status before (from the last approval, or from the
roster's finding for someone approved the first time)."""
from datetime import UTC, datetime

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlmodel import select

from app.config import PROJECT_ROOT
from app.reports.models import PersonFact
from app.targets.models import Target
from registry_support import VILLAGE, approve, family, id_number, resubmit, submit

HEAD, SPOUSE, CHILD = id_number(11), id_number(12, "19920202"), id_number(13, "20160901")


def facts_of(db, number: str) -> list[PersonFact]:
    return db.exec(select(PersonFact).where(PersonFact.id_number == number)
                   .order_by(PersonFact.id)).all()


def test_an_approval_writes_one_fact_per_member(app, db):
    submission_id = submit(app.state.engine, family(ids=[HEAD, SPOUSE, CHILD]))
    assert facts_of(db, HEAD) == []  # submitted is not approved
    approve(app.state.engine, submission_id)
    head, = facts_of(db, HEAD)
    assert (head.village_code, head.submission_id, head.revision, head.member_index) == \
        (VILLAGE, submission_id, 1, 0)
    assert head.birth_date == "1990-01-01" and head.superseded_at is None
    assert (head.personal_status, head.employment, head.pension, head.work_injury) == \
        ("employee", "unit_employed", "enrolled", "enrolled")
    child, = facts_of(db, CHILD)
    # A ten-year-old is not asked about pension or employment: empty, not a guess.
    assert (child.birth_date, child.employment, child.pension, child.medical) == \
        ("2016-09-01", "", "", "enrolled")


def test_a_later_approval_supersedes_and_remembers_the_status_before(app, db):
    engine = app.state.engine
    first = submit(engine, family(ids=[HEAD, SPOUSE, CHILD], pension_status="not_enrolled",
                                  not_enrolled_reason="financial", willingness="willing"))
    approve(engine, first)
    second = submit(engine, family(ids=[HEAD, SPOUSE, CHILD]))
    approve(engine, second)
    old, new = facts_of(db, HEAD)
    assert old.submission_id == first and new.submission_id == second
    assert old.superseded_at == new.approved_at and new.superseded_at is None
    assert (old.pension_before, new.pension_before, new.pension) == ("", "not_enrolled", "enrolled")


def test_a_first_approval_takes_the_roster_finding_as_before(app, db):
    engine = app.state.engine
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO target (village_code, name, id_number, address, uninsured, status, seq, created_at)"
            " VALUES (:village, '张三', :number, '', 'pension work_injury', 'open', 0, :now)"),
            {"village": VILLAGE, "number": HEAD, "now": datetime.now(UTC)})
    approve(engine, submit(engine, family(ids=[HEAD, SPOUSE, CHILD])))
    head, = facts_of(db, HEAD)
    assert (head.pension_before, head.medical_before, head.work_injury_before) == \
        ("not_enrolled", "", "not_enrolled")
    assert db.exec(select(Target).where(Target.id_number == HEAD)).one()


def test_a_resubmitted_revision_is_a_fact_of_its_own_revision(app, db):
    engine = app.state.engine
    submission_id = submit(engine, family(ids=[HEAD, SPOUSE, CHILD]))
    resubmit(engine, submission_id, family(ids=[HEAD, SPOUSE, CHILD], employment="flexible"))
    approve(engine, submission_id)
    head, = facts_of(db, HEAD)
    assert (head.revision, head.employment) == (2, "flexible")


def test_the_migration_fills_facts_for_earlier_approvals(app, database_url, db):
    engine = app.state.engine
    approve(engine, submit(engine, family(ids=[HEAD, SPOUSE, CHILD], pension_status="not_enrolled",
                                          not_enrolled_reason="financial", willingness="willing")))
    approve(engine, submit(engine, family(ids=[HEAD, SPOUSE, CHILD])))
    written = [(f.submission_id, f.member_index, f.superseded_at, f.pension, f.pension_before)
               for f in db.exec(select(PersonFact).order_by(PersonFact.id)).all()]
    db.rollback()  # a reading transaction would hold a lock the downgrade waits for
    engine.dispose()
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["database_url"] = database_url
    command.downgrade(config, "0006")
    command.upgrade(config, "head")
    filled = [(f.submission_id, f.member_index, f.superseded_at, f.pension, f.pension_before)
              for f in db.exec(select(PersonFact).order_by(PersonFact.id)).all()]
    # The outbox's approval time is a moment earlier than the fact's; compare what matters.
    assert [(s, i, a is None, p, b) for s, i, a, p, b in filled] == \
        [(s, i, a is None, p, b) for s, i, a, p, b in written]
