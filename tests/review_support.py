"""Helpers for the review tests: households pushed by a phone, and a supervisor calling the
review API."""
from fastapi.testclient import TestClient
from stdnum.cn import ric

from sync_support import OTHER_TOWNSHIP_VILLAGE, VILLAGE, Phone, household, item  # noqa: F401


def id_number(serial: int, birth: str = "19900101") -> str:
    """A valid ID number of the demo county (born 1985 or later: no area-code warning)."""
    body = f"350524{birth}{serial % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def family(village: str = VILLAGE, ids: list[str] | None = None, **member_changes) -> dict:
    """The form's three-member example household in `village`, the members carrying `ids`
    (sex and birth date follow from them); member_changes apply to the first member."""
    payload = household("registered_family_of_three", village_code=village)
    for member, number in zip(payload["members"], ids or [id_number(1), id_number(2, "19920202"),
                                                          id_number(3, "20160901")]):
        member["id_number"] = number
        member["sex"] = "1" if int(number[16]) % 2 else "2"
        member["birth_date"] = f"{number[6:10]}-{number[10:12]}-{number[12:14]}"
    payload["members"][0].update(member_changes)
    return payload


def pushed(phone: Phone, payload: dict | None = None, **overrides) -> dict:
    """Push one household (default: nobody home) and return the item as sent."""
    sent = item(payload if payload is not None else household(), **overrides)
    assert phone.statuses([sent]) == ["accepted"], phone.results([sent])
    return sent


def resubmitted(phone: Phone, sent: dict, payload: dict, revision: int = 2) -> dict:
    """The next revision of a returned household, as the phone sends it."""
    again = item(payload, id=sent["id"], revision=revision)
    assert phone.statuses([again]) == ["accepted"], phone.results([again])
    return again


class Reviewer:
    """A supervisor (or admin) with a device token, calling /api/v1/review."""

    def __init__(self, client: TestClient, token: str):
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, path: str, **params):
        return self.client.get(f"/api/v1/review{path}", params=params, headers=self.headers)

    def post(self, path: str, body: dict | None = None):
        return self.client.post(f"/api/v1/review{path}", json=body or {}, headers=self.headers)

    def queue(self, **params) -> dict:
        response = self.get("/submissions", **params)
        assert response.status_code == 200, response.text
        return response.json()

    def detail(self, submission_id: str) -> dict:
        response = self.get(f"/submissions/{submission_id}")
        assert response.status_code == 200, response.text
        return response.json()

    def flags(self, submission_id: str) -> list[tuple[str, str]]:
        return sorted((flag["code"], flag["path"]) for flag in self.detail(submission_id)["flags"])

    def approve(self, submission_id: str, revision: int = 1):
        return self.post(f"/submissions/{submission_id}/approve", {"revision": revision})

    def return_(self, submission_id: str, revision: int = 1, comment: str = "地址请写到门牌号",
                field_comments: dict | None = None):
        return self.post(f"/submissions/{submission_id}/return",
                         {"revision": revision, "comment": comment,
                          "field_comments": field_comments or {}})

    def reject(self, submission_id: str, revision: int = 1, reason: str = "重复登记"):
        return self.post(f"/submissions/{submission_id}/reject", {"revision": revision, "reason": reason})

    def bulk(self, items: list[tuple[str, int]]):
        return self.post("/bulk-approve", {"items": [{"id": i, "revision": r} for i, r in items]})

    def reveal(self, submission_id: str, path: str, revision: int | None = None):
        return self.post(f"/submissions/{submission_id}/reveal", {"path": path, "revision": revision})
