"""The report pages, downloads and API as their users meet them: scoped like the rest of the app,
XLSX in the source layout, the rules page refusing a bad file, the plan grid round-trip."""
import io

import openpyxl
import pytest
from sqlmodel import Session, func, select

from app import demo
from app.audit.models import AuditEvent
from app.reports.models import ExpansionPlan, ReportRules
from app.reports.periods import today
from app.reports.rules import DEFAULT_PATH
from support import device_token, login, post_form

TOWNSHIP, OTHER_TOWNSHIP, VILLAGE = "350524100", "350524101", "350524100001"


@pytest.fixture
def households(app):
    """The demo county's approved households and expansion plans."""
    with Session(app.state.engine) as session:
        assert demo.seed_households(session) == 27
        session.commit()


@pytest.fixture
def admin(make_client):
    browser = make_client()
    assert login(browser, "admin").status_code == 303
    return browser


@pytest.fixture
def supervisor(make_client):
    browser = make_client()
    assert login(browser, "supervisor").status_code == 303
    return browser


def test_a_supervisor_sees_their_township_and_nothing_else(supervisor, client):
    token = {"Authorization": f"Bearer {device_token(client, 'supervisor')}"}
    for path, query in (("dispatch-1", "date=2026-06-30"), ("dispatch-2", "year=2026&quarter=2"),
                        ("ledger", "year=2026")):
        assert supervisor.get(f"/reports/{path}?area={TOWNSHIP}&{query}").status_code == 200
        assert supervisor.get(f"/reports/{path}?area={VILLAGE}&{query}").status_code == 200
        for area in (OTHER_TOWNSHIP, "350524101001", "350524"):
            page = supervisor.get(f"/reports/{path}?area={area}&{query}")
            download = supervisor.get(f"/reports/{path}?area={area}&{query}&format=xlsx")
            api = client.get(f"/api/v1/reports/{path}?area={area}&{query}", headers=token)
            assert (page.status_code, download.status_code, api.status_code) == (404, 404, 404), (path, area)
            assert api.json()["code"] == "not_found"
    # Without an area, their own township.
    assert client.get("/api/v1/reports/dispatch-1", headers=token).json()["area_code"] == TOWNSHIP
    assert supervisor.get("/admin/reports/rules").status_code == 403
    enumerator = {"Authorization": f"Bearer {device_token(client, 'enumerator')}"}
    assert client.get(f"/api/v1/reports/dispatch-1?area={VILLAGE}", headers=enumerator).status_code == 403


def test_the_page_shows_the_figures_links_down_and_offers_the_downloads(households, admin):
    day = today().isoformat()
    figures = admin.get(f"/api/v1/reports/dispatch-1?area=350524&date={day}").json()
    page = admin.get(f"/reports/dispatch-1?area=350524&date={day}")
    assert page.status_code == 200
    html = page.text
    assert f'href="/reports/dispatch-1?area={TOWNSHIP}&amp;date={day}"' in html  # drill-down
    assert f"/reports/dispatch-1?area=350524&amp;date={day}&amp;format=xlsx" in html
    assert f"/reports/dispatch-1?area=350524&amp;date={day}&amp;format=csv" in html
    assert 'data-testid="report-problems"' not in html
    assert "2026.1" in html
    total = figures["total"]["values"]["population"]
    assert total > 0 and f'<td class="num">{total}</td>' in html.split("<tfoot>")[1]


def test_the_xlsx_has_the_source_layout_and_the_same_numbers(households, admin, client):
    day = today().isoformat()
    token = {"Authorization": f"Bearer {device_token(client, 'admin')}"}
    figures = client.get(f"/api/v1/reports/dispatch-1?area=350524&date={day}", headers=token).json()
    response = admin.get(f"/reports/dispatch-1?area=350524&date={day}&format=xlsx")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cells = [[cell.value for cell in row] for row in sheet.iter_rows()]
    merged = {str(block) for block in sheet.merged_cells.ranges}
    header = next(index for index, row in enumerate(cells) if row[1] == "户籍情况")
    top = header + 1  # openpyxl counts from 1
    # 填报单位 spans the three header rows; 户籍情况 four columns; 数据比对核查情况 ten; each
    # insurance two; the four population headings two rows each.
    assert {f"A{top}:A{top + 2}", f"B{top}:E{top}", f"F{top}:O{top}", f"F{top + 1}:G{top + 1}",
            f"N{top + 1}:O{top + 1}", f"B{top + 1}:B{top + 2}"} <= merged
    assert cells[header + 1][5] == "基本养老保险" and cells[header + 2][5:7] == ["应参保人数", "未参保人数"]
    assert cells[header + 3] == ["甲栏", *map(str, range(1, 15))]
    total = cells[header + 4 + len(figures["rows"])]
    assert total[0] == "合计"
    assert total[1:] == list(figures["total"]["values"].values())
    assert total[1] > 0
    assert [row[0] for row in cells[header + 4:header + 4 + 3]] == ["演示一镇", "演示二镇", "演示三乡"]

    csv = admin.get(f"/reports/dispatch-2?area=350524&year={today().year}&quarter=4&format=csv")
    assert csv.status_code == 200 and csv.content.startswith("\ufeff".encode())
    assert "合计" in csv.content.decode("utf-8-sig")
    two = openpyxl.load_workbook(io.BytesIO(admin.get(
        f"/reports/dispatch-2?area=350524&year={today().year}&quarter=4&format=xlsx").content)).active
    rows = [[cell.value for cell in row] for row in two.iter_rows()]
    assert any(row[0] == "合计" for row in rows) and any(row[0] == "甲栏" and row[-1] == "20" for row in rows)


def test_a_planted_inconsistency_is_shown_on_the_page(households, admin):
    # The demo's adults are 16 to 41: a pension age limit of 30 leaves some out of column 5.
    capped = DEFAULT_PATH.read_text("utf-8").replace('version: "2026.1"', 'version: "cap-30"').replace(
        "    min_age: 16\n    unless:", "    min_age: 16\n    max_age: 30\n    unless:", 1)
    saved = post_form(admin, "/admin/reports/rules", {"source": capped})
    assert saved.status_code == 303
    page = admin.get(f"/reports/dispatch-1?area=350524&date={today().isoformat()}")
    assert 'data-testid="report-problems"' in page.text and "cap-30" in page.text
    workbook = openpyxl.load_workbook(io.BytesIO(admin.get(
        f"/reports/dispatch-1?area=350524&date={today().isoformat()}&format=xlsx").content)).active
    assert any("5" in str(row[-1].value) for row in workbook.iter_rows() if row[0].value == "合计")


def _rules_rows(db) -> int:
    db.expire_all()
    return db.exec(select(func.count()).select_from(ReportRules)).one()


def test_a_bad_rules_file_is_refused_with_every_problem_and_nothing_saved(admin, db):
    bad = "version: ''\nnot_enrolled: [gone]\nenrolled: [enrolled]\nstudents: {}\nmilitary: {employment: [military]}\ninsurances: {pension: {min_age: 200}}\n"
    response = post_form(admin, "/admin/reports/rules", {"source": bad})
    assert response.status_code == 422
    for expected in ("版本号应为1到32个字符", "未知的参保状态：gone", "年龄应为0到150的整数", "缺少这一项"):
        assert expected in response.text
    assert "min_age: 200" in response.text  # what was typed stays in the box
    assert _rules_rows(db) == 0
    uploaded = post_form(admin, "/admin/reports/rules", files={"file": ("rules.yaml", b"version: [", "text/yaml")})
    assert uploaded.status_code == 422 and "不是有效的YAML" in uploaded.text
    assert _rules_rows(db) == 0
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "report_rules.saved")).first() is None

    good = DEFAULT_PATH.read_text("utf-8").replace('version: "2026.1"', 'version: "2026.5"')
    taken = post_form(admin, "/admin/reports/rules", {"source": DEFAULT_PATH.read_text("utf-8")})
    assert taken.status_code == 409 and _rules_rows(db) == 0
    assert post_form(admin, "/admin/reports/rules", files={
        "file": ("rules.yaml", good.encode(), "text/yaml")}).status_code == 303
    assert _rules_rows(db) == 1
    assert "2026.5" in admin.get("/admin/reports/rules").text
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "report_rules.saved")).one()
    assert event.detail == {"version": "2026.5"}


def _plans(db) -> set:
    db.expire_all()
    return {(row.area_code, row.year, row.quarter, row.insurance, row.people)
            for row in db.exec(select(ExpansionPlan))}


def test_plans_are_entered_as_a_grid_and_a_bad_number_saves_nothing(admin, supervisor, client, db):
    cells = {f"plan:{TOWNSHIP}:pension": "120", f"plan:{VILLAGE}:medical": "15",
             "plan:350524101:unemployment": " 8 "}
    saved = post_form(admin, "/reports/plans", {"year": "2026", "quarter": "2", **cells})
    assert saved.status_code == 303
    assert _plans(db) == {(TOWNSHIP, 2026, 2, "pension", 120), (VILLAGE, 2026, 2, "medical", 15),
                          ("350524101", 2026, 2, "unemployment", 8)}
    page = admin.get("/reports/plans?year=2026&quarter=2").text
    assert f'name="plan:{TOWNSHIP}:pension" value="120"' in page
    refused = post_form(admin, "/reports/plans", {"year": "2026", "quarter": "2",
                                                  f"plan:{TOWNSHIP}:pension": "130",
                                                  f"plan:{VILLAGE}:medical": "-3",
                                                  "plan:350524101:unemployment": "abc"})
    assert refused.status_code == 422 and 'data-testid="plans-error"' in refused.text
    assert 'value="-3"' in refused.text and refused.text.count('aria-invalid="true"') == 2
    assert (TOWNSHIP, 2026, 2, "pension", 120) in _plans(db)  # the good cell was not saved either
    emptied = post_form(admin, "/reports/plans", {"year": "2026", "quarter": "2", f"plan:{VILLAGE}:medical": ""})
    assert emptied.status_code == 303 and (VILLAGE, 2026, 2, "medical", 15) not in _plans(db)
    assert db.exec(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "expansion_plan.saved")).one() == 2

    # A supervisor reads their township's plans, and cannot write.
    readonly = supervisor.get("/reports/plans?year=2026&quarter=2").text
    assert "350524101" not in readonly and "<input type=\"text\"" not in readonly
    assert post_form(supervisor, "/reports/plans", {"year": "2026", "quarter": "2",
                                                    f"plan:{TOWNSHIP}:pension": "1"}).status_code == 403
    token = {"Authorization": f"Bearer {device_token(client, 'supervisor')}"}
    listed = client.get("/api/v1/reports/plans?year=2026&quarter=2", headers=token).json()
    assert listed["plans"] == [{"area_code": TOWNSHIP, "insurance": "pension", "people": 120}]
    assert client.put("/api/v1/reports/plans", headers=token, json={
        "year": 2026, "quarter": 2, "plans": []}).status_code == 403


def test_the_api_refuses_a_bad_plan_with_the_cells(client, db):
    token = {"Authorization": f"Bearer {device_token(client, 'admin')}"}
    response = client.put("/api/v1/reports/plans", headers=token, json={
        "year": 2026, "quarter": 0, "plans": [{"area_code": TOWNSHIP, "insurance": "pension", "people": 5},
                                              {"area_code": "350525100", "insurance": "pension", "people": 5},
                                              {"area_code": TOWNSHIP, "insurance": "dental", "people": 5},
                                              {"area_code": VILLAGE, "insurance": "medical", "people": -1}]})
    assert response.status_code == 422 and response.json()["code"] == "plan_invalid"
    assert [error["code"] for error in response.json()["errors"]] == \
        ["plan_cell_unknown", "plan_cell_unknown", "plan_value_invalid"]
    assert _plans(db) == set()


def test_the_home_pages_lead_to_the_reports(admin, supervisor):
    assert 'href="/reports/dispatch-1"' in admin.get("/admin").text
    assert 'href="/reports"' in supervisor.get("/review").text
    index = supervisor.get("/reports").text
    assert "350524101" not in index and TOWNSHIP in index
