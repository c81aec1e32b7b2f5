"""Each demo user logs in on a phone-sized screen and lands on their role's home page."""
import re

import pytest
from playwright.sync_api import expect

from browser_support import log_in
from support import DEMO_PASSWORD


def _log_in(page, username, password=DEMO_PASSWORD):
    log_in(page, username, password)


@pytest.mark.parametrize("username,path,heading", [
    ("admin", "/admin", "全县概况"),
    ("supervisor", "/review", "审核"),
    ("supervisor2", "/review", "审核"),
    ("enumerator", "/enumerator", "我的村/社区"),
    ("enumerator2", "/enumerator", "我的村/社区"),
])
def test_demo_user_lands_on_role_home(phone, username, path, heading):
    _log_in(phone, username)
    expect(phone).to_have_url(re.compile(rf"^http://127\.0\.0\.1:\d+{path}$"))
    expect(phone.get_by_role("heading", level=1)).to_have_text(heading)
    expect(phone.get_by_test_id("current-user")).to_contain_text("演示")
    # Mobile-first: nothing forces sideways scrolling on a 360 px screen.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360


def test_enumerator_sees_own_villages_only(phone):
    _log_in(phone, "enumerator")
    villages = phone.get_by_test_id("my-villages")
    expect(villages).to_contain_text("示范一村")
    expect(villages).to_contain_text("示范二村")
    expect(villages).not_to_contain_text("示范四村")


def test_wrong_password_shows_the_chinese_error(phone):
    _log_in(phone, "enumerator", "wrong-password")
    expect(phone.get_by_role("alert")).to_have_text("用户名或密码错误。")
    expect(phone).to_have_url(re.compile(r"/login$"))
    expect(phone.get_by_label("用户名")).to_have_value("enumerator")


def test_logout_returns_to_login(phone):
    _log_in(phone, "supervisor")
    phone.get_by_role("button", name="退出").click()
    expect(phone.get_by_role("button", name="登录")).to_be_visible()
    phone.goto("/review")
    expect(phone.get_by_role("button", name="登录")).to_be_visible()
