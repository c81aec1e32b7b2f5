"""The audit trail of a household and of a user: every event, in order, with who, when and from
which device."""
from sqlmodel import select

from app.accounts.models import DeviceToken
from review_support import family, pushed, resubmitted


def test_a_households_trail_holds_every_step(phone, supervisor, db):
    sent = pushed(phone, family(phone="15400000000"))
    supervisor.reveal(sent["id"], "members[0].phone")
    supervisor.return_(sent["id"], 1, "本人电话有误")
    resubmitted(phone, sent, family(phone="13800000002"))
    supervisor.approve(sent["id"], 2)
    events = supervisor.get(f"/submissions/{sent['id']}/events").json()
    assert [(event["action"], event["detail"].get("revision")) for event in events] == [
        ("submission.received", 1), ("submission.flagged", 1), ("pii.reveal", 1),
        ("submission.returned", 1), ("submission.resubmitted", 2), ("submission.flagged", 2),
        ("submission.approved", 2)]
    device = db.exec(select(DeviceToken).where(DeviceToken.name == "enumerator's phone")).one()
    received = events[0]
    assert (received["actor"], received["device_id"], received["detail"]["device"]) == (
        "一镇登记员（演示）", device.id, device.id)
    assert events[3]["detail"]["comment"] == "本人电话有误" and events[3]["actor"] == "一镇审核员（演示）"
    assert events[5]["detail"]["flags"] == []  # the corrected revision is clean


def test_a_users_trail_pages_back_in_time(phone, supervisor, db):
    for _ in range(3):
        pushed(phone)
    enumerator = supervisor.queue()["items"][0]
    owner_id = db.exec(select(DeviceToken.user_id).where(DeviceToken.name == "enumerator's phone")).one()
    events = supervisor.get(f"/users/{owner_id}/events").json()
    assert [event["action"] for event in events][:3] == ["submission.received"] * 3
    older = supervisor.get(f"/users/{owner_id}/events", before=events[0]["id"]).json()
    assert [event["id"] for event in older] == [event["id"] for event in events[1:]]
    assert enumerator["enumerator"] == "一镇登记员（演示）"
