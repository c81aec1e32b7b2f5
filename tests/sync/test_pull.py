"""Pull scenarios (docs/SYNC.md): a first download, staying up to date, paging, and what comes
back to the phone (targets, form versions, returned submissions)."""
from sqlmodel import Session, select
from stdnum.cn import ric

from app import demo
from app.accounts.secrets import Passwords
from app.audit.service import SYSTEM
from app.demo import COUNTY
from app.forms import definition as definitions
from app.forms import service as forms
from app.submissions.models import Submission, SubmissionState
from app.targets.models import Target
from support import DEMO_PASSWORD
from sync.changes import next_seq
from sync_support import FORM, OTHER_TOWNSHIP_VILLAGE, VILLAGE, household, item

MY_VILLAGES = {"350524100001", "350524100002"}


def add_target(db: Session, village_code: str, name: str, id_number: str) -> Target:
    target = Target(village_code=village_code, name=name, id_number=id_number,
                    address="示范村9组9号（演示）", uninsured="pension", seq=next_seq(db))
    db.add(target)
    db.commit()
    return target


def publish_version(db: Session, version: str):
    source = definitions.load_file(forms.BUNDLED_FORMS / "canbao_registration.yaml").to_source()
    source["settings"]["version"] = version
    row = forms.upload(session=db, actor=SYSTEM, county_code=COUNTY[0],
                       form=definitions.load_definition(source))
    forms.publish(session=db, actor=SYSTEM, row=row)
    db.commit()
    return row


def synthetic_id(birth: str, serial: str) -> str:
    body = COUNTY[0] + birth + serial
    return body + ric.calc_check_digit(body + "0")


def test_a_first_download_brings_my_villages_targets_and_the_published_form(phone, db):
    response = phone.pull()
    assert response.status_code == 200
    body = response.json()
    assert body["more"] is False and body["cursor"].startswith("v1.")
    assert [(f["form_id"], f["version"]) for f in body["forms"]] == [FORM]
    assert body["forms"][0]["title"] == "全民参保登记表" and len(body["forms"][0]["content_hash"]) == 64
    assert {t["village_code"] for t in body["targets"]} == MY_VILLAGES  # not another township's
    assert len(body["targets"]) == 8 and body["submissions"] == []
    first = next(t for t in body["targets"] if t["name"] == "测试甲一")
    full = db.get(Target, first["id"]).id_number
    assert first["id_number_masked"] == full[:6] + "*" * 8 + full[-4:]
    assert (first["assigned_to"], first["status"], first["uninsured"]) == ("enumerator", "open", "pension")
    every_id_number = {target.id_number for target in db.exec(select(Target))}
    assert not any(number in response.text for number in every_id_number)  # never a full number


def test_an_up_to_date_phone_gets_an_empty_small_answer(phone):
    cursor = phone.pull().json()["cursor"]
    response = phone.pull(cursor)
    assert response.json() == {"cursor": cursor, "more": False, "forms": [], "targets": [],
                               "submissions": []}
    assert len(response.content) < 2048


def test_what_changes_after_the_cursor_comes_in_the_next_pull(phone, db):
    cursor = phone.pull().json()["cursor"]
    mine = add_target(db, VILLAGE, "测试新增一", synthetic_id("19900303", "123"))
    add_target(db, OTHER_TOWNSHIP_VILLAGE, "测试新增二", synthetic_id("19910404", "124"))
    publish_version(db, "2026.2")

    body = phone.pull(cursor).json()
    assert [t["id"] for t in body["targets"]] == [mine.id]
    assert [(f["form_id"], f["version"]) for f in body["forms"]] == [("canbao_registration", "2026.2")]
    assert body["cursor"] != cursor
    assert phone.pull(body["cursor"]).json()["targets"] == []


def test_a_draft_form_is_not_pulled(phone, db):
    cursor = phone.pull().json()["cursor"]
    source = definitions.load_file(forms.BUNDLED_FORMS / "canbao_registration.yaml").to_source()
    source["settings"]["version"] = "2026.3"
    forms.upload(session=db, actor=SYSTEM, county_code=COUNTY[0],
                 form=definitions.load_definition(source))
    db.commit()
    assert phone.pull(cursor).json()["forms"] == []


def test_paging_with_a_limit_hands_over_everything_once(phone):
    everything = phone.pull().json()
    pages, cursor = [], None
    while True:
        page = phone.pull(cursor, limit=3).json()
        pages.append(page)
        cursor = page["cursor"]
        if not page["more"]:
            break
    assert [len(p["forms"]) + len(p["targets"]) for p in pages] == [3, 3, 3]
    assert [p["more"] for p in pages] == [True, True, False]
    assert [t["id"] for p in pages for t in p["targets"]] == [t["id"] for t in everything["targets"]]
    assert [f["version"] for p in pages for f in p["forms"]] == ["2026.1"]
    assert cursor == everything["cursor"]


def test_a_returned_submission_comes_back_with_its_comment(phone, make_phone, db):
    sent = item(household(address="示例村5组5号"))
    assert phone.statuses([sent]) == ["accepted"]
    cursor = phone.pull().json()["cursor"]
    assert phone.pull(cursor).json()["submissions"] == []  # submitting is not news to the phone

    submission = db.get(Submission, sent["id"])
    submission.state = SubmissionState.returned
    submission.review_comment = "地址请写到门牌号"
    submission.field_comments = {"address": "缺门牌号"}
    submission.seq = next_seq(db)
    db.add(submission)
    db.commit()

    body = phone.pull(cursor).json()
    assert body["submissions"] == [{
        "id": sent["id"], "form_id": "canbao_registration", "form_version": "2026.1",
        "revision": 1, "state": "returned", "comment": "地址请写到门牌号",
        "field_comments": {"address": "缺门牌号"}, "payload": submission.payload}]
    assert make_phone("enumerator2").pull().json()["submissions"] == []  # only the owner's

    # Fixed on one phone: the user's other phones learn that it is no longer returned.
    fixed = item(household(address="示例村5组5号之一"), id=sent["id"], revision=2)
    assert phone.statuses([fixed]) == ["accepted"]
    later = phone.pull(body["cursor"]).json()
    assert [(s["revision"], s["state"], s["payload"]) for s in later["submissions"]] == [
        (2, "submitted", None)]


def test_a_bad_cursor_is_refused(phone):
    assert phone.pull("v2.7").json()["code"] == "cursor_invalid"
    assert phone.pull("v1.-1").json()["code"] == "cursor_invalid"
    ahead = phone.pull("v1.999999")  # a cursor from before the database was restored
    assert ahead.status_code == 400 and ahead.json()["code"] == "cursor_invalid"
    assert phone.pull(limit=2001).status_code == 422


def test_only_enumerators_pull(make_phone):
    response = make_phone("supervisor").pull()
    assert response.status_code == 403 and response.json()["code"] == "forbidden"


def test_demo_targets_are_synthetic_people_with_valid_id_numbers(db, settings):
    targets = list(db.exec(select(Target)))
    assert len(targets) == 36  # four in each of the nine demo villages
    assert all(target.name.startswith("测试") for target in targets)
    assert all(ric.is_valid(target.id_number) for target in targets)
    assert len({target.id_number for target in targets}) == 36
    assert demo.seed(db, Passwords(settings), DEMO_PASSWORD)["targets"] == 0  # seeding again adds none
