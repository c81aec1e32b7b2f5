"""Helpers for the browser tests: Debian's Chromium, a phone-sized context, logging in."""
from contextlib import contextmanager

from support import DEMO_PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run"]
PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True, "locale": "zh-CN"}


@contextmanager
def phone_page(browser, base_url):
    """A fresh phone-sized browser (own cookies and storage) with one page open."""
    context = browser.new_context(base_url=base_url, **PHONE)
    try:
        yield context.new_page()
    finally:
        context.close()


def log_in(page, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def app_log_in(page, username: str, password: str = DEMO_PASSWORD) -> None:
    """Log in to the offline app and wait until the first sync brought the forms."""
    from playwright.sync_api import expect

    page.goto("/app")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    expect(page.locator("[data-form-select] option")).not_to_have_count(0, timeout=20000)


def register_household(page, address: str) -> None:
    """Nobody home: the shortest complete visit, registered through the real form. Back on
    the home page it is listed as waiting, or already sent when there is signal."""
    import re

    from playwright.sync_api import expect

    page.get_by_role("button", name="登记新户").click()
    page.get_by_label("现居住地址").fill(address)
    page.get_by_text("无人在家，需再访").click()
    page.get_by_role("button", name="提交").click()
    expect(page).to_have_url(re.compile(r"/app$"))
    listed = page.locator('[data-records="queued"], [data-records="sent"]').get_by_text(address)
    expect(listed).to_have_count(1)
