"""The checks as they run on the server: when a household or a revision arrives, and again
when what they look at changes (another household, a village marked done, a target settled)."""
from sqlmodel import select

from app.audit.models import AuditEvent
from app.review.models import SubmissionFlag
from review_support import OTHER_TOWNSHIP_VILLAGE, family, id_number, pushed, resubmitted


def test_flags_are_stored_with_the_revision_and_an_event(phone, supervisor, db):
    sent = pushed(phone, family(phone="15400000000"))
    assert supervisor.flags(sent["id"]) == [("phone_invalid", "members[0].phone")]
    flag = supervisor.detail(sent["id"])["flags"][0]
    assert flag["severity"] == "warning" and "手机号码无效" in flag["message"]
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "submission.flagged")).one()
    assert event.detail == {"revision": 1, "flags": [
        {"code": "phone_invalid", "severity": "warning", "path": "members[0].phone"}]}


def test_a_clean_household_has_no_flags_and_no_flag_event(phone, supervisor, db):
    sent = pushed(phone, family())
    assert supervisor.flags(sent["id"]) == []
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "submission.flagged")).first() is None


def test_checks_run_again_on_every_revision_and_old_revisions_keep_theirs(phone, supervisor):
    sent = pushed(phone, family(phone="15400000000"))
    supervisor.return_(sent["id"], 1, "手机号码不对")
    resubmitted(phone, sent, family(phone="13800000002"))
    assert supervisor.flags(sent["id"]) == []
    old = supervisor.get(f"/submissions/{sent['id']}/revisions/1").json()
    assert [flag["code"] for flag in old["flags"]] == ["phone_invalid"]
    assert old["payload"]["members"][0]["phone"] == "154****0000"  # masked


def test_the_same_id_in_two_households_flags_both_with_links(phone, supervisor):
    first = pushed(phone, family())
    second = pushed(phone, family("350524100002",
                                  ids=[id_number(1), id_number(20, "19920202"), id_number(21, "20160901")]))
    flags = supervisor.detail(second["id"])["flags"]
    assert [(f["code"], f["path"], f["related_submission_id"]) for f in flags] == [
        ("id_duplicate_other", "members[0].id_number", first["id"])]
    assert "示范一村" in flags[0]["message"]
    # The first household awaiting review is checked again: it points at the second.
    assert [(f["code"], f["related_submission_id"]) for f in supervisor.detail(first["id"])["flags"]] == [
        ("id_duplicate_other", second["id"])]


def test_a_decided_household_keeps_the_flags_it_was_decided_with(phone, supervisor):
    approved = pushed(phone, family())
    supervisor.approve(approved["id"])
    pushed(phone, family())  # the same people again, awaiting review
    assert supervisor.flags(approved["id"]) == []


def test_an_approved_household_is_in_the_registry_and_a_rejected_one_no_longer_counts(phone, supervisor):
    first = pushed(phone, family())
    second = pushed(phone, family())
    assert supervisor.reject(second["id"]).status_code == 200
    assert supervisor.flags(first["id"]) == []  # the rejected one stopped counting
    supervisor.approve(first["id"])
    third = pushed(phone, family())
    assert {code for code, _ in supervisor.flags(third["id"])} == {"id_in_registry"}


def test_a_duplicate_in_another_township_is_flagged_without_a_link_for_this_supervisor(
        phone, phone2, supervisor, supervisor_page):
    theirs = pushed(phone2, family(OTHER_TOWNSHIP_VILLAGE))
    ours = pushed(phone, family())
    assert {f["related_submission_id"] for f in supervisor.detail(ours["id"])["flags"]} == {theirs["id"]}
    page = supervisor_page.get(f"/review/submissions/{ours['id']}").text
    assert f"/review/submissions/{theirs['id']}" not in page and "data-related" not in page
    assert supervisor_page.get(f"/review/submissions/{theirs['id']}").status_code == 404


def test_two_schemes_across_households_are_duplicate_enrollment(phone, supervisor):
    pushed(phone, family(pension_scheme="resident", personal_status="resident", employment="farming"))
    sent = pushed(phone, family())
    assert ("duplicate_enrollment", "members[0].pension_scheme") in supervisor.flags(sent["id"])


def test_open_targets_of_a_village_marked_done_are_flagged_until_settled(phone, supervisor, db):
    sent = pushed(phone, family())
    assert supervisor.post("/villages/350524100001/done").status_code == 204
    [flag] = supervisor.detail(sent["id"])["flags"]
    assert flag["code"] == "target_unaccounted" and "4名" in flag["message"]
    targets = supervisor.get("/villages/350524100001/targets").json()
    for target in targets:
        response = supervisor.post(f"/targets/{target['id']}/settle", {"status": "moved"})
        assert response.status_code == 204
    assert supervisor.flags(sent["id"]) == []
    # Reopening the village withdraws the check as well.
    supervisor.post(f"/targets/{targets[0]['id']}/reopen")
    assert [code for code, _ in supervisor.flags(sent["id"])] == ["target_unaccounted"]
    supervisor.post("/villages/350524100001/reopen")
    assert supervisor.flags(sent["id"]) == []
    assert db.exec(select(SubmissionFlag)).all() == []  # the flags of revision 1 were replaced
