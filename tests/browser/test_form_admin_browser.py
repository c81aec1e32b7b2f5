"""The county admin puts a new question on the phones: upload an XLSForm, preview, publish."""
from playwright.sync_api import expect

from app.forms.xlsform import write_xlsx
from browser_support import log_in, phone_page
from form_samples import local_version


def test_admin_publishes_a_new_question_that_the_enumerator_then_sees(browser, live_server, tmp_path):
    xlsx = tmp_path / "county-form.xlsx"
    xlsx.write_bytes(write_xlsx(local_version()))
    with phone_page(browser, live_server) as admin:
        log_in(admin, "admin")
        admin.get_by_role("link", name="表单").click()
        admin.locator('input[type="file"]').set_input_files(str(xlsx))
        admin.get_by_role("button", name="上传").click()
        expect(admin.get_by_test_id("form-status")).to_have_text("草稿")
        # The preview is the real form: its new question answers to the same live rules.
        expect(admin.get_by_text("是否茶农户")).to_be_visible()
        admin.get_by_role("button", name="检查").click()
        expect(admin.locator('[data-field="tea_farmer"]').get_by_role("alert")).to_have_text("此项必填")
        admin.get_by_role("button", name="发布").click()
        expect(admin.get_by_test_id("form-status")).to_have_text("已发布")

    with phone_page(browser, live_server) as enumerator:
        log_in(enumerator, "enumerator")
        expect(enumerator.get_by_test_id("my-forms")).to_contain_text("2026.2")
        enumerator.get_by_role("link", name="全民参保登记表").click()
        expect(enumerator.get_by_text("是否茶农户")).to_be_visible()
