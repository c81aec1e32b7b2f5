"""Canonical JSON and the content hash (sync/canonical.py) against the vectors the browser's
static/js/canonical.js is tested on too (static/js/tests/canonical.test.mjs)."""
import hashlib
import json
from pathlib import Path

import pytest

from sync.canonical import canonical_json, content_hash

VECTORS = json.loads((Path(__file__).resolve().parents[2] / "sync" / "canonical_vectors.json")
                     .read_text("utf-8"))


def test_there_are_enough_vectors_and_each_has_its_own_name():
    assert len(VECTORS) >= 40
    assert len({vector["name"] for vector in VECTORS}) == len(VECTORS)


@pytest.mark.parametrize("vector", VECTORS, ids=[vector["name"] for vector in VECTORS])
def test_vector(vector):
    assert canonical_json(vector["value"]) == vector["canonical"]
    assert content_hash(vector["value"]) == vector["content_hash"]


@pytest.mark.parametrize("number,text", [
    (0.1, "0.1"), (1e21, "1e+21"), (1e20, "100000000000000000000"), (1e-7, "1e-7"),
    (1e-6, "0.000001"), (-0.0, "0"), (2.0, "2"), (123e-20, "1.23e-18"), (2**53 + 1, "9007199254740992"),
])
def test_numbers_are_written_as_javascript_writes_them(number, text):
    assert canonical_json(number) == text


@pytest.mark.parametrize("value,text", [
    ({"members": [{"age": 2.0, "name": "张三"}]}, '{"members":[{"age":2,"name":"张三"}]}'),
    ({"b": [1, [2**53 + 1]], "a": True}, '{"a":true,"b":[1,[9007199254740992]]}'),
    ({"z": ["x\ud800"], "a": None}, '{"a":null,"z":["x\\ud800"]}'),
    ({"\uff5a": 1, "\U00020000": 2, "a": (3,)}, '{"a":[3],"𠀀":2,"\uff5a":1}'),
])
def test_what_needs_javascripts_form_is_found_deep_inside_a_payload(value, text):
    assert canonical_json(value) == text


def test_the_hash_is_the_sha256_of_the_utf8_text():
    expected = hashlib.sha256('{"a":"·","b":"张三"}'.encode("utf-8")).hexdigest()
    assert content_hash({"b": "张三", "a": "·"}) == expected


@pytest.mark.parametrize("value", [float("nan"), float("inf"), 10**400, {"a": {1, 2}}, {1: "a"}])
def test_what_json_cannot_hold_is_refused(value):
    with pytest.raises(ValueError):
        canonical_json(value)
