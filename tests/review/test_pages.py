"""The review pages as a supervisor uses them: the queue, one household with masked numbers
and a logged reveal, the changes between revisions, decisions from the page, progress."""
import re

from sqlmodel import col, select

from app.audit.models import AuditEvent
from app.submissions.models import Submission
from app.targets.models import Target
from review_support import family, id_number, pushed, resubmitted
from support import csrf, login, post_form
from sync_support import household

FULL_ID = re.compile(r"350524\d{11}[\dX]")


def test_the_supervisor_lands_on_the_queue(phone, make_client):
    sent = pushed(phone, household(address="示范一村二组5号"))
    browser = make_client()
    assert login(browser, "supervisor").headers["location"] == "/review"
    page = browser.get("/review").text
    assert "示范一村二组5号" in page and f"/review/submissions/{sent['id']}" in page
    assert f'value="{sent["id"]}:1"' in page  # its tick box names the revision


def test_the_household_page_masks_numbers_and_shows_flags_by_their_field(phone, supervisor_page):
    sent = pushed(phone, family(phone="15400000000"))
    page = supervisor_page.get(f"/review/submissions/{sent['id']}").text
    assert not FULL_ID.search(page) and "15400000000" not in page and "13800000001" not in page
    assert "350524********0016" in page and "154****0000" in page and "138****0001" in page
    phone_line = page[page.index('data-path="members[0].phone"'):]
    assert phone_line.index('data-flag="phone_invalid"') < phone_line.index("</dd>")
    assert "张三" in page and "企业职工基本养老保险" in page  # choice labels, not codes


def test_a_reveal_shows_one_full_value_and_is_logged(phone, supervisor_page, db):
    sent = pushed(phone, family())
    response = supervisor_page.post(f"/review/submissions/{sent['id']}/reveal",
                                    data={"path": "members[0].id_number", "revision": "1"},
                                    headers={"HX-Request": "true", "X-CSRF-Token": csrf(supervisor_page)})
    assert response.status_code == 200
    assert response.text.strip() == f'<span class="revealed" data-revealed>{id_number(1)}</span>'
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "pii.reveal")).one()
    assert (event.object_id, event.detail) == (sent["id"], {"path": "members[0].id_number", "revision": 1})
    assert event.actor_name == "supervisor"
    # Without script the page comes back with that one value shown.
    page = post_form(supervisor_page, f"/review/submissions/{sent['id']}/reveal",
                     {"path": "contact_phone"}).text
    assert "13800000001" in page and id_number(1) not in page
    # Only sensitive fields are "revealed"; anything else is not found.
    assert post_form(supervisor_page, f"/review/submissions/{sent['id']}/reveal",
                     {"path": "members[0].full_name"}).status_code == 404


def test_the_api_reveal_is_logged_too(phone, supervisor, db):
    sent = pushed(phone, family())
    assert supervisor.detail(sent["id"])["payload"]["members"][0]["id_number"] == "350524********0016"
    response = supervisor.reveal(sent["id"], "members[0].id_number")
    assert response.json() == {"path": "members[0].id_number", "value": id_number(1)}
    assert db.exec(select(AuditEvent.detail).where(AuditEvent.action == "pii.reveal")).one()["path"] == \
        "members[0].id_number"


def test_revision_two_shows_what_changed(phone, supervisor, supervisor_page):
    sent = pushed(phone, family(phone="15400000000"))
    supervisor.return_(sent["id"], 1, "本人电话有误")
    fixed = family(phone="13800000002")
    fixed["address"] = "示范一村三组12号"
    resubmitted(phone, sent, fixed)
    page = supervisor_page.get(f"/review/submissions/{sent['id']}").text
    diff = page[page.index('data-testid="diff"'):page.index("</section>", page.index('data-testid="diff"'))]
    assert "示例镇示例村三组12号" in diff and "示范一村三组12号" in diff
    assert "154****0000" in diff and "138****0002" in diff and "15400000000" not in diff
    api = supervisor.get(f"/submissions/{sent['id']}/diff", **{"from": 1, "to": 2}).json()
    assert {change["after"] for change in api} == {"示范一村三组12号", "138****0002"}
    # Revision 1 is still there to read, with its flag.
    old = supervisor_page.get(f"/review/submissions/{sent['id']}?revision=1").text
    assert 'data-testid="old-revision"' in old and 'data-flag="phone_invalid"' in old


def test_approving_from_the_page_opens_the_next_household(phone, supervisor_page, db):
    first, second = pushed(phone), pushed(phone)
    response = post_form(supervisor_page, f"/review/submissions/{first['id']}/approve",
                         {"revision": 1, "go_next": "true"})
    assert response.headers["location"] == f"/review/submissions/{second['id']}"
    response = post_form(supervisor_page, f"/review/submissions/{second['id']}/approve",
                         {"revision": 1, "go_next": "true"})
    assert response.headers["location"] == "/review"  # the queue is empty
    assert {row.state for row in db.exec(select(Submission))} == {"approved"}


def test_a_refused_decision_says_why_on_the_page(phone, supervisor_page, make_client):
    sent = pushed(phone)
    other = make_client()
    login(other, "supervisor")
    assert post_form(other, f"/review/submissions/{sent['id']}/approve", {"revision": 1}).status_code == 303
    response = post_form(supervisor_page, f"/review/submissions/{sent['id']}/reject",
                         {"revision": 1, "reason": "重复"})
    assert response.status_code == 409
    assert 'data-code="already_decided"' in response.text and 'data-testid="decide"' not in response.text
    response = post_form(supervisor_page, f"/review/submissions/{sent['id']}/return",
                         {"revision": 1, "comment": "请核对"})
    assert 'data-code="already_decided"' in response.text


def test_returning_from_the_page_needs_a_comment_and_keeps_field_comments(phone, supervisor_page):
    sent = pushed(phone, family())
    refused = post_form(supervisor_page, f"/review/submissions/{sent['id']}/return", {"revision": 1})
    assert refused.status_code == 422 and 'data-code="comment_required"' in refused.text
    supervisor_page.post(f"/review/submissions/{sent['id']}/return", data={
        "csrf_token": csrf(supervisor_page), "revision": "1", "comment": "请补充",
        "field_path": ["members[1].phone", "", "contact_phone"], "field_comment": ["请补本人电话", "x", ""]},
        follow_redirects=False)
    [pulled] = [entry for entry in phone.pull().json()["submissions"] if entry["id"] == sent["id"]]
    assert (pulled["comment"], pulled["field_comments"]) == ("请补充", {"members[1].phone": "请补本人电话"})
    page = supervisor_page.get(f"/review/submissions/{sent['id']}").text
    assert 'data-testid="review-comment"' in page and "请补本人电话" in page


def test_bulk_approval_from_the_page(phone, supervisor_page):
    clean = [pushed(phone, household(address=f"{n}号")) for n in range(3)]
    flagged = pushed(phone, family())
    pushed(phone, family())  # the same people: both flagged with an error
    page = supervisor_page.get("/review").text
    assert page.count("data-clean") == 3
    response = supervisor_page.post("/review/bulk-approve", data={
        "csrf_token": csrf(supervisor_page), "query": "state=submitted",
        "item": [f"{item['id']}:1" for item in clean] + [f"{flagged['id']}:1"]}, follow_redirects=False)
    assert response.headers["location"].endswith("approved=3&refused=1")
    page = supervisor_page.get(response.headers["location"]).text
    assert 'data-testid="bulk-result"' in page and 'data-testid="queue-total"' in page
    assert page.count('class="queue-item"') == 2


def test_village_progress_marking_done_and_settling_targets_from_the_pages(phone, supervisor_page, db):
    page = supervisor_page.get("/review/villages").text
    assert page.count("data-village=") == 3 and "示范三村" in page and "示范四村" not in page
    assert post_form(supervisor_page, "/review/villages/350524100001/done").status_code == 303
    target = db.exec(select(Target).where(Target.village_code == "350524100001")
                     .order_by(col(Target.id))).first()
    assert post_form(supervisor_page, f"/review/targets/{target.id}/settle",
                     {"status": "deceased"}).status_code == 303
    page = supervisor_page.get("/review/villages/350524100001").text
    assert 'data-status="deceased"' in page and "一镇审核员（演示）" in page
    assert target.id_number not in page  # masked
    db.expire_all()
    assert db.get(Target, target.id).status == "deceased"


def test_a_users_trail_page(phone, supervisor, supervisor_page, db):
    sent = pushed(phone)
    supervisor.approve(sent["id"])
    enumerator = db.get(Submission, sent["id"]).owner_id
    page = supervisor_page.get(f"/review/users/{enumerator}").text
    assert 'data-action="submission.received"' in page and f"/review/submissions/{sent['id']}" in page


def test_the_review_api_is_in_the_openapi_document(client):
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/api/v1/review/submissions", "/api/v1/review/submissions/{submission_id}",
                 "/api/v1/review/submissions/{submission_id}/approve",
                 "/api/v1/review/submissions/{submission_id}/return",
                 "/api/v1/review/submissions/{submission_id}/reject",
                 "/api/v1/review/submissions/{submission_id}/reveal",
                 "/api/v1/review/submissions/{submission_id}/diff",
                 "/api/v1/review/submissions/{submission_id}/events", "/api/v1/review/bulk-approve",
                 "/api/v1/review/users/{user_id}/events", "/api/v1/review/villages",
                 "/api/v1/review/villages/{code}/done", "/api/v1/review/targets/{target_id}/settle"):
        assert path in paths, path
