"""The review loop in Chromium, on two phones: an enumerator submits a household; the supervisor
returns it with a comment; the enumerator, without signal, reads the comment, fixes the field
and submits again; back online it syncs; the supervisor sees revision 2 with the change and
approves it."""
import re

from playwright.sync_api import expect
from sqlmodel import Session, select

from app.db import make_engine
from app.submissions.models import Submission, SubmissionRevision
from browser_support import PHONE, app_log_in, log_in, phone_page, register_household


def _sync_until(page, condition, timeout_s=60):
    """Press 立即同步 until the condition holds (the sync loop backs off after failures)."""
    for _ in range(timeout_s):
        if condition():
            return
        page.get_by_role("button", name="立即同步").click()
        page.wait_for_timeout(1000)
    raise AssertionError("the phone did not sync")


def _rows(database_url):
    engine = make_engine(database_url)
    with Session(engine) as session:
        found = session.exec(select(Submission)).all(), session.exec(select(SubmissionRevision)).all()
    engine.dispose()
    return found


def test_returned_fixed_offline_resubmitted_and_approved(browser, server, database_url):
    context = browser.new_context(base_url=server.url, **PHONE)
    enumerator = context.new_page()
    app_log_in(enumerator, "enumerator")
    enumerator.wait_for_function("navigator.serviceWorker.controller !== null")
    register_household(enumerator, "示范一村一组")
    outbox = enumerator.locator("[data-outbox-count]")
    _sync_until(enumerator, lambda: outbox.inner_text() == "0")

    with phone_page(browser, server.url) as supervisor:
        log_in(supervisor, "supervisor")
        expect(supervisor).to_have_url(re.compile(r"/review$"))
        supervisor.locator(".queue-item").filter(has_text="示范一村一组").get_by_role("link").click()
        supervisor.locator('[data-action="open-return"]').click()
        supervisor.locator('textarea[name="comment"]').fill("地址请写到门牌号")
        supervisor.locator('[data-action="return"]').click()
        expect(supervisor).to_have_url(re.compile(r"/review$"))  # nothing else awaits review
        supervisor.locator('[data-state-tab="returned"]').click()
        supervisor.locator(".queue-item").filter(has_text="示范一村一组").get_by_role("link").click()
        expect(supervisor.get_by_test_id("review-comment")).to_contain_text("地址请写到门牌号")

        # The phone pulls the verdict while it still has signal, then loses it.
        returned = enumerator.locator('[data-records="returned"]')
        _sync_until(enumerator, lambda: "地址请写到门牌号" in returned.inner_text())
        context.set_offline(True)
        enumerator.reload()
        expect(returned).to_contain_text("地址请写到门牌号")
        returned.get_by_role("link", name="打开").click()
        expect(enumerator.locator("[data-comment]")).to_have_text("地址请写到门牌号")
        address = enumerator.get_by_label("现居住地址")
        expect(address).to_have_value("示范一村一组")
        address.fill("示范一村一组12号")
        enumerator.get_by_role("button", name="提交").click()
        expect(enumerator).to_have_url(re.compile(r"/app$"))
        expect(outbox).to_have_text("1")

        # Signal again: revision 2 reaches the server.
        context.set_offline(False)
        _sync_until(enumerator, lambda: outbox.inner_text() == "0")
        submissions, revisions = _rows(database_url)
        assert [(row.revision, row.state, row.address) for row in submissions] == [
            (2, "submitted", "示范一村一组12号")]
        assert sorted(row.revision for row in revisions) == [1, 2]

        supervisor.goto("/review")
        supervisor.locator(".queue-item").filter(has_text="示范一村一组12号").get_by_role("link").click()
        expect(supervisor.get_by_test_id("household-title")).to_contain_text("示范一村一组12号")
        diff = supervisor.get_by_test_id("diff")
        expect(diff).to_contain_text("示范一村一组")
        expect(diff.locator("ins")).to_have_text("示范一村一组12号")
        expect(supervisor.get_by_test_id("revisions").locator("li")).to_have_count(2)
        supervisor.locator('[data-action="approve"]').click()
        expect(supervisor).to_have_url(re.compile(r"/review$"))  # nothing else awaits review
        expect(supervisor.get_by_test_id("queue-empty")).to_be_visible()

    submissions, _ = _rows(database_url)
    assert [(row.revision, row.state) for row in submissions] == [(2, "approved")]
    # The phone learns the verdict: nothing left to fix, the household approved.
    sent = enumerator.locator('[data-records="sent"]')
    _sync_until(enumerator, lambda: "已通过" in sent.inner_text())
    expect(enumerator.locator('[data-list="returned"]')).to_be_hidden()
    context.close()
