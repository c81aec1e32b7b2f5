"""Area scoping of the review: the supervisor of township 2 cannot list, open, reveal or act on
a township 1 household, its village or its targets — through the API or the pages — and
learns nothing about them (404, as for a household that does not exist)."""
import pytest
from sqlmodel import select

from app.accounts.models import User
from app.audit.models import AuditEvent
from app.submissions.models import Submission
from app.targets.models import Target
from review_support import OTHER_TOWNSHIP_VILLAGE, Reviewer, family, pushed
from support import device_token, login, post_form


@pytest.fixture
def ours(phone):
    """A township 1 household (示范一村, 350524100001)."""
    return pushed(phone, family(phone="15400000000"))


def test_the_other_township_does_not_see_it_in_the_queue(ours, supervisor, supervisor2):
    assert [item["id"] for item in supervisor.queue()["items"]] == [ours["id"]]
    for state in ("submitted", ""):
        assert supervisor2.queue(state=state)["items"] == []
        assert supervisor2.queue(state=state, village="350524100001")["total"] == 0


def test_the_other_township_can_neither_open_nor_reveal_nor_decide_through_the_api(ours, supervisor2, db):
    paths = [f"/submissions/{ours['id']}", f"/submissions/{ours['id']}/events",
             f"/submissions/{ours['id']}/revisions/1", f"/submissions/{ours['id']}/diff?from=1&to=1"]
    for path in paths:
        response = supervisor2.client.get(f"/api/v1/review{path}", headers=supervisor2.headers)
        assert (response.status_code, response.json()["code"]) == (404, "not_found"), path
    refusals = [supervisor2.approve(ours["id"]), supervisor2.return_(ours["id"]),
                supervisor2.reject(ours["id"]), supervisor2.reveal(ours["id"], "members[0].id_number")]
    assert [(r.status_code, r.json()["code"]) for r in refusals] == [(404, "not_found")] * 4
    [result] = supervisor2.bulk([(ours["id"], 1)]).json()["results"]
    assert (result["status"], result["code"]) == ("refused", "not_found")
    db.expire_all()
    assert db.get(Submission, ours["id"]).state == "submitted"
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "pii.reveal")).first() is None


def test_the_other_township_can_neither_open_nor_decide_through_the_pages(ours, make_client, db):
    browser = make_client()
    login(browser, "supervisor2")
    assert ours["id"] not in browser.get("/review").text
    assert ours["id"] not in browser.get("/review?state=&village=350524100001").text
    assert browser.get(f"/review/submissions/{ours['id']}").status_code == 404
    for action, data in (("approve", {"revision": 1}), ("return", {"revision": 1, "comment": "x"}),
                         ("reject", {"revision": 1, "reason": "x"}),
                         ("reveal", {"path": "members[0].id_number"})):
        response = post_form(browser, f"/review/submissions/{ours['id']}/{action}", data)
        assert response.status_code == 404, action
    response = post_form(browser, "/review/bulk-approve", {"item": f"{ours['id']}:1"})
    assert response.status_code == 303 and "approved=0" in response.headers["location"]
    db.expire_all()
    assert db.get(Submission, ours["id"]).state == "submitted"


def test_the_other_township_cannot_touch_our_villages_targets_or_people(supervisor2, make_client, db):
    target = db.exec(select(Target).where(Target.village_code == "350524100001")).first()
    enumerator = db.exec(select(User).where(User.username == "enumerator")).one()
    for path in ("/villages/350524100001/targets", f"/users/{enumerator.id}/events"):
        assert supervisor2.get(path).status_code == 404, path
    for path, body in (("/villages/350524100001/done", None),
                       (f"/targets/{target.id}/settle", {"status": "moved"}),
                       (f"/targets/{target.id}/reopen", None)):
        assert supervisor2.post(path, body).status_code == 404, path
    assert "350524100001" not in str(supervisor2.get("/villages").json())
    browser = make_client()
    login(browser, "supervisor2")
    assert browser.get("/review/villages/350524100001").status_code == 404
    assert browser.get(f"/review/users/{enumerator.id}").status_code == 404
    assert post_form(browser, f"/review/targets/{target.id}/settle", {"status": "moved"}).status_code == 404
    db.expire_all()
    assert db.get(Target, target.id).status == "open"


def test_enumerators_cannot_review(ours, client, make_client):
    headers = {"Authorization": f"Bearer {device_token(client, 'enumerator')}"}
    assert client.get("/api/v1/review/submissions", headers=headers).status_code == 403
    response = client.post(f"/api/v1/review/submissions/{ours['id']}/approve", json={"revision": 1},
                           headers=headers)
    assert (response.status_code, response.json()["code"]) == (403, "forbidden")
    browser = make_client()
    login(browser, "enumerator")
    assert browser.get(f"/review/submissions/{ours['id']}").status_code == 403


def test_the_county_admin_sees_every_township(ours, phone2, client):
    theirs = pushed(phone2, family(OTHER_TOWNSHIP_VILLAGE))
    admin = Reviewer(client, device_token(client, "admin"))
    assert {item["id"] for item in admin.queue()["items"]} == {ours["id"], theirs["id"]}
