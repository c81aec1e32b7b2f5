"""A morning without signal: the app opens from the phone's cache, three households are
registered, the browser is closed and opened again, and when the signal comes back every
household reaches the server exactly once — also when many sync requests are cut off."""
import random
import re

from playwright.sync_api import expect
from sqlmodel import Session, select

from app.db import make_engine
from app.submissions.models import Submission, SubmissionRevision
from browser_support import CHROMIUM, CHROMIUM_ARGS, PHONE, app_log_in, register_household


def _server_rows(database_url):
    engine = make_engine(database_url)
    with Session(engine) as session:
        submissions = session.exec(select(Submission)).all()
        revisions = session.exec(select(SubmissionRevision)).all()
    engine.dispose()
    return submissions, revisions


def _launch(playwright, profile, base_url):
    return playwright.chromium.launch_persistent_context(
        str(profile), executable_path=CHROMIUM, args=CHROMIUM_ARGS, base_url=base_url, **PHONE)


def _wait_until_sent(page, timeout_s=60):
    outbox = page.locator("[data-outbox-count]")
    for _ in range(timeout_s):
        if outbox.inner_text() == "0":
            return
        page.get_by_role("button", name="立即同步").click()
        page.wait_for_timeout(1000)
    raise AssertionError(f"outbox still holds {outbox.inner_text()} records")


def test_three_households_registered_offline_arrive_once(playwright, server, database_url, tmp_path):
    profile = tmp_path / "phone-profile"
    context = _launch(playwright, profile, server.url)
    page = context.pages[0] if context.pages else context.new_page()
    app_log_in(page, "enumerator")
    page.wait_for_function("navigator.serviceWorker.controller !== null")

    # No signal: the server is out of reach and the browser knows it is offline.
    server.stop()
    context.set_offline(True)
    page.reload()
    expect(page.get_by_test_id("sync-status")).to_contain_text("一镇登记员")
    addresses = ["示范一村一组1号", "示范一村一组2号", "示范一村一组3号"]
    for address in addresses:
        register_household(page, address)
    expect(page.locator("[data-outbox-count]")).to_have_text("3")
    context.close()

    # The phone was switched off and on: the browser starts again, still without signal.
    context = _launch(playwright, profile, server.url)
    context.set_offline(True)
    page = context.pages[0] if context.pages else context.new_page()
    page.goto("/app")
    expect(page.locator("[data-outbox-count]")).to_have_text("3")
    expect(page.locator('[data-records="queued"]')).to_contain_text("示范一村一组2号")

    server.start()
    context.set_offline(False)
    _wait_until_sent(page)
    expect(page.locator('[data-records="sent"]')).to_contain_text("示范一村一组3号")
    context.close()

    submissions, revisions = _server_rows(database_url)
    assert sorted(s.address for s in submissions) == addresses
    assert len(revisions) == 3 and {s.revision for s in submissions} == {1}


def test_cut_off_sync_requests_still_deliver_everything_once(browser, server, database_url):
    context = browser.new_context(base_url=server.url, service_workers="block", **PHONE)
    page = context.new_page()
    app_log_in(page, "enumerator")
    dice = random.Random(20261123)
    cut = {"before": 0, "after": 0}

    def flaky(route):
        roll = dice.random()
        if roll < 0.15:
            cut["before"] += 1
            route.abort("connectionreset")  # never reached the server
        elif roll < 0.30:
            route.fetch()  # the server did the work ...
            cut["after"] += 1
            route.abort("connectionreset")  # ... and the answer was lost on the way back
        else:
            route.continue_()

    page.route(re.compile(r"/api/v1/sync/"), flaky)
    addresses = [f"示范二村二组{number}号" for number in range(1, 7)]
    for address in addresses:
        register_household(page, address)
    _wait_until_sent(page, timeout_s=120)
    # The app keeps syncing in the background: a pull caught in flaky() while the context
    # closes would fail in whichever test runs next.
    page.unroute_all(behavior="ignoreErrors")
    context.close()

    assert cut["before"] and cut["after"], cut  # the dice really did cut requests both ways
    submissions, revisions = _server_rows(database_url)
    assert sorted(s.address for s in submissions) == sorted(addresses)
    assert len(revisions) == len(addresses)
