"""The progress dashboard counts what happened: households pushed by two enumerators on
different days, targets settled, a household returned twice and resubmitted, flags raised.
Every figure is computed again here from the raw rows and compared with what the API, the
page's charts and the downloads show."""
import csv
import io
import re
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from datetime import UTC

import openpyxl
import pytest
from sqlmodel import col, select

from app.audit.models import AuditEvent
from app.clock import CHINA_TZ
from app.reports import charts
from app.reports.render import DOCUMENT_GETTEXT
from app.review.models import SubmissionFlag, SubmissionMember
from app.submissions.models import Submission, SubmissionRevision
from app.targets.models import Target
from review_support import Reviewer, family, id_number, pushed, resubmitted
from support import device_token, login
from sync_support import Phone

COUNTY, TOWNSHIP, OTHER_TOWNSHIP = "350524", "350524100", "350524101"
V1, V2, W1 = "350524100001", "350524100002", "350524101001"
# 07:30 in China is the evening before in UTC: the household counts on the China day, the 21st.
DAY1 = "2026-11-21T07:30:00+08:00"
DAY2 = "2026-11-22T10:00:00+08:00"
DAY3 = "2026-11-23T21:00:00+08:00"
ADDRESS_COMMENT = "地址请写到门牌号"
SVG = "{http://www.w3.org/2000/svg}"
TOTAL = DOCUMENT_GETTEXT("Total")  # 合计


def _api(client, username: str) -> Reviewer:
    return Reviewer(client, device_token(client, username, name=f"{username}'s tablet"))


def _get(reviewer: Reviewer, **params):
    return reviewer.client.get("/api/v1/reports/progress", params=params, headers=reviewer.headers)


def _ok(reviewer: Reviewer, **params) -> dict:
    response = _get(reviewer, **params)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture
def dataset(client, db):
    """Targets of three villages in two townships settled in every way, five households of
    two enumerators on three days, one returned twice, one returned once, one rejected."""
    phone = Phone(client, device_token(client, "enumerator"))
    phone2 = Phone(client, device_token(client, "enumerator2"))
    supervisor, supervisor2 = _api(client, "supervisor"), _api(client, "supervisor2")
    targets = defaultdict(list)
    for target in db.exec(select(Target).order_by(col(Target.id))):
        targets[target.village_code].append(target)

    found = pushed(phone, family(V1, ids=[targets[V1][0].id_number, id_number(40, "19920202"),
                                          id_number(41, "20160901")]), captured_at=DAY1)
    assert supervisor.approve(found["id"]).status_code == 200
    # Lists a target (found, not yet settled) and a person already approved (a flag).
    pushed(phone, family(V1, ids=[targets[V1][1].id_number, id_number(40, "19920202"),
                                  id_number(42, "20160901")]), captured_at=DAY2)
    twice = pushed(phone, family(V2), captured_at=DAY2)
    assert supervisor.return_(twice["id"], 1, ADDRESS_COMMENT,
                              {"members[0].id_number": "请核对"}).status_code == 200
    resubmitted(phone, twice, family(V2, full_name="王五"), revision=2)
    # The same reason in other words' clothing: trailing full stop and spaces.
    assert supervisor.return_(twice["id"], 2, f" {ADDRESS_COMMENT}。",
                              {"members[1].id_number": "请核对"}).status_code == 200
    resubmitted(phone, twice, family(V2, full_name="王六"), revision=3)
    once = pushed(phone, family(V2, ids=[id_number(50), id_number(51, "19920202"), id_number(52, "20160901")]),
                  captured_at=DAY3)
    assert supervisor.return_(once["id"], 1, "缺少联系电话").status_code == 200
    rejected = pushed(phone2, family(W1, ids=[targets[W1][0].id_number, id_number(60, "19920202"),
                                              id_number(61, "20160901")]), captured_at=DAY3)
    assert supervisor2.reject(rejected["id"]).status_code == 200
    for reviewer, target, status in ((supervisor, targets[V2][0], "moved"),
                                     (supervisor, targets[V1][2], "deceased"),
                                     (supervisor2, targets[W1][1], "not_found")):
        assert reviewer.post(f"/targets/{target.id}/settle", {"status": status}).status_code == 204
    db.expire_all()
    return targets


def _expected(db, area: str, child_length: int | None) -> dict:
    """Every figure for the area from the raw rows; child_length None: by enumerator."""
    targets = [row for row in db.exec(select(Target)) if row.village_code.startswith(area)]
    households = {row.id: row for row in db.exec(select(Submission)) if row.village_code.startswith(area)}
    listed = {(households[member.submission_id].village_code, member.id_number)
              for member in db.exec(select(SubmissionMember))
              if member.submission_id in households and households[member.submission_id].state != "rejected"}
    rows: dict = defaultdict(lambda: {"targets": Counter(), "visited": 0, "households": Counter(),
                                      "people": 0, "returns": 0})

    def key(village: str, owner):
        return village[:child_length] if child_length else owner

    for target in targets:
        row = rows[key(target.village_code, target.assigned_to_id)]
        row["targets"][target.status] += 1
        row["visited"] += target.status != "open" or (target.village_code, target.id_number) in listed
    for household in households.values():
        row = rows[key(household.village_code, household.owner_id)]
        row["households"][household.state] += 1
        row["people"] += household.member_count
    for event in db.exec(select(AuditEvent).where(AuditEvent.action == "submission.returned")):
        if event.object_id in households:
            household = households[event.object_id]
            rows[key(household.village_code, household.owner_id)]["returns"] += 1
    return rows


def _shown(row: dict) -> dict:
    return {"targets": Counter({status: count for status, count in row["targets"].items() if count}),
            "visited": row["visited"],
            "households": Counter({state: count for state, count in row["households"].items() if count}),
            "people": row["people"], "returns": row["returns"]}


def test_area_and_enumerator_figures_match_the_rows(client, db, dataset):
    admin = _api(client, "admin")
    county = _ok(admin, area=COUNTY)
    expected = _expected(db, COUNTY, 9)
    assert [row["code"] for row in county["areas"]] == [TOWNSHIP, OTHER_TOWNSHIP, "350524102"]
    for row in county["areas"]:
        assert _shown(row) == _shown(expected[row["code"]]), row["code"]
    # What the scenario did, said plainly: five targets visited, one of them only listed by a
    # household awaiting review; the rejected household's target does not count.
    assert county["total"]["visited"] == 5
    assert county["total"]["targets"]["registered"] == 1 and county["total"]["returns"] == 3
    assert county["areas"][0]["visited"] == 4 and county["areas"][1]["visited"] == 1

    township = _ok(admin, area=TOWNSHIP)
    by_village = _expected(db, TOWNSHIP, 12)
    assert [row["code"] for row in township["areas"]] == [V1, V2, "350524100003"]
    for row in township["areas"]:
        assert _shown(row) == _shown(by_village[row["code"]]), row["code"]
    assert [crumb["code"] for crumb in township["trail"]] == [COUNTY, TOWNSHIP]

    by_enumerator = _expected(db, COUNTY, None)
    assert {row["id"] for row in county["enumerators"]} == set(by_enumerator)
    for row in county["enumerators"]:
        assert _shown(row) == _shown(by_enumerator[row["id"]]), row["name"]
    names = {row["name"] for row in county["enumerators"]}
    assert {"一镇登记员（演示）", "二镇登记员（演示）"} <= names


def test_days_returns_and_flags_match_the_rows(client, db, dataset):
    figures = _ok(_api(client, "admin"), area=COUNTY)
    first = [revision for revision in db.exec(select(SubmissionRevision)) if revision.revision == 1]
    households = {row.id: row for row in db.exec(select(Submission))}
    days, people = Counter(), Counter()
    for revision in first:
        captured = revision.captured_at.replace(tzinfo=revision.captured_at.tzinfo or UTC)
        day = captured.astimezone(CHINA_TZ).date().isoformat()
        days[day] += 1
        people[day] += households[revision.submission_id].member_count
    assert [(row["day"], row["households"], row["people"]) for row in figures["days"]] == \
        [(day, days[day], people[day]) for day in sorted(days)]
    assert [row["day"] for row in figures["days"]] == ["2026-11-21", "2026-11-22", "2026-11-23"]

    events = db.exec(select(AuditEvent.detail).where(AuditEvent.action == "submission.returned")).all()
    comments = Counter(detail["comment"].strip().rstrip("。") for detail in events)
    assert figures["returns"]["total"] == len(events) == 3
    assert [(row["comment"].strip().rstrip("。"), row["count"]) for row in figures["returns"]["reasons"]] == \
        comments.most_common()
    assert figures["returns"]["reasons"][0] == {"comment": ADDRESS_COMMENT, "count": 2}
    fields = Counter(path.split(".")[-1] for detail in events for path in detail["field_comments"])
    assert [(row["field"], row["count"]) for row in figures["returns"]["fields"]] == list(fields.items())
    assert figures["returns"]["fields"][0]["label"] not in ("", "id_number")  # the form's label

    current = {(row.id, row.revision) for row in households.values()}
    raised = list(db.exec(select(SubmissionFlag)))
    flags = Counter(flag.code for flag in raised if (flag.submission_id, flag.revision) in current)
    flagged_now = {(flag.code, flag.submission_id) for flag in raised if (flag.submission_id, flag.revision) in current}
    flagged_ever = {(flag.code, flag.submission_id) for flag in raised}
    assert flags, "the scenario raises flags"
    assert {row["code"]: row["current"] for row in figures["flags"] if row["current"]} == dict(flags)
    assert {row["code"]: (row["households"], row["ever"]) for row in figures["flags"]} == {
        code: (sum(1 for pair in flagged_now if pair[0] == code), sum(1 for pair in flagged_ever if pair[0] == code))
        for code in {code for code, _ in flagged_ever}}
    assert all(row["label"] and row["label"] != row["code"] for row in figures["flags"])


def test_a_supervisor_sees_their_township_only(client, make_client, dataset):
    supervisor = _api(client, "supervisor")
    assert _ok(supervisor)["area"]["code"] == TOWNSHIP
    assert _ok(supervisor, area=V1)["areas"][0]["code"] == V1
    for area in (OTHER_TOWNSHIP, "350524101001", COUNTY, "999999"):
        assert _get(supervisor, area=area).status_code == 404, area
    page = make_client()
    assert login(page, "supervisor").status_code == 303
    assert page.get("/reports/progress").status_code == 200
    assert page.get("/reports/progress", params={"area": OTHER_TOWNSHIP}).status_code == 404
    assert page.get("/reports/progress/areas.xlsx", params={"area": OTHER_TOWNSHIP}).status_code == 404
    assert page.get("/reports/progress/areas.csv", params={"area": COUNTY}).status_code == 404
    enumerator = make_client()
    assert login(enumerator, "enumerator").status_code == 303
    assert enumerator.get("/reports/progress").status_code == 403


def _chart(html: str, chart_id: str) -> ET.Element:
    markup = re.search(rf'<svg [^>]*id="{chart_id}".*?</svg>', html, re.S).group(0)
    return ET.fromstring(markup)


def test_the_page_draws_one_bar_per_area_with_its_numbers(client, make_client, dataset):
    figures = _ok(_api(client, "admin"), area=COUNTY)
    page = make_client()
    assert login(page, "admin").status_code == 303
    html = page.get("/reports/progress").text
    chart = _chart(html, "chart-areas")
    assert chart.find(f"{SVG}title").text and chart.find(f"{SVG}desc").text
    bars = chart.iter(f"{SVG}g")
    bars = [group for group in bars if group.get("class") == "bar"]
    assert [bar.get("data-key") for bar in bars] == [row["code"] for row in figures["areas"]]
    for bar, row in zip(bars, figures["areas"]):
        value = next(text for text in bar.iter(f"{SVG}text") if text.get("class") == "value").text
        assert re.findall(r"\d+", value) == [str(row["visited"]), str(row["targets_total"])]
        drawn = sum(int(rect.get("data-value")) for rect in bar.iter(f"{SVG}rect") if rect.get("data-value"))
        assert drawn == row["targets_total"]
    # Each bar leads to its township; the township's page to its villages.
    links = [element.get("href") for element in chart.iter(f"{SVG}a")]
    assert links == [f"/reports/progress?area={row['code']}" for row in figures["areas"]]
    days = _chart(html, "chart-days")
    columns = [group for group in days.iter(f"{SVG}g") if group.get("class") == "column"]
    assert {group.get("data-key"): int(group.get("data-value")) for group in columns if int(group.get("data-value"))} \
        == {row["day"]: row["households"] for row in figures["days"]}
    flags = _chart(html, "chart-flags")
    assert sum(int(rect.get("data-value")) for rect in flags.iter(f"{SVG}rect") if rect.get("data-value")) == \
        sum(row["current"] for row in figures["flags"])
    village_page = page.get("/reports/progress", params={"area": TOWNSHIP}).text
    assert f'href="/reports/progress?area={V1}"' in village_page


def test_downloads_hold_the_same_numbers(client, make_client, dataset):
    figures = _ok(_api(client, "admin"), area=COUNTY)
    page = make_client()
    assert login(page, "admin").status_code == 303
    response = page.get("/reports/progress/areas.xlsx", params={"area": COUNTY})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = {row[0]: list(row[1:]) for row in sheet.iter_rows(values_only=True) if row[0]}
    for area in figures["areas"]:
        assert rows[area["name"]][:2] == [area["targets_total"], area["visited"]]
        assert rows[area["name"]][7:9] == [area["households_total"], area["people"]]
        assert rows[area["name"]][13] == area["returns"]
    assert rows[TOTAL][:2] == [figures["total"]["targets_total"], figures["total"]["visited"]]
    assert any(range_.min_col == 2 and range_.max_col == 8 for range_ in sheet.merged_cells.ranges)

    text = page.get("/reports/progress/days.csv", params={"area": COUNTY}).content.decode("utf-8-sig")
    lines = {row[0]: row[1:] for row in csv.reader(io.StringIO(text)) if row}
    for day in figures["days"]:
        assert lines[day["day"]] == [str(day["households"]), str(day["people"])]
    assert lines[TOTAL][0] == str(sum(day["households"] for day in figures["days"]))

    returns = page.get("/reports/progress/returns.csv", params={"area": COUNTY}).content.decode("utf-8-sig")
    assert [ADDRESS_COMMENT, "2"] in list(csv.reader(io.StringIO(returns)))
    for table in ("enumerators", "fields", "flags"):
        for fmt in ("xlsx", "csv"):
            assert page.get(f"/reports/progress/{table}.{fmt}", params={"area": TOWNSHIP}).status_code == 200
    assert page.get("/reports/progress/nothing.csv").status_code == 404


def test_chart_labels_are_escaped_and_the_svg_parses():
    svg = charts.stacked_bars(
        "chart-x", 'A <b>"title"</b>', "desc & more",
        [charts.Series("a", "<i>one</i>", "#2e7d32"), charts.Series("b", "two", "#c62828")],
        [charts.Bar('村<script>alert("x")</script>&', (3, 1), "3 / 4", href="/x?a=1&b=2", key="k")])
    root = ET.fromstring(str(svg))
    assert root.get("viewBox").startswith("0 0 360 ")
    texts = [element.text for element in root.iter(f"{SVG}text")]
    assert any(text and text.startswith("村<script>") for text in texts)
    assert "<script>" not in str(svg) and "3 / 4" in texts
    assert next(root.iter(f"{SVG}a")).get("href") == "/x?a=1&b=2"
    empty = ET.fromstring(str(charts.columns("chart-y", "t", "d", "#000", [])))
    assert empty.get("class") == "chart"
