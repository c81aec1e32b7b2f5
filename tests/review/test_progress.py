"""Targets end as registered (linked to a member), moved away, deceased or not found, with who
decided and when; the phones learn it by pull; villages count them."""
from sqlmodel import col, select

from app.audit.models import AuditEvent
from app.review.models import TargetOutcome
from app.targets.models import Target
from review_support import family, id_number, pushed

VILLAGE = "350524100001"


def _targets(db) -> list[Target]:
    db.expire_all()
    return list(db.exec(select(Target).where(Target.village_code == VILLAGE).order_by(col(Target.id))))


def test_approval_registers_the_targets_it_found(phone, supervisor, db):
    target = _targets(db)[0]
    sent = pushed(phone, family(ids=[target.id_number, id_number(40, "19920202"), id_number(41, "20160901")]))
    cursor = phone.pull().json()["cursor"]
    supervisor.approve(sent["id"])
    outcome = db.get(TargetOutcome, target.id)
    assert (outcome.status, outcome.submission_id, outcome.member_index) == ("registered", sent["id"], 0)
    assert outcome.decided_by_id is not None and outcome.decided_at is not None
    listed = {row["id"]: row for row in supervisor.get(f"/villages/{VILLAGE}/targets").json()}
    assert (listed[target.id]["status"], listed[target.id]["decided_by"]) == ("registered", "一镇审核员（演示）")
    # The enumerator's phone learns that this person is done.
    pulled = phone.pull(cursor).json()["targets"]
    assert [(row["id"], row["status"]) for row in pulled] == [(target.id, "registered")]
    assert db.exec(select(AuditEvent.detail).where(AuditEvent.action == "target.settled")).one()[
        "submission_id"] == sent["id"]


def test_a_target_is_settled_once(supervisor, db):
    target = _targets(db)[1]
    assert supervisor.post(f"/targets/{target.id}/settle", {"status": "not_found"}).status_code == 204
    again = supervisor.post(f"/targets/{target.id}/settle", {"status": "moved"})
    assert (again.status_code, again.json()["code"]) == (409, "target_already_settled")
    assert _targets(db)[1].status == "not_found"


def test_registering_by_hand_needs_a_member_of_an_approved_household_of_the_village(phone, supervisor, db):
    target = _targets(db)[2]
    bare = supervisor.post(f"/targets/{target.id}/settle", {"status": "registered"})
    assert (bare.status_code, bare.json()["code"]) == (422, "member_invalid")
    # The roster's number was mistyped: the household lists the person by name.
    sent = pushed(phone, family(full_name=target.name))
    pending = supervisor.post(f"/targets/{target.id}/settle",
                              {"status": "registered", "submission_id": sent["id"], "member_index": 0})
    assert pending.json()["code"] == "member_invalid"  # not approved yet
    supervisor.approve(sent["id"])
    assert supervisor.post(f"/targets/{target.id}/settle", {"status": "registered", "submission_id": sent["id"],
                                                           "member_index": 0}).status_code == 204
    assert _targets(db)[2].status == "registered"


def test_a_manual_ending_can_be_undone_but_a_registration_cannot(phone, supervisor, db):
    first, second = _targets(db)[:2]
    supervisor.post(f"/targets/{first.id}/settle", {"status": "moved"})
    assert supervisor.post(f"/targets/{first.id}/reopen").status_code == 204
    assert _targets(db)[0].status == "open" and db.get(TargetOutcome, first.id) is None
    sent = pushed(phone, family(ids=[second.id_number, id_number(40, "19920202"), id_number(41, "20160901")]))
    supervisor.approve(sent["id"])
    refused = supervisor.post(f"/targets/{second.id}/reopen")
    assert (refused.status_code, refused.json()["code"]) == (409, "target_not_reopenable")


def test_villages_count_targets_and_households(phone, supervisor, db):
    pushed(phone)
    supervisor.post(f"/targets/{_targets(db)[0].id}/settle", {"status": "deceased"})
    supervisor.post(f"/villages/{VILLAGE}/done")
    rows = {row["code"]: row for row in supervisor.get("/villages").json()}
    assert list(rows) == ["350524100001", "350524100002", "350524100003"]
    mine = rows[VILLAGE]
    assert mine["targets"] == {"open": 3, "deceased": 1} and mine["submissions"] == {"submitted": 1}
    assert mine["done_at"] and mine["done_by"] == "一镇审核员（演示）"
    assert rows["350524100002"]["done_at"] is None
