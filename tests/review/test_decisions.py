"""The review state machine: every allowed transition works and reaches the enumerator's
phones; every forbidden one is refused with a stable code and writes nothing."""
import pytest
from sqlmodel import col, func, select

from app.audit.models import AuditEvent
from app.submissions.models import Submission
from review_support import family, id_number, pushed, resubmitted
from support import device_token
from sync_support import Phone, household


def _events(db, submission_id: str) -> list[str]:
    db.expire_all()
    return list(db.exec(select(AuditEvent.action).where(AuditEvent.object_id == submission_id)
                        .order_by(col(AuditEvent.id))))


def _pulled(phone, submission_id: str) -> dict:
    [found] = [entry for entry in phone.pull().json()["submissions"] if entry["id"] == submission_id]
    return found


def test_approve_reaches_the_phone(phone, supervisor, db):
    sent = pushed(phone)
    response = supervisor.approve(sent["id"], 1)
    assert response.status_code == 200, response.text
    assert response.json() == {"id": sent["id"], "revision": 1, "state": "approved"}
    assert _pulled(phone, sent["id"]) | {"payload": None} == {
        "id": sent["id"], "form_id": "canbao_registration", "form_version": "2026.1", "revision": 1,
        "state": "approved", "comment": None, "field_comments": {}, "payload": None}
    assert _events(db, sent["id"])[-1] == "submission.approved"


def test_a_returned_household_reaches_every_phone_of_its_enumerator(phone, client, supervisor):
    sent = pushed(phone)
    other_phone = Phone(client, device_token(client, "enumerator", name="second phone"))
    cursor = other_phone.pull().json()["cursor"]
    supervisor.return_(sent["id"], 1, "请补门牌号")
    for device, since in ((phone, None), (other_phone, cursor)):
        [pulled] = device.pull(since).json()["submissions"]
        assert (pulled["id"], pulled["state"], pulled["comment"]) == (sent["id"], "returned", "请补门牌号")


def test_return_sends_the_comment_and_the_field_comments_to_the_phone(phone, supervisor, db):
    sent = pushed(phone, family())
    response = supervisor.return_(sent["id"], 1, "请核对户主电话",
                                  {"members[0].phone": "号码少一位", "contact_phone": " "})
    assert response.status_code == 200 and response.json()["state"] == "returned"
    pulled = _pulled(phone, sent["id"])
    assert (pulled["state"], pulled["comment"]) == ("returned", "请核对户主电话")
    assert pulled["field_comments"] == {"members[0].phone": "号码少一位"}  # empty ones dropped
    assert pulled["payload"]["members"][0]["full_name"] == "张三"  # to fix it on any phone
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "submission.returned")).one()
    assert event.detail["comment"] == "请核对户主电话" and event.detail["revision"] == 1


def test_a_returned_household_comes_back_as_the_next_revision_and_is_approved(phone, supervisor, db):
    sent = pushed(phone, household(address="示范一村"))
    assert supervisor.return_(sent["id"], 1).status_code == 200
    resubmitted(phone, sent, household(address="示范一村三组12号"))
    detail = supervisor.detail(sent["id"])
    assert (detail["state"], detail["revision"]) == ("submitted", 2)
    assert [row["revision"] for row in detail["revisions"]] == [1, 2]  # every revision kept
    assert supervisor.approve(sent["id"], 2).status_code == 200
    assert _events(db, sent["id"]) == ["submission.received", "submission.returned",
                                       "submission.resubmitted", "submission.flagged",
                                       "submission.approved"]


def test_reject_is_final_and_needs_a_reason(phone, supervisor, db):
    sent = pushed(phone)
    refused = supervisor.reject(sent["id"], 1, "  ")
    assert (refused.status_code, refused.json()["code"]) == (422, "reason_required")
    assert supervisor.reject(sent["id"], 1, "同一户重复登记").json()["state"] == "rejected"
    pulled = _pulled(phone, sent["id"])
    assert (pulled["state"], pulled["comment"]) == ("rejected", "同一户重复登记")


def test_return_needs_a_comment(phone, supervisor):
    sent = pushed(phone)
    refused = supervisor.return_(sent["id"], 1, "")
    assert (refused.status_code, refused.json()["code"]) == (422, "comment_required")
    assert supervisor.detail(sent["id"])["state"] == "submitted"


def test_a_field_comment_must_name_a_field_of_the_household(phone, supervisor):
    sent = pushed(phone, family())
    for path in ("members[3].phone", "members[0].phone; drop", "../x"):
        refused = supervisor.return_(sent["id"], 1, "请核对", {path: "?"})
        assert (refused.status_code, refused.json()["code"]) == (422, "field_comment_invalid"), path


def _into(supervisor, phone, state: str) -> dict:
    sent = pushed(phone)
    decide = {"approved": supervisor.approve, "returned": supervisor.return_,
              "rejected": supervisor.reject}[state]
    assert decide(sent["id"], 1).status_code == 200
    return sent


@pytest.mark.parametrize("state", ["approved", "returned", "rejected"])
@pytest.mark.parametrize("action", ["approve", "return_", "reject"])
def test_a_decided_household_refuses_every_decision(phone, supervisor, db, state, action):
    sent = _into(supervisor, phone, state)
    before = (_events(db, sent["id"]), db.get(Submission, sent["id"]).seq)
    refused = getattr(supervisor, action)(sent["id"], 1)
    assert (refused.status_code, refused.json()["code"]) == (409, "already_decided")
    assert refused.json()["message"]  # says what happened, in the user's language
    db.expire_all()
    row = db.get(Submission, sent["id"])
    assert (row.state, (_events(db, sent["id"]), row.seq)) == (state, before)


def test_a_decision_on_an_older_revision_is_refused(phone, supervisor, db):
    sent = pushed(phone)
    supervisor.return_(sent["id"], 1)
    resubmitted(phone, sent, household(address="新地址"))
    for action in (supervisor.approve, supervisor.return_, supervisor.reject):
        refused = action(sent["id"], 1)
        assert (refused.status_code, refused.json()["code"]) == (409, "revision_changed")
        assert "2" in refused.json()["message"]
    assert supervisor.detail(sent["id"])["state"] == "submitted"


def test_a_new_revision_of_a_household_that_was_not_returned_is_refused_at_push(phone, supervisor):
    sent = pushed(phone)
    supervisor.approve(sent["id"], 1)
    [result] = phone.results([dict(sent, revision=2)])
    assert result["code"] == "conflict_not_returned"


def test_every_decision_takes_a_change_number(phone, supervisor, db):
    """What the phone's pull cursor is based on: a decision always moves it forward."""
    first, second = pushed(phone), pushed(phone)
    cursor = phone.pull().json()["cursor"]
    supervisor.approve(first["id"], 1)
    supervisor.return_(second["id"], 1)
    changed = phone.pull(cursor).json()["submissions"]
    assert [(entry["id"], entry["state"]) for entry in changed] == [(first["id"], "approved"),
                                                                    (second["id"], "returned")]


def test_bulk_approval_skips_households_with_errors_and_stale_revisions(phone, supervisor, db):
    clean = pushed(phone)
    flagged = pushed(phone, family(ids=[id_number(11), id_number(12, "19920202"), id_number(13, "20160901")],
                                   phone="15400000000"))  # a warning only
    stale = pushed(phone)
    supervisor.return_(stale["id"], 1)
    resubmitted(phone, stale, household(address="改过了"))
    # An error flag (an ID number also in another household) keeps a household out.
    twin = pushed(phone, family())
    other = pushed(phone, family())
    response = supervisor.bulk([(clean["id"], 1), (flagged["id"], 1), (stale["id"], 1),
                                (twin["id"], 1), ("0b8f6c1e-6a43-4a53-9f58-000000000000", 1)])
    results = {entry["id"]: (entry["status"], entry.get("code")) for entry in response.json()["results"]}
    assert results == {clean["id"]: ("approved", None), flagged["id"]: ("approved", None),
                       stale["id"]: ("refused", "revision_changed"), twin["id"]: ("refused", "has_errors"),
                       "0b8f6c1e-6a43-4a53-9f58-000000000000": ("refused", "not_found")}
    assert supervisor.detail(other["id"])["state"] == "submitted"
    approved = db.exec(select(func.count()).select_from(AuditEvent)
                       .where(AuditEvent.action == "submission.approved")).one()
    assert approved == 2
