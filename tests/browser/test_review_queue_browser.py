"""A supervisor clears a queue of 200 households on a 360 px phone: the clean ones in bulk, a
page at a time; the flagged ones one by one, each decision opening the next household. Every
page fits the screen (no sideways scrolling) and the whole queue takes a few dozen taps."""
import re
import uuid
from datetime import UTC, datetime

from playwright.sync_api import expect
from sqlmodel import Session, func, select

from app.accounts.models import User
from app.audit.service import Actor
from app.db import WRITE_OPTION, make_engine
from app.submissions import service as submissions
from app.submissions.models import Submission
from browser_support import log_in, phone_page
from review_support import family, id_number
from sync.canonical import content_hash
from sync_support import household

CLEAN, PAIRS = 190, 5  # 190 without a flag, 5 pairs of households naming the same person


def _seed(database_url: str) -> None:
    payloads = [household(address=f"示范一村{n}号") for n in range(CLEAN)]
    for pair in range(PAIRS):
        people = [id_number(100 + pair), id_number(200 + pair, "19920202"), id_number(300 + pair, "20160901")]
        payloads += [family(ids=people) | {"address": f"重复户{pair}-{twin}"} for twin in "AB"]
    engine = make_engine(database_url)
    with Session(engine) as session:
        session.connection(execution_options={WRITE_OPTION: True})
        user = session.exec(select(User).where(User.username == "enumerator")).one()
        for payload in payloads:
            submissions.receive(session=session, actor=Actor(user.id, user.username), capture=submissions.Capture(
                id=str(uuid.uuid4()), revision=1, village_code=payload["village_code"],
                form_id="canbao_registration", form_version="2026.1", content_hash=content_hash(payload),
                captured_at=datetime.now(UTC), payload=payload))
        session.commit()
    engine.dispose()


def _states(database_url: str) -> dict[str, int]:
    engine = make_engine(database_url)
    with Session(engine) as session:
        counts = dict(session.exec(select(Submission.state, func.count()).group_by(Submission.state)).all())
    engine.dispose()
    return counts


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"{page.url} is {width} px wide"


def test_a_supervisor_clears_200_households_on_a_phone(browser, server, database_url):
    _seed(database_url)
    taps = 0
    with phone_page(browser, server.url) as page:
        log_in(page, "supervisor")
        expect(page.locator('[data-state-tab="submitted"] .count')).to_have_text("200")
        _fits(page)
        # Clean households: tick all on the page, approve; 50 at a time.
        while page.locator("input[data-clean]").count():
            page.locator("[data-select-clean]").click()
            page.locator('[data-action="bulk-approve"]').click()
            taps += 2
            expect(page.get_by_test_id("bulk-result")).to_be_visible()
            _fits(page)
        expect(page.locator('[data-state-tab="submitted"] .count')).to_have_text(str(2 * PAIRS))
        # The flagged ones: one by one. Of each pair, the first is approved and the second,
        # now "already in the registry", rejected; each decision opens the next household.
        page.locator(".queue-item a").first.click()
        taps += 1
        for _ in range(PAIRS):
            expect(page.locator('[data-flag="id_duplicate_other"]').first).to_be_visible()
            _fits(page)
            page.locator('[data-action="approve"]').click()
            taps += 1
            expect(page.locator('[data-flag="id_in_registry"]').first).to_be_visible()
            page.locator('[data-action="open-reject"]').click()
            page.locator('textarea[name="reason"]').fill("与已通过的一户重复")
            page.locator('[data-action="reject"]').click()
            taps += 3
        expect(page).to_have_url(re.compile(r"/review$"))
        expect(page.get_by_test_id("queue-empty")).to_be_visible()
    assert _states(database_url) == {"approved": CLEAN + PAIRS, "rejected": PAIRS}
    print(f"\n200 households cleared at 360 px with {taps} taps (and {PAIRS} typed reasons)")
    assert taps <= 40
