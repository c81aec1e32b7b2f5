"""Whole batches as a phone sends them after a day offline: new households are stored
together, and the answers, rows and flags are those of storing them one by one; pushes
running at once never let a reader of the change sequence skip one of them."""
import threading

from sqlmodel import Session, col, select

from app.accounts.access import Principal, UserInfo
from app.accounts.models import User
from app.db import WRITE_OPTION
from app.review.models import SubmissionFlag
from app.submissions.models import Submission
from review_support import family, id_number
from sync.changes import current_seq
from sync.push import Batch
from sync_support import household, item, stored


def related(db: Session, submission_id: str) -> list[tuple[str, str]]:
    return sorted(db.exec(select(SubmissionFlag.code, SubmissionFlag.related_submission_id).where(
        SubmissionFlag.submission_id == submission_id, SubmissionFlag.code == "id_duplicate_other")))


def test_households_of_one_batch_sharing_an_id_number_point_at_each_other(phone, db):
    earlier = item(family())
    assert phone.statuses([earlier]) == ["accepted"]
    shared = [id_number(1), id_number(30, "19950505"), id_number(31, "20170707")]
    first, second = item(family(ids=shared)), item(family(ids=shared))
    clean = item(family(ids=[id_number(40, "19860808"), id_number(41, "19870909"),
                             id_number(42, "20150101")]))
    assert phone.statuses([first, clean, second]) == ["accepted"] * 3
    db.expire_all()
    assert related(db, earlier["id"]) == sorted(
        [("id_duplicate_other", first["id"]), ("id_duplicate_other", second["id"])])
    # The two share three ID numbers: one flag per number and other household.
    assert related(db, first["id"]) == sorted(
        [("id_duplicate_other", earlier["id"])]
        + [("id_duplicate_other", second["id"])] * 3)
    assert related(db, second["id"]) == sorted(
        [("id_duplicate_other", earlier["id"])]
        + [("id_duplicate_other", first["id"])] * 3)
    assert related(db, clean["id"]) == []


def test_an_id_repeated_within_a_batch_is_answered_as_if_sent_twice(phone, db):
    sent = item(household(address="示例村1组1号"))
    other = item(household(address="示例村1组2号"), id=sent["id"])
    results = phone.results([sent, sent, other])
    assert [(result["status"], result.get("code")) for result in results] == [
        ("accepted", None), ("duplicate", None), ("conflict", "conflict_content")]
    assert len(stored(db)["submissions"]) == 1


def test_a_refused_item_between_new_ones_stores_nothing_of_itself(phone, db):
    good = [item(household(address=f"示例村{n}组1号")) for n in range(2)]
    bad = item(household(visit_outcome="registered"))  # registered without members
    assert phone.statuses([good[0], bad, good[1]]) == ["accepted", "rejected", "accepted"]
    assert {row[0] for row in stored(db)["submissions"]} == {good[0]["id"], good[1]["id"]}


def test_pushes_at_once_never_let_a_reader_of_the_sequence_skip_a_household(app, db):
    """Two phones push batches at the same time while a reader follows the change sequence
    as a pull does (the counter first, then rows numbered up to it): it sees every
    household, each exactly once."""
    user = db.exec(select(User).where(User.username == "enumerator")).one()
    principal = Principal(UserInfo.of(user), ("350524100001", "350524100002"))
    batches = [[item(household(address=f"示例村{phone}组{n}号{k}")) for k in range(5)]
               for phone in range(2) for n in range(4)]
    seen: list[str] = []
    failures: list[BaseException] = []

    def push(mine: list[list[dict]]) -> None:
        try:
            for batch in mine:
                with Session(app.state.engine) as session:
                    session.connection(execution_options={WRITE_OPTION: True})
                    assert {o.status for o in Batch(session, principal).push(batch)} == {"accepted"}
                    session.commit()
        except BaseException as error:  # reported below: a thread's assertion is lost otherwise
            failures.append(error)

    def follow(cursor: int = 0) -> int:
        with Session(app.state.engine) as session:
            upto = current_seq(session)
            seen.extend(session.exec(select(Submission.id).where(
                col(Submission.seq) > cursor, col(Submission.seq) <= upto)
                .order_by(col(Submission.seq))))
        return upto

    pushers = [threading.Thread(target=push, args=(batches[start::2],)) for start in (0, 1)]
    for thread in pushers:
        thread.start()
    cursor = 0
    while any(thread.is_alive() for thread in pushers):
        cursor = follow(cursor)
    for thread in pushers:
        thread.join()
    follow(cursor)
    assert failures == []
    sent = sorted(sent["id"] for batch in batches for sent in batch)
    assert sorted(seen) == sent  # every one, none twice
