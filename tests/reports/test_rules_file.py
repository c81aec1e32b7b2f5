"""The county's report rules: the default file reads, a bad file is refused with every problem
in Chinese and English, and the compiled conditions pick the right people."""
from datetime import date

import pytest
from sqlalchemy import column, create_engine, select, table, text

from app.reports.rules import RulesInvalid, default_rules, parse

COLUMNS = ("birth_date", "personal_status", "employment", "unit_type", "hukou_type", "sex")


def test_the_default_rules_read():
    rules = default_rules()
    assert rules.version == "2026.1"
    assert rules.not_enrolled == ("not_enrolled", "interrupted")
    assert set(rules.insurances) == {"pension", "medical", "work_injury", "maternity", "unemployment"}


def test_a_bad_file_lists_every_problem():
    source = ("version: ''\nnot_enrolled: [not_enrolled, gone]\nenrolled: [not_enrolled]\n"
              "students: {grade: [1]}\nmilitary: {employment: military}\n"
              "insurances: {pension: {min_age: 70, max_age: 60}, medical: {when: {}}, dental: {}}\n")
    with pytest.raises(RulesInvalid) as caught:
        parse(source)
    problems = {(problem["path"], problem["code"]) for problem in caught.value.problems}
    assert problems == {
        ("version", "version"), ("not_enrolled", "unknown_status"), ("enrolled", "shared_status"),
        ("students", "unknown_answer"), ("military.employment", "answer_values"),
        ("insurances.pension", "age_order"), ("insurances", "unknown_insurance"),
        ("insurances.work_injury", "missing"), ("insurances.maternity", "missing"),
        ("insurances.unemployment", "missing")}
    assert all(problem["zh"] and problem["en"] for problem in caught.value.problems)
    assert caught.value.code == "report_rules_invalid"


@pytest.mark.parametrize("source", ["[1, 2]", "version: [", "x" * 20_001])
def test_not_a_rules_file_at_all(source):
    with pytest.raises(RulesInvalid) as caught:
        parse(source)
    assert len(caught.value.problems) == 1


def _who(rules, insurance: str, people: list[tuple], on: date) -> list[int]:
    engine = create_engine("sqlite://")
    person = table("person", column("id"), *(column(name) for name in COLUMNS))
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE person (id INTEGER, " + ", ".join(f"{c} TEXT" for c in COLUMNS) + ")"))
        connection.execute(person.insert(), [dict(zip(("id", *COLUMNS), row)) for row in people])
        query = select(person.c.id).where(rules.should_enroll(insurance, person.c, on)).order_by(person.c.id)
        return list(connection.execute(query).scalars())


PEOPLE = [
    (1, "2010-11-24", "student", "", "", "", "1"),  # 16 on the day
    (2, "2010-11-25", "resident", "", "", "", "1"),  # 16 tomorrow
    (3, "1990-01-01", "student", "student", "", "", "2"),
    (4, "1990-01-01", "soldier", "military", "", "", "1"),
    (5, "1990-01-01", "employee", "unit_employed", "enterprise", "", "2"),
    (6, "1950-01-01", "retiree", "retired", "", "", "1"),
    (7, "1990-01-01", "", "", "", "", ""),  # known only from the roster
]


def test_default_conditions_pick_the_people_the_tables_count():
    rules, on = default_rules(), date(2026, 11, 24)
    assert _who(rules, "pension", PEOPLE, on) == [5, 6, 7]
    assert _who(rules, "medical", PEOPLE, on) == [1, 2, 3, 4, 5, 6, 7]
    assert _who(rules, "work_injury", PEOPLE, on) == [5]


def test_a_county_rule_with_max_age_and_when():
    rules = parse(default_rules().source.replace(
        "    min_age: 16\n    unless:", "    min_age: 16\n    max_age: 59\n    unless:"))
    assert _who(rules, "pension", PEOPLE, date(2026, 11, 24)) == [5, 7]
