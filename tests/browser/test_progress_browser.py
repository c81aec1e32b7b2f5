"""The county admin opens the progress dashboard on a 360 px phone: the charts are drawn, the
page fits the screen, and tapping a township's bar shows that township's villages."""
import re
import uuid
from datetime import UTC, datetime, timedelta

from playwright.sync_api import expect
from sqlmodel import Session, col, select

from app.accounts.models import User
from app.audit.service import Actor
from app.db import WRITE_OPTION, make_engine
from app.review import progress
from app.submissions import service as submissions
from app.targets.models import Target
from browser_support import log_in, phone_page
from review_support import family, id_number
from sync.canonical import content_hash

TOWNSHIP = "350524100"
VILLAGES = ["350524100001", "350524100002", "350524100003"]


def _seed(database_url: str) -> None:
    """Households of the demo enumerator over four days, and two targets settled."""
    engine = make_engine(database_url)
    with Session(engine) as session:
        session.connection(execution_options={WRITE_OPTION: True})
        user = session.exec(select(User).where(User.username == "enumerator")).one()
        actor = Actor(user.id, user.username)
        for number in range(8):
            payload = family(ids=[id_number(100 + number), id_number(200 + number, "19920202"),
                                  id_number(300 + number, "20160901")])
            submissions.receive(session=session, actor=actor, capture=submissions.Capture(
                id=str(uuid.uuid4()), revision=1, village_code=payload["village_code"],
                form_id="canbao_registration", form_version="2026.1", content_hash=content_hash(payload),
                captured_at=datetime.now(UTC) - timedelta(days=number % 4), payload=payload))
        for target, status in zip(session.exec(select(Target).where(
                col(Target.village_code).in_(VILLAGES)).order_by(col(Target.id))).all()[:2],
                ("moved", "not_found")):
            progress.settle(session=session, actor=actor, target=target, status=status)
        session.commit()
    engine.dispose()


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"{page.url} is {width} px wide"


def test_the_admin_reads_the_progress_charts_on_a_phone(browser, server, database_url):
    _seed(database_url)
    with phone_page(browser, server.url) as page:
        log_in(page, "admin")
        page.get_by_test_id("progress-dashboard").click()
        expect(page).to_have_url(re.compile(r"/reports/progress$"))
        areas = page.locator("#chart-areas")
        expect(areas).to_be_visible()
        expect(areas.locator("g.bar")).to_have_count(3)  # the county's three townships
        expect(page.locator("#chart-days g.column").first).to_be_visible()
        box = areas.bounding_box()
        assert box["width"] > 250 and box["x"] + box["width"] <= 360  # uses the phone's width
        _fits(page)

        areas.locator(f'g.bar[data-key="{TOWNSHIP}"]').tap()
        expect(page).to_have_url(re.compile(rf"/reports/progress\?area={TOWNSHIP}$"))
        villages = page.locator("#chart-areas g.bar")
        expect(villages).to_have_count(3)
        assert [villages.nth(index).get_attribute("data-key") for index in range(3)] == VILLAGES
        expect(page.locator(".crumbs a").first).to_be_visible()  # back up to the county
        expect(page.locator(f'[data-sheet] tr[data-code="{VILLAGES[0]}"]')).to_be_visible()
        _fits(page)
