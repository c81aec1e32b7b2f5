"""The offline app on a shared phone, with a revoked token, and across an app update."""
import re

from playwright.sync_api import expect
from sqlalchemy import text
from sqlmodel import Session, select

from app.capture import shell
from app.db import make_engine
from app.submissions.models import Submission
from browser_support import app_log_in, register_household


def _start_draft(page, address):
    page.get_by_role("button", name="登记新户").click()
    page.get_by_label("现居住地址").fill(address)
    page.get_by_label("现居住地址").blur()
    page.get_by_role("link", name="返回我的登记").click()
    expect(page.locator('[data-records="draft"]')).to_contain_text(address)


def _log_out(page):
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="退出").click()
    expect(page.get_by_role("button", name="登录")).to_be_visible()


def _sql(database_url, statement):
    engine = make_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text(statement))
    engine.dispose()


def test_a_shared_phone_keeps_each_users_records_apart(phone):
    app_log_in(phone, "enumerator")
    _start_draft(phone, "甲的草稿1号")
    _log_out(phone)  # warns about the unsent draft; the dialog is accepted

    app_log_in(phone, "enumerator2")
    expect(phone.locator('[data-records="draft"]')).not_to_contain_text("甲的草稿1号")
    expect(phone.locator("[data-account-name]")).to_have_text("二镇登记员（演示）")
    _log_out(phone)

    app_log_in(phone, "enumerator")
    expect(phone.locator('[data-records="draft"]')).to_contain_text("甲的草稿1号")


def test_a_revoked_token_asks_for_the_password_and_keeps_the_records(phone, database_url):
    app_log_in(phone, "enumerator")
    _sql(database_url, "UPDATE devicetoken SET revoked_at = CURRENT_TIMESTAMP")
    phone.get_by_role("button", name="登记新户").click()
    phone.get_by_label("现居住地址").fill("吊销后登记1号")
    phone.get_by_text("无人在家，需再访").click()
    phone.get_by_role("button", name="提交").click()
    expect(phone.locator("[data-login-reason]")).to_contain_text("登录已失效")

    app_log_in(phone, "enumerator")
    expect(phone.locator('[data-records="sent"]')).to_contain_text("吊销后登记1号", timeout=20000)
    engine = make_engine(database_url)
    with Session(engine) as session:
        assert [s.address for s in session.exec(select(Submission))] == ["吊销后登记1号"]
    engine.dispose()


def test_an_app_update_waits_for_the_person_and_keeps_drafts_openable(phone, server, monkeypatch):
    app_log_in(phone, "enumerator")
    phone.wait_for_function("navigator.serviceWorker.controller !== null")
    _start_draft(phone, "更新前的草稿1号")

    monkeypatch.setattr(shell, "shell_version", lambda: "test-next-version")
    phone.reload()  # the browser checks for a new worker on navigation
    banner = phone.locator("[data-update-banner]")
    expect(banner).to_be_visible(timeout=20000)
    # The old version keeps serving until the person chooses: the draft is still here.
    expect(phone.locator('[data-records="draft"]')).to_contain_text("更新前的草稿1号")
    banner.get_by_role("button", name="立即更新").click()
    expect(banner).to_be_hidden(timeout=20000)
    phone.wait_for_function("navigator.serviceWorker.controller.scriptURL.endsWith('/app/sw.js')")

    # After the update, with no network, the draft and its form still open.
    server.stop()
    phone.context.set_offline(True)
    phone.reload()
    phone.locator('[data-records="draft"]').get_by_role("link", name="打开").click()
    expect(phone.get_by_label("现居住地址")).to_have_value("更新前的草稿1号")
    expect(phone).to_have_url(re.compile(r"/app/forms/350524/canbao_registration/2026\.1#draft="))
