"""The shared expression vectors, run against the server's evaluator.

static/js/tests/expression.test.mjs runs the same file against the browser's evaluator, so a
case that passes in both proves the two implementations agree on it.
"""

import json
import math
from datetime import date
from pathlib import Path

import pytest

from app.forms.expression import Context, ExpressionError, evaluate, parse, references

VECTORS = json.loads(
    (Path(__file__).resolve().parents[2] / "survey_forms" / "expression_vectors.json").read_text("utf-8")
)
SPECIAL_NUMBERS = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def make_context(raw: dict) -> Context:
    return Context(
        values=raw.get("values", {}),
        repeat=raw.get("repeat"),
        repeats=raw.get("repeats"),
        today=date.fromisoformat(raw.get("today", VECTORS["default_today"])),
        current=raw.get("current"),
    )


def assert_result(actual, expect) -> None:
    if isinstance(expect, dict) and "date" in expect:
        assert isinstance(actual, date) and actual.isoformat() == expect["date"]
    elif isinstance(expect, dict):
        assert isinstance(actual, float)
        expected = SPECIAL_NUMBERS[expect["number"]]
        assert (math.isnan(actual) and math.isnan(expected)) or actual == expected
    elif isinstance(expect, bool | str):
        assert type(actual) is type(expect) and actual == expect
    else:
        assert isinstance(actual, float) and math.isclose(actual, expect, rel_tol=1e-9, abs_tol=1e-12)


def test_there_are_enough_vectors():
    assert len(VECTORS["cases"]) >= 220
    assert len({case["name"] for case in VECTORS["cases"]}) == len(VECTORS["cases"])


@pytest.mark.parametrize("case", VECTORS["cases"], ids=lambda case: case["name"])
def test_vector(case):
    ctx = make_context(case.get("ctx", {}))
    if "error" in case:
        with pytest.raises(ExpressionError) as raised:
            evaluate(parse(case["expr"]), ctx)
        assert raised.value.code == case["error"]
        if "position" in case:
            assert raised.value.position == case["position"]
        return
    node = parse(case["expr"])
    assert_result(evaluate(node, ctx), case["expect"])
    if "refs" in case:
        assert sorted(references(node)) == case["refs"]


def test_evaluate_accepts_source_text_and_defaults():
    assert evaluate("1 + 1") == 2
    assert evaluate("${x}", Context({"x": "a"})) == "a"
