"""Two decisions on the same revision at once: exactly one is applied, the other is refused
with a stable code, never applied twice — on SQLite and on PostgreSQL."""
import threading

import pytest
from sqlmodel import Session, func, select

from app.accounts.models import User
from app.audit.models import AuditEvent
from app.audit.service import Actor
from app.errors import ApiError
from app.review import service
from app.submissions.models import Submission
from review_support import Reviewer, pushed
from support import device_token

ACTIONS = {
    "approve": lambda reviewer, sid: reviewer.approve(sid, 1),
    "return": lambda reviewer, sid: reviewer.return_(sid, 1),
    "reject": lambda reviewer, sid: reviewer.reject(sid, 1),
}


def _at_once(*calls):
    """Run the calls in threads released together; their results in order."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        barrier.wait()
        results[index] = call()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


@pytest.mark.parametrize("first,second", [("approve", "approve"), ("approve", "return"),
                                          ("return", "reject")])
def test_two_supervisors_deciding_at_once_exactly_one_wins(phone, client, make_client, db, first, second):
    one = Reviewer(make_client(), device_token(client, "supervisor", name="office PC"))
    other = Reviewer(make_client(), device_token(client, "supervisor", name="phone"))
    households = [pushed(phone) for _ in range(4)]
    for sent in households:
        responses = _at_once(lambda: ACTIONS[first](one, sent["id"]),
                             lambda: ACTIONS[second](other, sent["id"]))
        statuses = sorted(response.status_code for response in responses)
        assert statuses == [200, 409], [response.text for response in responses]
        [refused] = [response.json() for response in responses if response.status_code == 409]
        assert refused["code"] == "already_decided"
        decisions = db.exec(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.object_id == sent["id"],
            AuditEvent.action.in_(["submission.approved", "submission.returned", "submission.rejected"]))).one()
        assert decisions == 1


@pytest.mark.postgresql_only
def test_a_decision_that_read_the_household_before_another_committed_is_refused(app, phone, db):
    """PostgreSQL lets the second request read "submitted" while the first decides: the
    conditional update waits for the first to commit, then finds nothing to change. (SQLite
    serialises writing requests before they read anything, so it cannot get here.)"""
    sent = pushed(phone)
    user = db.exec(select(User).where(User.username == "supervisor")).one()
    actor = Actor(user.id, user.username)
    outcome = {}
    with Session(app.state.engine) as first, Session(app.state.engine) as second:
        late = second.get(Submission, sent["id"])
        assert late.state == "submitted"
        service.approve(session=first, actor=actor, submission=first.get(Submission, sent["id"]), revision=1)

        def decide_late():
            try:
                service.reject(session=second, actor=actor, submission=late, revision=1, reason="重复")
                second.commit()
                outcome["second"] = "applied"
            except ApiError as refusal:
                second.rollback()
                outcome["second"] = refusal.code

        waiting = threading.Thread(target=decide_late)
        waiting.start()
        waiting.join(0.5)
        assert waiting.is_alive()  # held back by the first decision's locks
        first.commit()
        waiting.join(30)
    assert outcome == {"second": "already_decided"}
    db.expire_all()
    assert db.get(Submission, sent["id"]).state == "approved"
