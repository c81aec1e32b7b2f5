"""A small county for the report tests, made through the real services (a phone's push, the
admin's approvals and target settlements through the review API, plans through the reports
API), at chosen instants; and the figures it should produce, computed here in plain Python from
the records themselves, never through the report code.

Villages: A 350524100001 and B 350524100002 (township 350524100), C 350524101001 (township
350524101). Dates: D1 = 2026-05-15 (before some approvals), D2 = 2026-09-30.
"""
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import text
from stdnum.cn import ric

from app.submissions.models import Submission
from sync_support import Phone, household, item

CST = timezone(timedelta(hours=8))
A, B, C = "350524100001", "350524100002", "350524101001"
T1, T2, COUNTY = "350524100", "350524101", "350524"
D1, D2 = date(2026, 5, 15), date(2026, 9, 30)
INSURANCES = ("pension", "medical", "work_injury", "maternity", "unemployment")
GAPS = {"not_enrolled", "interrupted"}  # the default rules' not_enrolled statuses
COVERED = {"enrolled", "receiving"}  # and their enrolled ones


def at(text_: str) -> datetime:
    """A China-time instant, e.g. at("2026-02-12 10:00")."""
    return datetime.fromisoformat(text_).replace(tzinfo=CST)


def ric_number(serial: int, birth: str) -> str:
    body = f"350524{birth}{serial:03d}"
    return body + ric.calc_check_digit(body + "0")


NAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜"


def member(number: str, kind: str, **statuses) -> dict:
    """A household member as the form wants it: `kind` farmer, employee, student, soldier,
    retiree, flexible or child; statuses override the kind's insurance answers."""
    answers = {
        "farmer": {"personal_status": "resident", "employment": "farming", "pension_status": "enrolled"},
        "employee": {"personal_status": "employee", "employment": "unit_employed", "employer": "示例厂",
                     "unit_type": "enterprise", "pension_status": "enrolled",
                     "work_injury_status": "enrolled", "unemployment_status": "enrolled",
                     "maternity_status": "enrolled"},
        "student": {"personal_status": "student", "employment": "student", "pension_status": "not_enrolled"},
        "soldier": {"personal_status": "soldier", "employment": "military", "pension_status": "not_enrolled"},
        "retiree": {"personal_status": "retiree", "employment": "retired", "pension_status": "receiving"},
        "flexible": {"personal_status": "self_employed", "employment": "flexible",
                     "pension_status": "interrupted", "work_injury_status": "not_enrolled",
                     "unemployment_status": "not_enrolled", "maternity_status": "not_enrolled"},
        "child": {"personal_status": "student"},
    }[kind]
    found = {"full_name": "测" + NAMES[int(number[14:17]) % len(NAMES)], "id_number": number,
             "sex": "1" if int(number[16]) % 2 else "2",
             "birth_date": f"{number[6:10]}-{number[10:12]}-{number[12:14]}", "relation": "other",
             "hukou_type": "agricultural", "hukou_place": "福建省泉州市安溪县", "residence_same": "same",
             "special_groups": "none", "medical_status": "enrolled", **answers,
             **{f"{name}_status": value for name, value in statuses.items()}}
    if found.get("pension_status") in ("enrolled", "interrupted", "receiving"):
        found["pension_scheme"] = "resident"
    if found["medical_status"] in ("enrolled", "interrupted"):
        found["medical_scheme"] = "resident"
    if any(found.get(f"{name}_status") in GAPS for name in INSURANCES):
        # Dropped by the form when no insurance the person should have is missing.
        found.update(not_enrolled_reason="financial", willingness="willing")
    return found


@dataclass
class Approval:
    when: datetime
    village: str
    members: list[dict]


@dataclass
class World:
    """What the test did, in the order it did it."""

    approvals: list[Approval] = field(default_factory=list)
    targets: list[dict] = field(default_factory=list)  # village, id_number, uninsured, created_at


class Clock:
    """The services' notion of now, set by the test (approvals, settlements, arrivals)."""

    def __init__(self, monkeypatch):
        self.now = at("2026-01-01 09:00")
        for module in ("app.review.service", "app.review.progress", "app.submissions.service"):
            monkeypatch.setattr(f"{module}.utcnow", lambda: self.now)


def insert_target(engine, world: World, village: str, number: str, uninsured: str, created: datetime) -> int:
    """A roster row as the import leaves it (the import itself is tested with the targets)."""
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO target (village_code, name, id_number, address, uninsured, status, seq, created_at)"
            " VALUES (:village, '测试对象', :number, '', :uninsured, 'open', 0, :created)"),
            {"village": village, "number": number, "uninsured": uninsured, "created": created})
        target_id = connection.execute(text("SELECT id FROM target WHERE village_code = :v AND id_number = :n"),
                                       {"v": village, "n": number}).scalar_one()
    world.targets.append({"id": target_id, "village": village, "id_number": number,
                          "uninsured": uninsured, "created_at": created})
    return target_id


def push(phone: Phone, clock: Clock, when: datetime, village: str, members: list[dict]) -> str:
    clock.now = when
    payload = household("registered_family_of_three", village_code=village)
    members[0]["relation"] = "head"
    payload["members"] = members
    sent = item(payload)
    results = phone.results([sent])
    assert results[0]["status"] == "accepted", results
    return sent["id"]


def approve(admin, db, clock: Clock, world: World, when: datetime, submission_id: str) -> None:
    """Approve through the review API and note the members as the server stored them (the
    form drops answers a member was not asked)."""
    clock.now = when
    response = admin.approve(submission_id, 1)
    assert response.status_code == 200, response.text
    db.expire_all()
    stored = db.get(Submission, submission_id)
    world.approvals.append(Approval(when, stored.village_code, list(stored.payload["members"])))


# --------------------------------------------------------------------------- the oracle

def end_of(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=CST) + timedelta(days=1)


def age(birth: str, on: date) -> int:
    year, month, day = int(birth[:4]), int(birth[5:7]), int(birth[8:10])
    return on.year - year - ((on.month, on.day) < (month, day))


def people_as_of(world: World, outcomes: dict[int, tuple[str, datetime]], area: str, on: date) -> list[dict]:
    """Everyone counted in `area` on `on`: {village, birth, answers…, statuses…}."""
    end = end_of(on)
    latest: dict[str, tuple[str, dict]] = {}
    for approval in sorted(world.approvals, key=lambda a: a.when):
        if approval.when < end:
            for person in approval.members:
                latest[person["id_number"]] = (approval.village, person)
    found = []
    for village, person in latest.values():
        found.append({"village": village, "birth": person["birth_date"],
                      "personal_status": person.get("personal_status", ""),
                      "employment": person.get("employment", ""),
                      **{name: person.get(f"{name}_status", "") for name in INSURANCES}})
    listed: dict[str, dict] = {}
    for target in sorted(world.targets, key=lambda t: (t["village"], t["id"])):
        status, decided = outcomes.get(target["id"], ("", None))
        if target["created_at"] >= end or (status in ("deceased", "moved") and decided < end):
            continue
        if target["id_number"] in latest or target["id_number"] in listed:
            continue
        number = target["id_number"]
        listed[number] = {"village": target["village"],
                          "birth": f"{number[6:10]}-{number[10:12]}-{number[12:14]}",
                          "personal_status": "", "employment": "",
                          **{name: "not_enrolled" if name in target["uninsured"].split() else ""
                             for name in INSURANCES}}
    return [person for person in [*found, *listed.values()] if person["village"].startswith(area)]


def dispatch_one_row(people: list[dict], on: date, pension_max_age: int | None = None) -> dict:
    """The fourteen columns of 调度表（一）under the default rules (optionally with a maximum
    age for pension, the planted inconsistency)."""
    row = dict.fromkeys(["population", "aged_16_plus", "students_16_plus", "military_16_plus",
                         *(f"{n}_{k}" for n in INSURANCES for k in ("should", "not_enrolled"))], 0)
    for person in people:
        years = age(person["birth"], on)
        adult = years >= 16
        student = person["personal_status"] == "student" or person["employment"] == "student"
        soldier = person["personal_status"] == "soldier" or person["employment"] == "military"
        unit = adult and person["employment"] == "unit_employed"
        should = {"pension": adult and not student and not soldier
                  and (pension_max_age is None or years <= pension_max_age),
                  "medical": True, "work_injury": unit, "maternity": unit, "unemployment": unit}
        row["population"] += 1
        row["aged_16_plus"] += adult
        row["students_16_plus"] += adult and student
        row["military_16_plus"] += adult and soldier
        for name in INSURANCES:
            row[f"{name}_should"] += should[name]
            row[f"{name}_not_enrolled"] += should[name] and person[name] in GAPS
    return row


def newly_enrolled(world: World, start: datetime, end: datetime, area: str) -> dict[str, dict[str, set]]:
    """{insurance: {village: ID numbers}} of people whose status went from a gap to covered by
    an approval in [start, end). Before = the person's previous approved status, else the
    roster's finding for a first approval."""
    current: dict[str, dict] = {}
    found = {name: {} for name in INSURANCES}
    for approval in sorted(world.approvals, key=lambda a: a.when):
        for person in approval.members:
            number = person["id_number"]
            if number in current:
                before = {name: current[number].get(f"{name}_status", "") for name in INSURANCES}
            else:
                missing = {code for target in world.targets if target["id_number"] == number
                           for code in target["uninsured"].split()}
                before = {name: "not_enrolled" if name in missing else "" for name in INSURANCES}
            current[number] = person
            if start <= approval.when < end and approval.village.startswith(area):
                for name in INSURANCES:
                    if before[name] in GAPS and person.get(f"{name}_status", "") in COVERED:
                        found[name].setdefault(approval.village, set()).add(number)
    return found
