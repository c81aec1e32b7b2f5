"""`trigger`: an editable pre-fill. Sex and birth date come from the ID number, yet what the
person entered is what the server checks and keeps."""
import json
from datetime import date
from pathlib import Path

import pytest

from app.forms.problems import DefinitionError
from app.forms.definition import load_definition, load_file
from app.forms.validation import validate

FORMS = Path(__file__).resolve().parents[2] / "survey_forms"
FORM = load_file(FORMS / "canbao_registration.yaml")
EXAMPLES = json.loads((FORMS / "canbao_registration_examples.json").read_text(encoding="utf-8"))
TODAY = date(2026, 11, 23)


def _family():
    return next(example["payload"] for example in EXAMPLES if example["valid"]
                and len(example["payload"].get("members", [])) >= 3)


def test_the_sent_sex_is_kept_and_checked_not_recomputed():
    payload = _family()
    member = dict(payload["members"][0])
    member["sex"] = "1" if member["sex"] == "2" else "2"
    result = validate(FORM, {**payload, "members": [member] + payload["members"][1:]}, today=TODAY)
    assert [(error.path, error.code) for error in result.errors] == [("members[0].sex", "constraint")]


def test_the_prefilled_fields_are_editable_inputs_for_the_client():
    client = {field["name"]: field for group in FORM.to_client()["fields"]
              for field in _flatten(group)}
    assert client["sex"]["trigger"] == "${id_number}" and client["sex"]["calculation"]
    assert client["birth_date"]["read_only"] is False


def _flatten(field):
    yield field
    for child in field.get("children", []):
        yield from _flatten(child)


@pytest.mark.parametrize("row,code", [
    ({"type": "text", "name": "b", "label": "B", "trigger": "${a}"}, "trigger_without_calculation"),
    ({"type": "text", "name": "b", "label": "B", "calculation": "${a}", "trigger": "${a} + 1"},
     "trigger_not_ref"),
])
def test_bad_triggers_are_refused(row, code):
    source = {"settings": {"form_id": "t", "version": "1"},
              "survey": [{"type": "text", "name": "a", "label": "A"}, row]}
    with pytest.raises(DefinitionError) as refused:
        load_definition(source)
    assert [problem.code for problem in refused.value.problems] == [code]
