"""Filling the 全民参保登记表 on a phone: skip logic, the ID checked as it is typed, sex and
birth date filled from the ID, three members, and the server agreeing with the page."""
import re

from playwright.sync_api import expect

from browser_support import log_in

FAMILY = [
    {"full_name": "张三", "id_number": "35052419800101029X", "sex": "男", "birth_date": "1980-01-01",
     "choices": {"relation": "head", "hukou_type": "agricultural", "residence_same": "same",
                 "personal_status": "employee", "employment": "unit_employed", "special_groups": "none",
                 "pension_status": "enrolled", "pension_scheme": "enterprise", "medical_status": "enrolled",
                 "medical_scheme": "employee", "unit_type": "enterprise", "work_injury_status": "enrolled",
                 "unemployment_status": "enrolled", "maternity_status": "enrolled"},
     "texts": {"hukou_place": "福建省泉州市安溪县示例镇示例村", "employer": "示例建材有限公司"}},
    {"full_name": "阿依古丽·买买提", "id_number": "350524198506150124", "sex": "女", "birth_date": "1985-06-15",
     "choices": {"relation": "spouse", "hukou_type": "unified", "residence_same": "same",
                 "personal_status": "resident", "employment": "farming", "special_groups": "poverty_alleviated",
                 "pension_status": "enrolled", "pension_scheme": "resident", "medical_status": "enrolled",
                 "medical_scheme": "resident"},
     "texts": {"hukou_place": "福建省泉州市安溪县示例镇示例村"}},
    {"full_name": "张小明", "id_number": "350524201609010110", "sex": "男", "birth_date": "2016-09-01",
     "choices": {"relation": "child", "hukou_type": "agricultural", "residence_same": "same",
                 "personal_status": "student", "special_groups": "none", "medical_status": "enrolled",
                 "medical_scheme": "resident"},
     "texts": {"hukou_place": "福建省泉州市安溪县示例镇示例村"}},
]


def _open_form(page):
    log_in(page, "enumerator")
    page.get_by_role("link", name="全民参保登记表").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("全民参保登记表")


def _field(scope, name):
    return scope.locator(f'[data-field="{name}"]')


def _choose(scope, name, value):
    """Tick the choice, whether the list is shown as buttons or (long lists) a drop-down."""
    field = _field(scope, name)
    if field.locator("select").count():
        field.locator("select").select_option(value)
    else:
        field.locator(f'input[value="{value}"]').check()


def test_household_of_three_with_live_rules(phone):
    _open_form(phone)
    members = phone.locator('section[data-repeat="members"]')
    expect(_field(phone, "village_code").locator("input")).to_have_value("350524100001")

    phone.get_by_label("现居住地址").fill("示例镇示例村三组12号")
    # Skip logic: members are asked only for a registered visit.
    expect(members).to_be_hidden()
    phone.get_by_text("已登记", exact=True).click()
    expect(members).to_be_visible()
    phone.get_by_text("无人在家，需再访").click()
    expect(members).to_be_hidden()
    phone.get_by_text("已登记", exact=True).click()
    expect(members).to_be_visible()
    _choose(phone, "household_type", "family")

    first = phone.locator("[data-instance]").nth(0)
    id_input = _field(first, "id_number").locator("input")
    # A mistyped ID (last digit wrong) is refused as soon as all 18 characters are in.
    id_input.fill("350524198001010291")
    expect(_field(first, "id_number").get_by_role("alert")).to_contain_text("身份证号码")
    # The X key for phones whose number pad has none.
    id_input.fill("35052419800101029")
    _field(first, "id_number").get_by_role("button", name="X").click()
    expect(id_input).to_have_value("35052419800101029X")
    expect(_field(first, "id_number").get_by_role("alert")).to_be_hidden()
    # Sex and birth date come from the number.
    expect(_field(first, "sex").get_by_label("男")).to_be_checked()
    expect(_field(first, "birth_date").locator("input")).to_have_value("1980-01-01")

    for index, person in enumerate(FAMILY):
        if index:
            phone.get_by_role("button", name="添加成员").click()
        member = phone.locator("[data-instance]").nth(index)
        _field(member, "full_name").locator("input").fill(person["full_name"])
        _field(member, "id_number").locator("input").fill(person["id_number"])
        expect(_field(member, "sex").get_by_label(person["sex"])).to_be_checked()
        expect(_field(member, "birth_date").locator("input")).to_have_value(person["birth_date"])
        for name, value in person["choices"].items():
            _choose(member, name, value)
        for name, value in person["texts"].items():
            _field(member, name).locator("input").fill(value)

    first = phone.locator("[data-instance]").nth(0)
    # The employer is asked only of someone employed by a unit.
    expect(_field(first, "employer")).to_be_visible()
    expect(_field(phone.locator("[data-instance]").nth(1), "employer")).to_be_hidden()
    # A child is not asked about employment at all.
    expect(_field(phone.locator("[data-instance]").nth(2), "employment")).to_be_hidden()
    expect(phone.locator("[data-instance-number]")).to_have_text(["1", "2", "3"])

    phone.get_by_role("button", name="检查").click()
    expect(phone.get_by_role("status")).to_have_text(re.compile("服务器.*通过"))


def test_missing_answers_are_marked_and_the_first_is_focused(phone):
    _open_form(phone)
    phone.get_by_role("button", name="检查").click()
    expect(phone.locator("[data-form-summary]")).to_contain_text("处需要修改")
    expect(_field(phone, "address").get_by_role("alert")).to_have_text("此项必填")
    expect(_field(phone, "address").locator("input")).to_be_focused()


def test_an_answer_that_breaks_a_rule_shows_the_forms_own_message(phone):
    _open_form(phone)
    phone.get_by_text("已登记", exact=True).click()
    member = phone.locator("[data-instance]").nth(0)
    _field(member, "id_number").locator("input").fill("350524198506150124")
    # Pick the sex that disagrees with the ID (its 17th digit is even: female).
    _choose(member, "sex", "1")
    _field(member, "sex").locator('input[value="1"]').blur()
    expect(_field(member, "sex").get_by_role("alert")).to_contain_text("性别与身份证号码不一致")
