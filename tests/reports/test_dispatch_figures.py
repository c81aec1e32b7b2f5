"""Every figure of 调度表（一）,（二）and the ledger, for a county, a township and a village and
two dates, equals what the test computes itself from the records it made (report_world.py):
approvals at chosen instants, a person superseded by a later approval in another village, roster
people (one on two villages' rosters, one also in the registry, one who moved, one deceased,
one imported after the first date), people turning 16 right around the first date."""
from datetime import UTC

import pytest
from sqlmodel import col, func, select

from app.areas.models import Area
from app.clock import CHINA_TZ
from app.review.models import TargetOutcome
from app.submissions.models import Submission, SubmissionRevision
from app.targets.models import Target
from report_world import (A, B, C, COUNTY, D1, D2, INSURANCES, T1, T2, Clock, World, approve, at,
                          dispatch_one_row, insert_target, member, newly_enrolled, people_as_of,
                          push, ric_number)
from review_support import Reviewer
from support import device_token
from sync_support import Phone

P = {n: ric_number(100 + n, birth) for n, birth in {
    1: "19800101", 2: "20100515", 3: "19700303", 4: "19850404", 5: "19750505", 6: "19900606",
    7: "19880707", 8: "20160808", 9: "20100516", 10: "20000110", 11: "19600111", 12: "19920112",
    13: "19930113", 14: "19940114", 15: "19950115"}.items()}


@pytest.fixture
def county(app, client, db, monkeypatch):
    """The county's records, made through the services; returns (world, admin)."""
    clock, world, engine = Clock(monkeypatch), World(), app.state.engine
    phone = Phone(client, device_token(client, "enumerator"))  # villages A and B
    phone2 = Phone(client, device_token(client, "enumerator2"))  # village C
    admin = Reviewer(client, device_token(client, "admin"))
    targets = {
        "A1": insert_target(engine, world, A, P[1], "pension medical", at("2026-01-05 09:00")),
        "A2": insert_target(engine, world, A, P[2], "pension", at("2026-01-05 09:00")),
        "B2": insert_target(engine, world, B, P[2], "pension medical", at("2026-01-06 09:00")),
        "C1": insert_target(engine, world, C, P[3], "", at("2026-02-01 09:00")),
        "C2": insert_target(engine, world, C, P[4], "medical", at("2026-07-01 09:00")),
        "A3": insert_target(engine, world, A, P[5], "", at("2026-01-05 09:00")),
        "B1": insert_target(engine, world, B, P[6], "pension", at("2026-01-05 09:00")),
    }
    h1 = push(phone, clock, at("2026-02-10 16:00"), A,
              [member(P[1], "farmer"), member(P[7], "employee"), member(P[8], "child")])
    approve(admin, db, clock, world, at("2026-02-12 10:00"), h1)  # registers target A1
    clock.now = at("2026-03-01 11:00")
    assert admin.post(f"/targets/{targets['A3']}/settle", {"status": "deceased"}).status_code == 204
    h2 = push(phone, clock, at("2026-04-01 09:30"), A,
              [member(P[9], "student"), member(P[10], "soldier"), member(P[11], "retiree"),
               member(P[12], "flexible")])
    approve(admin, db, clock, world, at("2026-04-03 15:00"), h2)
    h3 = push(phone, clock, at("2026-05-01 10:00"), B,
              [member(P[13], "employee", unemployment="not_enrolled"),
               member(P[14], "farmer", pension="not_enrolled")])
    approve(admin, db, clock, world, at("2026-05-10 10:00"), h3)
    clock.now = at("2026-05-20 08:00")
    assert admin.post(f"/targets/{targets['C1']}/settle", {"status": "moved"}).status_code == 204
    clock.now = at("2026-06-15 08:00")
    assert admin.post(f"/targets/{targets['B2']}/settle", {"status": "not_found"}).status_code == 204
    # P14 moved to village C and enrolled: the later approval supersedes the one in B.
    h5 = push(phone2, clock, at("2026-07-20 10:00"), C,
              [member(P[14], "farmer"), member(P[6], "employee")])
    approve(admin, db, clock, world, at("2026-08-05 23:30"), h5)  # 5 August, China time
    push(phone2, clock, at("2026-09-01 10:00"), C, [member(P[15], "farmer")])  # not reviewed yet
    plans = {(2026, 3): [(T1, "pension", 10), (C, "pension", 4), (C, "medical", 0)],
             (2026, 1): [(A, "pension", 2), (A, "medical", 1)],
             (2027, 0): [(COUNTY, "pension", 100), (T2, "medical", 7)]}
    for (year, quarter), cells in plans.items():
        response = client.put("/api/v1/reports/plans", headers=admin.headers, json={
            "year": year, "quarter": quarter,
            "plans": [{"area_code": code, "insurance": name, "people": people} for code, name, people in cells]})
        assert response.status_code == 200, response.text
    return world, admin, plans


def _outcomes(db) -> dict[int, tuple]:
    return {row.target_id: (row.status, row.decided_at) for row in db.exec(select(TargetOutcome))}


def _children(db, code: str) -> list[str]:
    if len(code) == 12:
        return [code]
    return list(db.exec(select(Area.code).where(Area.parent_code == code).order_by(Area.code)))


def _report(client, admin, path: str, **params) -> dict:
    response = client.get(f"/api/v1/reports/{path}", params=params, headers=admin.headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_dispatch_one_counts_every_figure_as_the_records_say(county, client, db):
    world, admin, _ = county
    outcomes = _outcomes(db)
    for area in (COUNTY, T1, A):
        for day in (D1, D2):
            got = _report(client, admin, "dispatch-1", area=area, date=day.isoformat())
            people = people_as_of(world, outcomes, area, day)
            expected = {code: dispatch_one_row([p for p in people if p["village"].startswith(code)], day)
                        for code in _children(db, area)}
            assert {row["area_code"]: row["values"] for row in got["rows"]} == expected, (area, day)
            assert got["total"]["values"] == dispatch_one_row(people, day), (area, day)
            assert got["problems"] == [] and got["rules_version"] == "2026.1"
    # The hand-checkable corners: on D1 the county holds the first three households' nine people
    # (P14 still in B) and the roster's P2 (once, in A, just 16), P3 (not moved yet) and P6
    # (not approved yet); on D2 P3 has moved, P4 was imported, P6 and P14 count in C.
    on_d1 = _report(client, admin, "dispatch-1", area=COUNTY, date=D1.isoformat())
    assert on_d1["total"]["values"]["population"] == 9 + 3
    by_village = {row["area_code"]: row["values"]["population"]
                  for row in _report(client, admin, "dispatch-1", area=T1, date=D2.isoformat())["rows"]}
    assert by_village == {A: 3 + 4 + 1, B: 1, "350524100003": 0}
    in_c = _report(client, admin, "dispatch-1", area=C, date=D2.isoformat())["total"]["values"]
    assert (in_c["population"], in_c["pension_not_enrolled"]) == (3, 0)


def test_a_rules_version_that_breaks_the_logical_relation_is_reported(county, client, db):
    world, admin, _ = county
    source = client.get("/api/v1/reports/rules", headers=admin.headers).json()["source"]
    capped = source.replace('version: "2026.1"', 'version: "2026.2-cap"').replace(
        "    min_age: 16\n    unless:", "    min_age: 16\n    max_age: 59\n    unless:", 1)
    assert client.post("/api/v1/reports/rules", headers=admin.headers,
                       json={"source": capped}).status_code == 201
    got = _report(client, admin, "dispatch-1", area=T1, date=D2.isoformat())
    assert got["rules_version"] == "2026.2-cap"
    people = people_as_of(world, _outcomes(db), T1, D2)
    row_a = dispatch_one_row([p for p in people if p["village"] == A], D2, pension_max_age=59)
    # P11, a retiree of 66 in village A, is 16+ and neither student nor soldier but no longer
    # "should be enrolled" in pension: (5) = (2) − (3) − (4) fails for A and for 合计, only.
    expected = row_a["aged_16_plus"] - row_a["students_16_plus"] - row_a["military_16_plus"]
    assert row_a["pension_should"] == expected - 1
    rows = {row["area_code"]: row for row in got["rows"]}
    assert rows[A]["values"] == row_a
    assert [(problem["expected"], problem["actual"]) for problem in rows[A]["problems"]] == \
        [(expected, expected - 1)]
    assert rows[B]["problems"] == [] and len(got["total"]["problems"]) == 1
    assert len(got["problems"]) == 2 and "5" in got["problems"][0]["message"]


def test_dispatch_two_and_its_plans_as_the_records_say(county, client, db):
    world, admin, plans = county
    entered = {(year, quarter, code, name): people
               for (year, quarter), cells in plans.items() for code, name, people in cells}
    children = {code: _children(db, code) for code in (COUNTY, T1, T2)}

    def task(year, quarter, code, name):
        if (year, quarter, code, name) in entered:
            return entered[(year, quarter, code, name)]
        parts = [task(year, quarter, child, name) for child in children.get(code, [])]
        known = [part for part in parts if part is not None]
        return sum(known) if known else None

    for year, quarter, start, end in ((2026, 1, at("2026-01-01 00:00"), at("2026-04-01 00:00")),
                                      (2026, 3, at("2026-07-01 00:00"), at("2026-10-01 00:00"))):
        for area in (COUNTY, T1, C):
            got = _report(client, admin, "dispatch-2", area=area, year=year, quarter=quarter)
            done = newly_enrolled(world, start, end, area)

            def expected(code):
                values = {}
                for name in INSURANCES:
                    people = sum(len(numbers) for village, numbers in done[name].items()
                                 if village.startswith(code))
                    goal = task(year, quarter, code, name)
                    values.update({f"{name}_task": goal, f"{name}_done": people,
                                   f"{name}_rate": people / goal if goal else None})
                values.update({f"{name}_plan": task(year + 1, 0, code, name) for name in INSURANCES})
                return values

            assert {row["area_code"]: row["values"] for row in got["rows"]} == \
                {code: expected(code) for code in _children(db, area)}, (area, quarter)
            assert got["total"]["values"] == expected(area), (area, quarter)
    q3 = _report(client, admin, "dispatch-2", area=T2, year=2026, quarter=3)["total"]["values"]
    # P14 (not enrolled → enrolled) and P6 (the roster's finding → enrolled) in C; task 4.
    assert (q3["pension_task"], q3["pension_done"], q3["pension_rate"]) == (4, 2, 0.5)
    assert (q3["medical_task"], q3["medical_rate"], q3["medical_plan"]) == (0, None, 7)


def test_the_ledger_counts_each_month_as_the_records_say(county, client, db):
    world, admin, _ = county
    got = _report(client, admin, "ledger", area=COUNTY, year=2026)
    months = {number: dict.fromkeys([key["key"] for key in got["columns"]], 0) for number in range(1, 13)}
    for number in range(1, 13):
        start = at(f"2026-{number:02d}-01 00:00")
        end = at("2027-01-01 00:00") if number == 12 else at(f"2026-{number + 1:02d}-01 00:00")
        for name, villages in newly_enrolled(world, start, end, COUNTY).items():
            months[number][f"{name}_new"] = sum(len(numbers) for numbers in villages.values())
    first_received = db.exec(select(func.min(SubmissionRevision.received_at)).join(
        Submission, col(Submission.id) == SubmissionRevision.submission_id).where(
        col(Submission.village_code).startswith(COUNTY)).group_by(SubmissionRevision.submission_id)).all()
    for received in first_received:
        months[_china_month(received)]["households"] += 1
    for status, decided in db.exec(select(TargetOutcome.status, TargetOutcome.decided_at).join(
            Target, col(Target.id) == TargetOutcome.target_id)):
        months[_china_month(decided)][f"settled_{status}"] += 1
    assert [row["values"] for row in got["rows"]] == [months[number] for number in range(1, 13)]
    assert got["total"]["values"] == {key: sum(month[key] for month in months.values())
                                      for key in months[1]}
    assert got["total"]["values"]["households"] == 5
    assert (months[2]["settled_registered"], months[3]["settled_deceased"], months[5]["settled_moved"],
            months[6]["settled_not_found"]) == (1, 1, 1, 1)
    assert (months[8]["pension_new"], months[2]["medical_new"]) == (2, 1)


def _china_month(instant) -> int:
    if instant.tzinfo is None:  # SQLite hands back naive UTC
        instant = instant.replace(tzinfo=UTC)
    return instant.astimezone(CHINA_TZ).month
