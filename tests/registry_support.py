"""Households that reach the registry: stored, approved (the review feature's way: state and
outbox in one transaction), pushed, for the registry and export tests."""
import copy
import json
import os
import uuid
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, select
from stdnum.cn import ric

from app.accounts.models import User
from app.audit.service import Actor
from app.db import WRITE_OPTION
from app.registry import service as registry
from app.registry import worker
from app.reports import facts
from app.submissions import service as submissions
from app.submissions.models import Submission, SubmissionState
from sync.canonical import content_hash
from sync.changes import next_seq

EXAMPLES = {example["name"]: example for example in json.loads(
    (Path(__file__).resolve().parents[1] / "survey_forms" / "canbao_registration_examples.json")
    .read_text("utf-8"))}
VILLAGE = "350524100001"  # township 350524100
OTHER_TOWNSHIP_VILLAGE = "350524101001"  # township 350524101


def id_number(serial: int, birth: str = "19900101") -> str:
    body = f"350524{birth}{serial % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def family(village: str = VILLAGE, ids: list[str] | None = None, **member_changes) -> dict:
    """The form's three-member example household, in `village`, with the given ID numbers;
    member_changes apply to the first member."""
    payload = copy.deepcopy(EXAMPLES["registered_family_of_three"]["payload"])
    payload["village_code"] = village
    for member, number in zip(payload["members"], ids or []):
        member["id_number"] = number
    payload["members"][0].update(member_changes)
    return payload


def write_session(engine: Engine) -> Session:
    session = Session(engine)
    session.connection(execution_options={WRITE_OPTION: True})
    return session


def _capture(submission_id: str, revision: int, payload: dict) -> submissions.Capture:
    return submissions.Capture(id=submission_id, revision=revision,
                               village_code=payload["village_code"], form_id="canbao_registration",
                               form_version="2026.1", content_hash=content_hash(payload),
                               captured_at=datetime.now(UTC), payload=payload)


def submit(engine: Engine, payload: dict, username: str = "enumerator") -> str:
    with write_session(engine) as session:
        user = session.exec(select(User).where(User.username == username)).one()
        submission_id = str(uuid.uuid4())
        submissions.receive(session=session, actor=Actor(user.id, user.username),
                            capture=_capture(submission_id, 1, payload))
        session.commit()
    return submission_id


def resubmit(engine: Engine, submission_id: str, payload: dict) -> None:
    """A household returned for correction and sent again as the next revision."""
    with write_session(engine) as session:
        submission = session.get(Submission, submission_id)
        submission.state = SubmissionState.returned
        session.add(submission)
        session.flush()
        user = session.get(User, submission.owner_id)
        submissions.resubmit(session=session, actor=Actor(user.id, user.username),
                             submission=submission,
                             capture=_capture(submission_id, submission.revision + 1, payload))
        session.commit()


def approve(engine: Engine, submission_id: str) -> int:
    """Approve and queue for the registry in one transaction, as the review feature does."""
    with write_session(engine) as session:
        submission = session.get(Submission, submission_id)
        submission.state = SubmissionState.approved
        submission.seq = next_seq(session)
        session.add(submission)
        session.flush()
        queued = registry.enqueue_approved(session, submission)
        facts.record_approved(session, submission, approved_at=datetime.now(UTC))
        session.commit()
    return queued


def approved_household(app, payload: dict, *, push: bool = True) -> str:
    engine = app.state.engine
    submission_id = submit(engine, payload)
    approve(engine, submission_id)
    if push:
        result = worker.drain(engine, app.state.registry_engine, due_only=False)
        assert result.error is None, result.error
    return submission_id


class SeparateRegistry:
    """A registry database that does not exist yet: a SQLite file in a folder not made yet, or
    a PostgreSQL database not created yet. make_reachable() brings it into being."""

    def __init__(self, app_database_url: str, folder: Path):
        self._pg = app_database_url.startswith("postgresql")
        if self._pg:
            self.name = f"canbao_reg_{uuid.uuid4().hex[:12]}"
            admin_url = make_url(os.environ["TEST_DATABASE_URL"]).set(drivername="postgresql+psycopg")
            self._admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
            self.url = admin_url.set(database=self.name).render_as_string(hide_password=False)
        else:
            self._folder = folder / "registry-volume"
            self.url = f"sqlite:///{self._folder / 'registry.db'}"

    def make_reachable(self) -> None:
        if self._pg:
            with self._admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{self.name}"'))
        else:
            self._folder.mkdir()

    def close(self) -> None:
        if self._pg:
            with self._admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
            self._admin.dispose()
