"""On a phone, the county admin opens 调度表（一）for a township and a date, reads its figures
in a table that scrolls inside its box, then switches to 调度表（二）; both offer their XLSX and
CSV downloads."""
import re

from playwright.sync_api import expect
from sqlmodel import Session

from app import demo
from app.db import make_engine
from app.reports import dispatch
from app.reports.periods import current_quarter, today
from app.reports.rules import default_rules
from browser_support import log_in

TOWNSHIP = "350524100"


def _seeded(database_url: str) -> tuple[dict, dict]:
    """The demo households, and the township's totals as the report code counts them."""
    engine = make_engine(database_url)
    with Session(engine) as session:
        demo.seed_households(session)
        session.commit()
        year, quarter = current_quarter()
        one = dispatch.dispatch_one(session, TOWNSHIP, today(), default_rules()).total.values
        two = dispatch.dispatch_two(session, TOWNSHIP, year, quarter, default_rules()).total.values
    engine.dispose()
    return one, two


def test_the_admin_reads_both_dispatch_tables_of_a_township_on_a_phone(phone, database_url):
    one, two = _seeded(database_url)
    assert one["population"] > 0 and two["pension_done"] > 0
    log_in(phone, "admin")
    expect(phone).to_have_url(re.compile(r"/admin$"))
    phone.goto("/reports")
    form = phone.get_by_test_id("form-dispatch-1")
    form.locator('select[name="area"]').select_option(TOWNSHIP)
    form.locator('input[name="date"]').fill(today().isoformat())
    form.locator('button[type="submit"]').click()
    expect(phone).to_have_url(re.compile(rf"/reports/dispatch-1\?area={TOWNSHIP}&date={today().isoformat()}$"))

    table = phone.locator('section.sheet')
    total = table.locator("tfoot tr").first
    expect(total.locator("td").nth(0)).to_have_text(str(one["population"]))
    expect(total.locator("td").nth(4)).to_have_text(str(one["pension_should"]))
    expect(table.locator("tbody tr")).to_have_count(3)  # the township's three villages
    # The wide table scrolls inside its box; the page itself stays phone-wide.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert phone.locator(".sheet-scroll").evaluate("box => box.scrollWidth > box.clientWidth")
    downloads = phone.get_by_test_id("downloads")
    expect(downloads.locator('[data-format="xlsx"]')).to_have_attribute("href", re.compile(r"format=xlsx"))
    expect(downloads.locator('[data-format="csv"]')).to_have_attribute("href", re.compile(r"format=csv"))
    with phone.expect_download() as caught:
        downloads.locator('[data-format="xlsx"]').click()
    assert caught.value.suggested_filename.endswith(".xlsx")

    phone.locator('[data-report-tab="dispatch-2"]').click()
    expect(phone).to_have_url(re.compile(rf"/reports/dispatch-2\?area={TOWNSHIP}$"))
    total = phone.locator("section.sheet tfoot tr").first
    expect(total.locator("td").nth(0)).to_have_text(str(two["pension_task"]))
    expect(total.locator("td").nth(1)).to_have_text(str(two["pension_done"]))
    expect(total.locator("td").nth(2)).to_have_text(f"{two['pension_rate'] * 100:.1f}%")
    expect(phone.get_by_test_id("downloads").locator('[data-format="csv"]')).to_be_visible()
