"""Push scenarios (docs/SYNC.md): whatever a phone sends, however often, each test asserts
exactly which submissions, revisions and audit events exist afterwards."""
import json
import re
import threading
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.accounts.access import Principal, UserInfo
from app.accounts.models import DeviceToken, User
from app.db import WRITE_OPTION
from app.audit.models import AuditEvent
from app.main import create_app
from app.submissions.models import Submission, SubmissionState
from sync_support import (FORM, NOTHING, OTHER_TOWNSHIP_VILLAGE, VILLAGE, household, item,
                      stored)
from support import login
from sync.canonical import content_hash
from sync.changes import next_seq
from sync.push import Batch


CHINESE = re.compile("[\u4e00-\u9fff]")


def received(*items: dict) -> dict:
    """The rows that a first push of these items leaves behind."""
    ordered = sorted(items, key=lambda sent: sent["id"])
    return {
        "submissions": [(sent["id"], 1, "submitted", sent["content_hash"]) for sent in ordered],
        "revisions": [(sent["id"], 1, sent["content_hash"]) for sent in ordered],
        "events": [("submission.received", sent["id"], 1) for sent in items],
    }


def return_for_correction(db: Session, submission_id: str, comment: str = "请补充联系电话") -> None:
    """What the review feature will do; set directly until it exists."""
    submission = db.get(Submission, submission_id)
    submission.state = SubmissionState.returned
    submission.review_comment = comment
    submission.seq = next_seq(db)
    db.add(submission)
    db.commit()


# ---- idempotency -----------------------------------------------------------------------------

def test_the_same_batch_posted_five_times_is_stored_once(phone, db):
    batch = [item(household(address=f"示例村{n}组1号")) for n in range(3)]
    assert phone.statuses(batch) == ["accepted"] * 3
    for _ in range(4):
        assert phone.statuses(batch) == ["duplicate"] * 3
    assert stored(db) == received(*batch)


def test_an_accepted_submission_keeps_what_the_phone_captured(phone, db):
    sent = item(household("registered_family_of_three"))
    sent["payload"]["members"][0]["id_number"] = "35052419800101029x"  # lowercase x
    sent["content_hash"] = content_hash(sent["payload"])
    assert phone.statuses([sent]) == ["accepted"]
    row = db.get(Submission, sent["id"])
    device = db.exec(select(DeviceToken)).one()
    owner = db.exec(select(User).where(User.username == "enumerator")).one()
    assert (row.owner_id, row.device_id, row.village_code) == (owner.id, device.id, VILLAGE)
    assert (row.form_id, row.form_version, row.revision) == (*FORM, 1)
    assert row.content_hash == sent["content_hash"]  # of what was sent, not of the cleaned form
    assert row.payload["members"][0]["id_number"] == "35052419800101029X"  # as validation cleaned it
    assert row.captured_at.astimezone(UTC) == datetime(2026, 11, 23, 1, 41, 7, tzinfo=UTC)
    assert (row.address, row.visit_outcome, row.member_count) == ("示例镇示例村三组12号", "registered", 3)
    assert row.state == SubmissionState.submitted and row.field_comments == {}
    event = db.exec(select(AuditEvent).where(AuditEvent.object_id == sent["id"],
                                             AuditEvent.action == "submission.received")).one()
    assert (event.action, event.actor_id, event.device_id) == ("submission.received", owner.id, device.id)
    assert event.detail == {"revision": 1, "hash": sent["content_hash"], "device": device.id,
                            "village_code": VILLAGE, "form": "canbao_registration 2026.1"}


def test_the_same_id_with_other_content_is_a_conflict(phone, db):
    first = item(household(address="示例村1组1号"))
    changed = item(household(address="示例村1组2号"), id=first["id"])
    assert phone.statuses([first]) == ["accepted"]
    [result] = phone.results([changed])
    assert (result["status"], result["code"], result["server_revision"]) == ("conflict", "conflict_content", 1)
    assert result["message"]  # a sentence the enumerator can read
    assert stored(db) == received(first)


def test_revisions_arriving_out_of_order(phone, db):
    first = item(household(address="示例村1组1号"))
    assert phone.statuses([first]) == ["accepted"]

    assert phone.results([item(household(), id=first["id"], revision=2)])[0]["code"] == "conflict_not_returned"

    return_for_correction(db, first["id"])
    second = item(household(address="示例村1组1号之一", contact_phone="13800000009"),
                  id=first["id"], revision=2)
    late_replay = first
    stale = item(household(address="示例村1组1号（旧稿）"), id=first["id"], revision=1)
    third = item(household(address="示例村1组1号之二"), id=first["id"], revision=3)
    results = phone.results([second, late_replay, stale, third, second])

    assert [(r["status"], r.get("code"), r.get("server_revision")) for r in results] == [
        ("accepted", None, None),
        ("duplicate", None, None),
        ("conflict", "conflict_stale", 2),
        ("conflict", "conflict_not_returned", 2),  # rev 2 was not returned
        ("duplicate", None, None),
    ]
    assert stored(db) == {
        "submissions": [(first["id"], 2, "submitted", second["content_hash"])],
        "revisions": [(first["id"], 1, first["content_hash"]), (first["id"], 2, second["content_hash"])],
        "events": [("submission.received", first["id"], 1), ("submission.resubmitted", first["id"], 2)],
    }
    row = db.get(Submission, first["id"])
    assert row.payload["contact_phone"] == "13800000009" and row.address == "示例村1组1号之一"


def test_a_replay_after_a_server_restart_changes_nothing(phone, db, settings):
    batch = [item(household(address=f"示例村{n}组2号")) for n in range(2)]
    assert phone.statuses(batch) == ["accepted"] * 2
    restarted = create_app(settings)
    try:
        with TestClient(restarted) as client:
            response = client.post("/api/v1/sync/push", json={"items": batch}, headers=phone.headers)
            assert [r["status"] for r in response.json()["results"]] == ["duplicate"] * 2
    finally:
        restarted.state.engine.dispose()
    assert stored(db) == received(*batch)


def test_two_phones_of_one_enumerator_push_the_same_record(make_phone, db):
    phone_a, phone_b = make_phone(name="phone A"), make_phone(name="phone B")
    sent = item()
    assert phone_a.statuses([sent]) == ["accepted"]
    assert phone_b.statuses([sent]) == ["duplicate"]
    assert stored(db) == received(sent)
    device_a = db.exec(select(DeviceToken).where(DeviceToken.name == "phone A")).one()
    assert db.get(Submission, sent["id"]).device_id == device_a.id


def test_another_users_id_is_taken(make_phone, db):
    theirs = item(household(village_code=OTHER_TOWNSHIP_VILLAGE))
    assert make_phone("enumerator2").statuses([theirs]) == ["accepted"]
    mine = item(household(), id=theirs["id"])
    results = make_phone("enumerator").results([mine, theirs])
    assert [(r["status"], r["code"]) for r in results] == [("conflict", "id_taken")] * 2
    assert all("server_revision" not in result for result in results)  # nothing about theirs leaks
    assert stored(db) == received(theirs)


# ---- a batch that partly succeeds --------------------------------------------------------------

def test_a_half_valid_batch_stores_the_good_items_only(phone, db):
    good = item(household(address="示例村3组1号"))
    bad_id_number = item(household("id_wrong_checksum"))
    bad_uuid = item(id="not-a-uuid")
    upper_uuid = item(id=good["id"].upper())
    malformed_hash = item(content_hash="F" * 64)
    wrong_hash = item(household(address="示例村3组2号"), content_hash="0" * 64)
    damaged = item(household(address="示例村3组3号"))
    damaged["payload"]["address"] = "示例村3组33号"
    unpublished = item(form=("canbao_registration", "2099.1"))
    unknown_form = item(form=("another_form", "2026.1"))
    other_township = item(household(village_code=OTHER_TOWNSHIP_VILLAGE))
    not_a_village = item(household(village_code="350524100"))
    no_village = item(household(village_code=None))
    revision_zero = item(revision=0)
    revision_text = item(revision="1")
    missing_fields = {"id": item()["id"], "revision": 1, "payload": household()}
    naive_time = item(captured_at="2026-11-23T09:41:07")
    not_an_object = "oops"
    good_too = item(household(address="示例村3组4号"))
    batch = [good, bad_id_number, bad_uuid, upper_uuid, malformed_hash, wrong_hash, damaged, unpublished,
             unknown_form, other_township, not_a_village, no_village, revision_zero,
             revision_text, missing_fields, naive_time, not_an_object, good_too]

    results = phone.results(batch)

    assert [(r["status"], r.get("code")) for r in results] == [
        ("accepted", None),
        ("rejected", "invalid_payload"),
        ("rejected", "invalid_item"),
        ("rejected", "invalid_item"),
        ("rejected", "invalid_item"),
        ("rejected", "content_hash_mismatch"),
        ("rejected", "content_hash_mismatch"),
        ("rejected", "form_version_unknown"),
        ("rejected", "form_version_unknown"),
        ("rejected", "village_not_yours"),
        ("rejected", "village_not_yours"),
        ("rejected", "invalid_payload"),
        ("rejected", "invalid_item"),
        ("rejected", "invalid_item"),
        ("rejected", "invalid_item"),
        ("rejected", "invalid_item"),
        ("rejected", "invalid_item"),
        ("accepted", None),
    ]
    assert [r["id"] for r in results] == [sent["id"] if isinstance(sent, dict) else "" for sent in batch]
    by_position = dict(enumerate(results))
    [field_error] = by_position[1]["errors"]
    assert (field_error["path"], field_error["code"]) == ("members[0].id_number", "constraint")
    assert CHINESE.search(field_error["message"])
    assert by_position[1]["message"] == "部分填写内容不符合要求，请修改后重新提交。"
    assert [e["path"] for e in by_position[2]["errors"]] == ["id"]
    assert [e["path"] for e in by_position[3]["errors"]] == ["id"]
    assert [e["path"] for e in by_position[4]["errors"]] == ["content_hash"]
    assert [e["path"] for e in by_position[11]["errors"]] == ["village_code"]
    assert [e["path"] for e in by_position[13]["errors"]] == ["revision"]
    assert sorted(e["path"] for e in by_position[14]["errors"]) == [
        "captured_at", "content_hash", "form_id", "form_version"]
    assert [e["path"] for e in by_position[15]["errors"]] == ["captured_at"]
    assert "revision" not in by_position[16]
    assert stored(db) == received(good, good_too)


def test_a_rejected_item_can_be_fixed_and_sent_again_with_the_same_id(phone, db):
    draft = item(household("id_wrong_checksum"))
    assert phone.results([draft])[0]["code"] == "invalid_payload"
    fixed = item(household("registered_family_of_three"), id=draft["id"])
    assert phone.statuses([fixed]) == ["accepted"]
    assert stored(db) == received(fixed)


def test_messages_follow_the_language_of_the_phone(phone, db):
    phone.client.cookies.set("canbao_lang", "en")
    [result] = phone.results([item(household("id_wrong_checksum"))])
    assert result["message"] == "Some answers are not valid. Correct them and submit again."
    assert result["errors"][0]["message"] and not CHINESE.search(result["errors"][0]["message"])


# ---- refusals of the whole request ----------------------------------------------------------------

def test_a_revoked_token_stores_nothing(phone, db):
    device_id = phone.client.get("/api/v1/devices", headers=phone.headers).json()[0]["id"]
    assert phone.client.delete(f"/api/v1/devices/{device_id}", headers=phone.headers).status_code == 204
    response = phone.push([item()])
    assert response.status_code == 401 and response.json()["code"] == "token_invalid"
    assert stored(db) == NOTHING


def test_only_enumerators_push(make_phone, db):
    response = make_phone("supervisor").push([item()])
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert stored(db) == NOTHING


def test_a_browser_session_needs_the_csrf_header(client, db):
    login(client, "enumerator")
    response = client.post("/api/v1/sync/push", json={"items": [item()]})
    assert response.status_code == 403 and response.json()["code"] == "csrf_failed"
    sent = item()
    response = client.post("/api/v1/sync/push", json={"items": [sent]},
                           headers={"X-CSRF-Token": client.cookies["canbao_csrf"]})
    assert response.json()["results"][0]["status"] == "accepted"
    assert stored(db) == received(sent)


def test_oversized_requests_are_refused_whole(phone, db):
    response = phone.push([item() for _ in range(51)])
    assert response.status_code == 413 and response.json()["code"] == "batch_too_large"

    padding = "张" * (1024 * 1024)  # 3 MiB of UTF-8
    big = json.dumps({"items": [item(household(remark=padding))]}, ensure_ascii=False).encode()
    assert len(big) > 3 * 1024 * 1024
    response = phone.client.post("/api/v1/sync/push", content=big,
                                 headers={**phone.headers, "Content-Type": "application/json"})
    assert response.status_code == 413 and response.json()["code"] == "body_too_large"

    def chunked():  # no Content-Length: the server stops reading at the limit
        for start in range(0, len(big), 64 * 1024):
            yield big[start:start + 64 * 1024]

    response = phone.client.post("/api/v1/sync/push", content=chunked(),
                                 headers={**phone.headers, "Content-Type": "application/json"})
    assert response.status_code == 413 and response.json()["code"] == "body_too_large"
    assert stored(db) == NOTHING


def test_malformed_bodies_get_stable_codes(phone, db):
    def post(raw: bytes):
        response = phone.client.post("/api/v1/sync/push", content=raw,
                                     headers={**phone.headers, "Content-Type": "application/json"})
        return response.status_code, response.json()["code"]

    assert post(b'{"items": [') == (400, "malformed_json")
    assert post(b"") == (400, "malformed_json")
    assert post(b'{"items": [NaN]}') == (400, "malformed_json")
    assert post(b'{"items": [1e400]}') == (400, "malformed_json")
    assert post('{"items": []}'.encode("utf-16")) == (400, "malformed_json")
    assert post(b'[]') == (400, "batch_invalid")
    assert post(b'{"items": {}}') == (400, "batch_invalid")
    assert phone.results([]) == []
    assert stored(db) == NOTHING


# ---- concurrency -------------------------------------------------------------------------------------

def request_session(app) -> Session:
    """A session opened as a request's (app/db.py, get_db): on SQLite a push's transaction
    takes the write lock when it begins."""
    session = Session(app.state.engine)
    session.connection(execution_options={WRITE_OPTION: True})
    return session


def test_two_requests_with_the_same_record_at_once_store_it_once(app, db):
    """The second request waits for the first one's commit, then finds its row."""
    user = db.exec(select(User).where(User.username == "enumerator")).one()
    principal = Principal(UserInfo.of(user), ("350524100001", "350524100002"))
    sent = item()
    other_content = item(household(address="另一稿"), id=sent["id"])
    answers = {}

    def second_request(name: str, mine: dict) -> None:
        with request_session(app) as session:
            answers[name] = [(o.status, o.code) for o in Batch(session, principal).push([mine])]
            session.commit()

    with request_session(app) as first:
        assert Batch(first, principal).push([sent])[0].status == "accepted"
        waiting = [threading.Thread(target=second_request, args=args)
                   for args in (("same", sent), ("other", other_content))]
        for thread in waiting:
            thread.start()
        for thread in waiting:
            thread.join(timeout=0.5)
            assert thread.is_alive()  # blocked behind the first request's transaction
        first.commit()
    for thread in waiting:
        thread.join(timeout=20)
    assert answers == {"same": [("duplicate", None)], "other": [("conflict", "conflict_content")]}
    assert stored(db) == received(sent)


def test_the_protocol_is_in_the_openapi_schema(client):
    schema = client.get("/openapi.json").json()
    push = schema["paths"]["/api/v1/sync/push"]["post"]
    request = push["requestBody"]["content"]["application/json"]["schema"]
    assert request["properties"]["items"]["maxItems"] == 50
    assert set(request["properties"]["items"]["items"]["required"]) == {
        "id", "revision", "form_id", "form_version", "captured_at", "content_hash", "payload"}
    components = schema["components"]["schemas"]
    assert set(components["PushResult"]["properties"]) == {
        "id", "revision", "status", "code", "message", "server_revision", "errors"}
    assert set(components["PullResponse"]["properties"]) == {
        "cursor", "more", "forms", "targets", "submissions"}
    assert "/api/v1/sync/pull" in schema["paths"]
