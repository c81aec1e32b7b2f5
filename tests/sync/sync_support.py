"""Helpers for the sync scenarios: payloads, push items, a phone, the rows a push leaves."""
import copy
import json
import uuid
from datetime import datetime
from pathlib import Path

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.audit.models import AuditEvent
from app.clock import CHINA_TZ
from app.submissions.models import Submission, SubmissionRevision
from sync.canonical import content_hash

EXAMPLES = {example["name"]: example for example in json.loads(
    (Path(__file__).resolve().parents[2] / "survey_forms" / "canbao_registration_examples.json")
    .read_text("utf-8"))}
FORM = ("canbao_registration", "2026.1")
VILLAGE = "350524100001"  # the demo enumerator's
OTHER_TOWNSHIP_VILLAGE = "350524101001"  # enumerator2's


def household(example: str = "not_home_without_members", **changes) -> dict:
    """A payload from the form's examples, visited today (a visit date may not lie ahead)."""
    payload = copy.deepcopy(EXAMPLES[example]["payload"])
    payload["visit_date"] = datetime.now(CHINA_TZ).date().isoformat()
    payload.update(changes)
    return payload


def item(payload: dict | None = None, *, id: str | None = None, revision: int = 1,
         form: tuple[str, str] = FORM, **overrides) -> dict:
    payload = household() if payload is None else payload
    body = {"id": id or str(uuid.uuid4()), "revision": revision, "form_id": form[0],
            "form_version": form[1], "captured_at": "2026-11-23T09:41:07+08:00",
            "content_hash": content_hash(payload), "payload": payload}
    body.update(overrides)
    return body


class Phone:
    """An enumerator's phone: a device token and the two sync calls."""

    def __init__(self, client: TestClient, token: str):
        self.client = client
        self.token = token
        self.headers = {"Authorization": f"Bearer {token}"}

    def push(self, items: list[dict]):
        return self.client.post("/api/v1/sync/push", json={"items": items}, headers=self.headers)

    def results(self, items: list[dict]) -> list[dict]:
        response = self.push(items)
        assert response.status_code == 200, response.text
        return response.json()["results"]

    def statuses(self, items: list[dict]) -> list[str]:
        return [result["status"] for result in self.results(items)]

    def pull(self, cursor: str | None = None, limit: int | None = None):
        params = {key: value for key, value in (("cursor", cursor), ("limit", limit)) if value}
        return self.client.get("/api/v1/sync/pull", params=params, headers=self.headers)


def stored(session: Session) -> dict:
    """Every submission, revision and receipt event, as plain tuples in a stable order."""
    return {
        "submissions": list(session.exec(
            select(Submission.id, Submission.revision, Submission.state, Submission.content_hash)
            .order_by(Submission.id))),
        "revisions": list(session.exec(
            select(SubmissionRevision.submission_id, SubmissionRevision.revision,
                   SubmissionRevision.content_hash)
            .order_by(SubmissionRevision.submission_id, SubmissionRevision.revision))),
        # The events a push writes itself (the review's checks add "submission.flagged").
        "events": [(action, object_id, detail["revision"]) for action, object_id, detail in session.exec(
            select(AuditEvent.action, AuditEvent.object_id, AuditEvent.detail)
            .where(col(AuditEvent.action).in_(("submission.received", "submission.resubmitted")))
            .order_by(col(AuditEvent.id)))],
    }


NOTHING = {"submissions": [], "revisions": [], "events": []}
