"""Loading and checking form definitions (app/forms/definition.py)."""
import copy
import json
from pathlib import Path

import pytest
import yaml

from app.forms.problems import DefinitionError
from app.forms.definition import load_definition, load_file, parse_text
from app.forms.model import choice_filter_source
from app.forms.expression import ExpressionError, parse

FIXTURES = Path(__file__).parent / "fixtures"
MINI = FIXTURES / "mini_form.yaml"


@pytest.fixture
def source() -> dict:
    """The mini form as plain data, for tests to break one row at a time."""
    return yaml.safe_load(MINI.read_text(encoding="utf-8"))


def survey_row(source: dict, name: str) -> dict:
    return next(row for row in source["survey"] if row.get("name") == name)


def problems_of(source: dict) -> list[tuple[str, int | None, str | None]]:
    with pytest.raises(DefinitionError) as caught:
        load_definition(source)
    return [(p.code, p.row, p.column) for p in caught.value.problems]


def test_mini_form_loads_as_a_tree():
    form = load_file(MINI)
    assert (form.form_id, form.version, form.default_language) == ("mini_registration", "2026.1-test", "zh")
    assert form.title == {"zh": "参保登记（测试用）", "en": "Registration (test form)"}
    assert [f.name for f in form.fields] == ["household", "members", "member_count", "thanks"]
    household, members = form.fields[0], form.fields[1]
    assert household.type == "group" and [f.name for f in household.children] == [
        "address", "visit_outcome", "visit_date", "location"]
    assert members.type == "repeat" and members.relevant == "${visit_outcome} = 'registered'"
    assert form.repeats() == [members]
    scopes = {field.name: repeat for field, repeat in form.walk()}
    assert scopes["members"] is None and scopes["id_number"] == "members" and scopes["address"] is None

    id_number = form.field("id_number")
    assert (id_number.row, id_number.type, id_number.is_id_number) == (9, "text", True)
    assert form.field("address").required == "true()"  # YAML `true` means true()
    assert form.field("birth_date").read_only and form.field("visit_date").default == "today()"
    sex = form.field("sex")
    assert (sex.type, sex.list_name) == ("select_one", "sex")
    assert [c.name for c in form.choices["sex"]] == ["1", "2"]
    assert form.choices["sex"][0].label == {"zh": "男", "en": "Male"}
    with pytest.raises(KeyError):
        form.field("nope")


def test_to_source_round_trips_and_to_client_is_json():
    form = load_file(MINI)
    source = form.to_source()
    assert load_definition(source).to_source() == source
    assert source["survey"][2]["type"] == "select_one visit_outcome"
    assert source["survey"][5] == {"type": "end_group"}

    client = json.loads(json.dumps(form.to_client(), ensure_ascii=False))
    assert client["languages"] == ["zh", "en"]
    assert client["choices"]["sex"] == [{"name": "1", "label": {"zh": "男", "en": "Male"}},
                                        {"name": "2", "label": {"zh": "女", "en": "Female"}}]
    members = client["fields"][1]
    assert members["type"] == "repeat" and members["repeat"] is None
    scheme = next(f for f in members["children"] if f["name"] == "pension_scheme")
    assert scheme["repeat"] == "members" and scheme["list_name"] == "pension_scheme"
    assert scheme["choice_filter"] == "(.)  = 'resident' or ${employment} = 'employed'"
    assert "children" not in scheme and "children" in members
    keys = set(scheme) | {"children"}
    assert all(set(f) | {"children"} == keys for f in members["children"])
    assert next(f for f in members["children"] if f["name"] == "id_number")["id_number"] is True


def test_json_file_loads_like_yaml(tmp_path):
    form = load_file(MINI)
    path = tmp_path / "form.json"
    path.write_text(json.dumps(form.to_source(), ensure_ascii=False), encoding="utf-8")
    assert load_file(path).to_source() == form.to_source()


def test_plain_string_labels_mean_chinese(source):
    survey_row(source, "address")["label"] = "地址"
    assert load_definition(source).field("address").label == {"zh": "地址"}


def change(row_name: str, **columns):
    """A breakage: set columns of the survey row with this name."""
    def apply(source):
        survey_row(source, row_name).update(columns)
    return apply


def insert(index: int, *rows: dict):
    """A breakage: insert survey rows before the 0-based index (row index + 1 in problems)."""
    def apply(source):
        source["survey"][index:index] = rows
    return apply


BROKEN = {
    "unknown type": (change("address", type="txt"), ("type_unknown", 2, "type")),
    "missing type": (insert(1, {"name": "remark", "label": "备注"}), ("type_missing", 2, "type")),
    "missing name": (insert(1, {"type": "text", "label": "备注"}), ("name_missing", 2, "name")),
    "invalid name": (change("address", name="2address"), ("name_invalid", 2, "name")),
    "YAML no as a name": (change("address", name=False), ("value_invalid", 2, "name")),
    "duplicate name": (change("full_name", name="address"), ("name_duplicate", 8, "name")),
    "group names are unique too": (change("full_name", name="household"), ("name_duplicate", 8, "name")),
    "select without list": (change("sex", type="select_one"), ("choice_list_missing", 12, "type")),
    "select with unknown list": (change("sex", type="select_one gender"), ("choice_list_missing", 12, "type")),
    "end without begin": (lambda s: s["survey"].append({"type": "end_group"}), ("group_unbalanced", 23, "type")),
    "begin without end": (lambda s: s["survey"].pop(19), ("group_unbalanced", 7, "type")),
    "end of the wrong kind": (lambda s: s["survey"][19].update(type="end_group"), ("group_unbalanced", 20, "type")),
    "nested repeat": (insert(8, {"type": "begin_repeat", "name": "jobs", "label": "工作"}, {"type": "end_repeat"}),
                      ("repeat_nested", 9, "type")),
    "expression syntax": (change("members", relevant="${visit_outcome} = = 'registered'"),
                          ("expr_syntax", 7, "relevant")),
    "unknown function": (change("full_name", constraint="strlen(.) < 30"),
                         ("expr_unknown_function", 8, "constraint")),
    "unknown reference": (change("employer", relevant="${employment_status} = 'employed'"),
                          ("ref_unknown", 14, "relevant")),
    "household reads a member field": (change("member_count", calculation="${age} + 1"),
                                       ("ref_into_repeat", 21, "calculation")),
    "count of a non-repeat": (change("member_count", calculation="count(${address})"),
                              ("count_not_repeat", 21, "calculation")),
    "reference to a group": (change("address", relevant="${household} != ''"), ("ref_not_value", 2, "relevant")),
    "calculation reads a later calculation": (change("birth_date", calculation="${age}"),
                                              ("calculation_order", 10, "calculation")),
    "dot outside constraint": (change("employer", relevant=". != ''"), ("current_not_allowed", 14, "relevant")),
    "typo in a column name": (change("employer", relevent="true()"), ("column_unknown", 14, "relevent")),
    "constraint on a group": (change("household", constraint="true()"), ("column_not_allowed", 1, "constraint")),
    "calculate without calculation": (change("age", calculation=None), ("calculation_missing", 11, "calculation")),
    "question without label": (change("employer", label=None), ("label_missing", 14, "label")),
    "default of the wrong type": (change("visit_date", default="yesterday"), ("default_invalid", 4, "default")),
    "read_only not a boolean": (change("birth_date", read_only="maybe"), ("read_only_invalid", 10, "read_only")),
    "duplicate choice": (lambda s: s["choices"].insert(2, {"list_name": "visit_outcome", "name": "registered",
                                                           "label": "重复"}),
                         ("choice_duplicate", 3, "name")),
    "choice name with a space": (lambda s: s["choices"][0].update(name="is registered"),
                                 ("choice_name_invalid", 1, "name")),
    "missing form_id": (lambda s: s["settings"].pop("form_id"), ("form_id_missing", None, "form_id")),
    "missing version": (lambda s: s["settings"].pop("version"), ("version_missing", None, "version")),
    "bad form_id": (lambda s: s["settings"].update(form_id="Mini-Form"), ("form_id_invalid", None, "form_id")),
    "unknown section": (lambda s: s.update(choice=[]), ("section_unknown", None, None)),
}


@pytest.mark.parametrize("breakage, expected", BROKEN.values(), ids=BROKEN.keys())
def test_each_broken_definition_names_its_problem_and_row(source, breakage, expected):
    breakage(source)
    assert problems_of(source) == [expected]


def test_problems_carry_sheet_and_both_languages(source):
    source["choices"][0]["name"] = "is registered"
    with pytest.raises(DefinitionError) as caught:
        load_definition(source)
    [problem] = caught.value.problems
    assert problem.sheet == "choices"
    assert "is registered" in problem.message_zh and "is registered" in problem.message_en
    assert str(problem).startswith("choices row 1 column name:")


def test_expression_problem_says_where_in_the_expression(source):
    survey_row(source, "members")["relevant"] = "${visit_outcome} = = 'registered'"
    with pytest.raises(DefinitionError) as caught:
        load_definition(source)
    [problem] = caught.value.problems
    # The second "=" is the 20th character; people count from 1.
    assert "第 20 个字符" in problem.message_zh and "at character 20" in problem.message_en


def test_every_problem_is_listed_at_once_in_row_order(source):
    source["settings"].pop("version")
    survey_row(source, "address")["type"] = "txt"
    survey_row(source, "full_name")["name"] = "visit_date"
    survey_row(source, "sex")["type"] = "select_one gender"
    survey_row(source, "employer")["relevant"] = "${employment} ="
    survey_row(source, "member_count")["calculation"] = "${age} + 1"
    source["choices"][1]["name"] = "registered"
    assert problems_of(source) == [
        ("version_missing", None, "version"),
        ("type_unknown", 2, "type"),
        ("name_duplicate", 8, "name"),
        ("choice_list_missing", 12, "type"),
        ("expr_syntax", 14, "relevant"),
        ("ref_into_repeat", 21, "calculation"),
        ("choice_duplicate", 2, "name"),
    ]


def test_a_refused_row_does_not_cascade_into_reference_problems(source):
    survey_row(source, "employment")["type"] = "select_won employment"
    assert problems_of(source) == [("type_unknown", 13, "type")]  # employer still reads ${employment}


def test_count_of_the_repeat_is_allowed_at_household_level(source):
    survey_row(source, "address")["relevant"] = "count(${members}) >= 0"
    assert load_definition(source).field("address").relevant == "count(${members}) >= 0"


def test_xlsform_conventions_are_accepted(source):
    survey_row(source, "household")["type"] = "begin group"
    survey_row(source, "employer")["required"] = "yes"
    source["survey"][5]["type"] = "end group"
    form = load_definition(source)
    assert form.field("employer").required == "true()"
    assert form.to_source()["survey"][0]["type"] == "begin_group"


@pytest.mark.parametrize("text, fmt, code, row", [
    ("settings: [unclosed", "yaml", "file_invalid", 1),
    ('{"settings": ', "json", "file_invalid", 1),
    ("x: 1", "toml", "file_type", None),
])
def test_unreadable_text_is_a_problem(text, fmt, code, row):
    with pytest.raises(DefinitionError) as caught:
        parse_text(text, fmt)
    assert [(p.code, p.row) for p in caught.value.problems] == [(code, row)]


def test_not_a_mapping_is_refused():
    with pytest.raises(DefinitionError) as caught:
        load_definition(["survey"])
    assert [p.code for p in caught.value.problems] == ["data_invalid"]


def test_empty_definition_lists_what_is_missing():
    assert [p.code for p in pytest.raises(DefinitionError, load_definition, {}).value.problems] == [
        "form_id_missing", "version_missing", "survey_empty"]


@pytest.mark.parametrize("source, bound", [
    ("name = 'a'", "(.)  = 'a'"),
    ("name != 'urban' or ${hukou_type} = 'unified'", "(.)  != 'urban' or ${hukou_type} = 'unified'"),
    ("'name' = ${name}", "'name' = ${name}"),  # a string and a field called name stay as they are
    ("selected(${groups}, name)", "selected(${groups}, (.) )"),
    ("name(1)", "name(1)"),
    ("${x}-name", "${x}-(.) "),
    ("name-1 = 2", "name-1 = 2"),  # one word, as the expression tokenizer reads it
])
def test_choice_filter_binds_name_to_the_choice(source, bound):
    assert choice_filter_source(source) == bound


def test_choice_filter_errors_keep_their_position():
    bad = "name = = 'a'"
    with pytest.raises(ExpressionError) as caught:
        parse(choice_filter_source(bad))
    assert caught.value.position == 7 and bad[7] == "="


def test_source_dict_is_not_mutated(source):
    before = copy.deepcopy(source)
    load_definition(source)
    assert source == before
