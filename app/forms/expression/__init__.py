"""The form expression language: an XLSForm / ODK XPath subset.

Used in the relevant, constraint, calculation and choice_filter columns of a form. The browser
runs static/js/expression.js; the server re-runs this module on every submission, and the
shared cases in survey_forms/expression_vectors.json prove the two give the same answers.
Expressions are parsed to an AST and compiled into Python closures (compiler.py); nothing is
ever passed to eval().

Value semantics (identical in both implementations):

- Values are strings, numbers (IEEE doubles), booleans and dates. Field values come from JSON:
  null or a missing field is the empty string, a JSON array (select_multiple) is its items
  joined with spaces; objects are rejected (`expr_value`).
- Conversions follow XPath 1.0. To boolean: "" and 0 and NaN are false, every date is true.
  To number: strict XPath decimals (no exponent, no "+"), else NaN; a date, or a string that
  is exactly a valid YYYY-MM-DD date, is its count of days since 1970-01-01. To string:
  integers without a decimal point, other numbers as the shortest round-trip decimal without
  an exponent, NaN / Infinity / -Infinity, dates as YYYY-MM-DD.
- `=` and `!=` compare as booleans if either side is boolean, as numbers if either side is a
  number or a date, else as strings. `<` `<=` `>` `>=` always compare numbers, so NaN (for
  example an empty field) makes them false.
- Date arithmetic: date + number and date - number give a date (whole days, rounded down);
  date - date gives the number of days; every other arithmetic is on numbers. A date outside
  0001-01-01..9999-12-31, or one that cannot be read, is the empty string.
- `div` by zero gives Infinity, -Infinity or NaN; `mod` is the truncated remainder (the sign
  follows the dividend) and NaN when dividing by zero.
- String lengths and error positions count Unicode code points, not UTF-16 units.
- regex(value, pattern) is true when the pattern matches anywhere in the value; anchor with
  ^ and $ to test the whole value. Only a portable subset of regular expressions is accepted
  (see regex.py) so that Python `re` and JavaScript `RegExp` agree.
"""
from app.forms.expression.compiler import Compiled, compile_expression
from app.forms.expression.evaluation import Context, evaluate
from app.forms.expression.nodes import (MESSAGES, Binary, Call, Current, ExpressionError, Literal, Negate,
                                        Node, Ref, references)
from app.forms.expression.parser import parse
from app.forms.expression.values import Value, to_boolean, to_date, to_number, to_string

__all__ = ["MESSAGES", "Binary", "Call", "Compiled", "Context", "Current", "ExpressionError", "Literal",
           "Negate", "Node", "Ref", "Value", "compile_expression", "evaluate", "parse", "references",
           "to_boolean", "to_date", "to_number", "to_string"]
