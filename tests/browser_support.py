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
