"""The supervisor's queue through the API: filters, order, and keyset paging that walks every
household exactly once even while households are being decided."""
from datetime import datetime, timedelta

from sqlalchemy import update

from app.clock import CHINA_TZ
from app.submissions.models import Submission
from review_support import family, id_number, pushed
from sync_support import household


def _ids(page: dict) -> list[str]:
    return [item["id"] for item in page["items"]]


def test_the_queue_lists_households_awaiting_review_oldest_first(phone, supervisor):
    sent = [pushed(phone, household(address=f"一组{n}号")) for n in range(3)]
    page = supervisor.queue()
    assert _ids(page) == [item["id"] for item in sent]
    first = page["items"][0]
    assert (first["village_name"], first["enumerator"], first["address"], first["state"]) == (
        "示范一村", "一镇登记员（演示）", "一组0号", "submitted")
    assert page["open_counts"] == {"submitted": 3, "returned": 0} and page["total"] == 3
    assert _ids(supervisor.queue(sort="newest")) == [item["id"] for item in reversed(sent)]


def test_filters_by_state_village_enumerator_flag_and_date(phone, supervisor, db):
    one = pushed(phone, family(phone="15400000000"))
    two = pushed(phone, household(village_code="350524100002"))
    three = pushed(phone, family())  # shares ID numbers with `one`: both get an error flag
    supervisor.return_(two["id"])
    assert _ids(supervisor.queue(state="returned")) == [two["id"]]
    assert set(_ids(supervisor.queue(state=""))) == {one["id"], two["id"], three["id"]}
    assert _ids(supervisor.queue(state="", village="350524100002")) == [two["id"]]
    assert _ids(supervisor.queue(flag="phone_invalid")) == [one["id"]]
    assert _ids(supervisor.queue(flag="errors")) == [one["id"], three["id"]]
    assert _ids(supervisor.queue(flag="clean")) == []
    enumerator_id = db.get(Submission, one["id"]).owner_id
    assert len(_ids(supervisor.queue(state="", enumerator=enumerator_id))) == 3
    assert _ids(supervisor.queue(state="", enumerator=enumerator_id + 100)) == []
    # Dates are China's calendar days of arrival.
    db.exec(update(Submission).where(Submission.id == one["id"])
            .values(received_at=datetime(2026, 11, 20, 23, 30, tzinfo=CHINA_TZ)))
    db.commit()
    assert _ids(supervisor.queue(state="", date_from="2026-11-20", date_to="2026-11-20")) == [one["id"]]
    assert one["id"] not in _ids(supervisor.queue(state="", date_from="2026-11-21"))


def test_unknown_filter_values_fall_back_to_the_defaults(phone, supervisor):
    sent = pushed(phone)
    assert _ids(supervisor.queue(state="bogus", flag="bogus", sort="bogus", cursor="!!")) == [sent["id"]]


def test_keyset_paging_walks_every_household_once_while_the_queue_shrinks(phone, supervisor, db):
    sent = [pushed(phone, household(address=f"{n}号")) for n in range(12)]
    # Several households arriving in the same microsecond still page in a fixed order.
    same = datetime.now(CHINA_TZ) - timedelta(hours=1)
    db.exec(update(Submission).where(Submission.id.in_([item["id"] for item in sent[:5]]))
            .values(received_at=same))
    db.commit()
    seen, cursor = [], None
    while True:
        page = supervisor.queue(limit=5, cursor=cursor) if cursor else supervisor.queue(limit=5)
        seen += _ids(page)
        # Approving what was just read must not make the next page skip anything.
        for submission_id in _ids(page)[:2]:
            assert supervisor.approve(submission_id).status_code == 200
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(item["id"] for item in sent) and len(seen) == 12


def test_paging_by_village_keeps_the_villages_together(phone, supervisor):
    for n in range(4):
        pushed(phone, household(village_code=f"35052410000{1 + n % 2}", address=f"{n}号"))
    first = supervisor.queue(sort="village", limit=3)
    second = supervisor.queue(sort="village", limit=3, cursor=first["next_cursor"])
    villages = [item["village_code"] for item in first["items"] + second["items"]]
    assert villages == sorted(villages) and len(villages) == 4 and second["next_cursor"] is None


def test_each_row_counts_its_current_flags(phone, supervisor):
    one = pushed(phone, family(phone="15400000000"))
    pushed(phone, family(ids=[id_number(1), id_number(30, "19920202"), id_number(31, "20160901")]))
    rows = {item["id"]: (item["errors"], item["warnings"]) for item in supervisor.queue()["items"]}
    assert rows[one["id"]] == (1, 1)  # the shared ID number; the phone
