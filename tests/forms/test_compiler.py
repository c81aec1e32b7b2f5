"""The expression compiler, beyond what the shared vectors can say: a compiled expression is
reused across contexts, long chains stay off the stack, and forms compile each expression once.

evaluate() compiles what it is given, so test_expression_vectors.py runs every shared case
through the compiler too.
"""

import math
from datetime import date, datetime

import pytest

from app.clock import CHINA_TZ
from app.forms.expression import (Binary, Call, Context, ExpressionError, Literal, Ref, compile_expression,
                                  evaluate, parse)
from app.forms.model import Field

TODAY = date(2024, 6, 15)


def test_one_compiled_expression_serves_every_context():
    adult = compile_expression(parse("if(${age} >= 18, 'adult', 'minor')"))
    assert adult(Context({"age": 30}, today=TODAY)) == "adult"
    assert adult(Context({"age": 3}, today=TODAY)) == "minor"
    assert adult(Context({}, today=TODAY)) == "minor"


@pytest.mark.parametrize("source, expect", [
    (" or ".join(["${x} = 'b'"] * 3000 + ["${x} = 'a'"]), True),
    (" and ".join(["${x} = 'a'"] * 3000), True),
    (" + ".join(["1"] * 3000), 3000.0),
    (" - ".join(["1"] * 3000), -2998.0),
    (" + ".join(["1 - 1"] * 1500) + " = 0", True),
])
def test_long_chains_stay_off_the_stack(source, expect):
    assert evaluate(source, Context({"x": "a"}, today=TODAY)) == expect


def test_operators_mixed_on_a_left_spine_fold_in_order():
    # Not what the parser builds (and binds tighter than or), but a Node is public API.
    node = Binary("and", Binary("or", Binary("=", Ref("x"), Literal("a")), Literal(0.0)), Literal("y"))
    assert evaluate(node, Context({"x": "a"})) is True
    assert evaluate(node, Context({"x": "b"})) is False
    assert evaluate(Binary("-", Binary("+", Literal(1.0), Literal(2.0)), Literal(4.0))) == -1.0


@pytest.mark.parametrize("source, values, expect", [
    ("${x} = 'a'", {"x": "a"}, True),
    ("${x} != 'a'", {"x": "a"}, False),
    ("${x} = 1", {"x": 1}, True),
    ("${x} = 1", {"x": "1"}, True),  # a number on either side compares numbers
    ("${x} != 1", {"x": " 1 "}, False),
    ("${x} = 'true'", {"x": True}, True),  # a boolean on either side compares booleans
    ("${x} = ''", {"x": False}, True),
    ("${x} = 'a'", {"x": ["a"]}, True),
    ("${x} = 0", {}, False),  # "" is NaN as a number
    ("${x} != 0", {}, True),
])
def test_comparison_with_a_literal_keeps_the_general_rules(source, values, expect):
    assert evaluate(source, Context(values)) is expect


def test_nan_compared_with_a_number_literal_is_unequal():
    assert evaluate("${x} = 1", Context({"x": math.nan})) is False
    assert evaluate("${x} != 1", Context({"x": math.nan})) is True


def test_today_defaults_to_the_date_in_china_without_touching_the_context():
    ctx = Context({})
    assert evaluate("today()", ctx) == datetime.now(CHINA_TZ).date()
    assert ctx.today is None


def test_errors_surface_when_the_compiled_expression_runs():
    compiled = compile_expression(parse("if(${x} = 1, regex('a', ${p}), 0)"))
    assert compiled(Context({"x": 0, "p": "("}, today=TODAY)) == 0.0
    with pytest.raises(ExpressionError) as raised:
        compiled(Context({"x": 1, "p": "("}, today=TODAY))
    assert raised.value.code == "expr_regex"
    with pytest.raises(ExpressionError) as raised:
        compiled(Context({"x": {"an": "object"}}, today=TODAY))
    assert raised.value.code == "expr_value"


def test_count_reads_the_repeats_of_each_context():
    count = compile_expression(parse("count(${members})"))
    assert count(Context({}, today=TODAY)) == 0.0
    assert count(Context({}, repeats={"members": [{}, {}]}, today=TODAY)) == 2.0


def test_function_arguments_run_left_to_right_and_all_of_them():
    # coalesce() is eager: a failing second argument fails even when the first is present.
    with pytest.raises(ExpressionError):
        evaluate(Call("coalesce", (Literal("a"), Call("regex", (Literal("a"), Ref("p"))))),
                 Context({"p": "("}))
    assert evaluate("concat(${a}, '-', ${b}, '-', 1 + 1)", Context({"a": "x", "b": 2})) == "x-2-2"


def test_a_form_field_compiles_each_expression_once():
    field = Field(row=1, type="select_one", name="work", list_name="kinds",
                  relevant="${age} >= 16", choice_filter="name != 'student'")
    assert field.compiled("relevant") is field.compiled("relevant")
    assert field.compiled("constraint") is None
    choice_filter = field.compiled("choice_filter")  # `name` is the choice being filtered
    assert choice_filter(Context({}, today=TODAY, current="student")) is False
    assert choice_filter(Context({}, today=TODAY, current="farmer")) is True
