"""XLSForm .xlsx import and export (app/forms/xlsform.py)."""
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from app.forms.problems import DefinitionError
from app.forms.definition import load_definition, load_file
from app.forms.xlsform import read_xlsx, write_xlsx

FIXTURES = Path(__file__).parent / "fixtures"


def workbook_bytes(sheets: dict[str, list[list]]) -> bytes:
    """An .xlsx file with one sheet per entry, rows as given (None is an empty cell)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


SETTINGS = [["form_id", "version", "title::zh", "title::en"], ["village_check", "1", "村级核查", "Village check"]]


FORMS = [FIXTURES / "mini_form.yaml", Path(__file__).resolve().parents[2] / "survey_forms" / "canbao_registration.yaml"]


@pytest.mark.parametrize("form_file", FORMS, ids=lambda path: path.name)
def test_yaml_to_xlsx_and_back_is_identical(tmp_path, form_file):
    source = load_file(form_file).to_source()
    data = write_xlsx(source)
    assert load_definition(read_xlsx(data)).to_source() == source
    path = tmp_path / "mini_form.xlsx"
    path.write_bytes(data)
    assert load_file(path).to_source() == source


def test_written_workbook_uses_translated_columns():
    data = write_xlsx(load_file(FIXTURES / "mini_form.yaml").to_source())
    workbook = load_workbook(BytesIO(data))
    assert workbook.sheetnames == ["survey", "choices", "settings"]
    headers = [cell.value for cell in workbook["survey"][1]]
    assert headers[:4] == ["type", "name", "label::zh", "label::en"]
    assert "choice_filter" in headers and "read_only" in headers
    assert [cell.value for cell in workbook["choices"][1]] == ["list_name", "name", "label::zh", "label::en"]
    assert [cell.value for cell in workbook["settings"][2]][:2] == ["mini_registration", "2026.1-test"]


def test_text_that_looks_like_a_formula_stays_text():
    source = load_file(FIXTURES / "mini_form.yaml").to_source()
    source["survey"][1]["label"] = {"zh": "=地址", "en": "=Address"}
    form = load_definition(read_xlsx(write_xlsx(source)))
    assert form.field("address").label == {"zh": "=地址", "en": "=Address"}


def test_reading_a_hand_made_workbook():
    data = workbook_bytes({
        "Survey": [
            ["type", "name", "label::zh", "label::en", "required", "relevant", "read_only", None],
            ["text", "head_name", "户主姓名", "Head of household", "yes", None, None, "a remark beside the form"],
            [None, None, None, None, None, None, None, None],  # blank rows are skipped
            ["select_one yes_no", "has_phone", "有手机吗", "Has a phone?", True, None, None],
            ["integer", "phone_count", "手机数量", "Phones", "no", "${has_phone} = 'yes'", "FALSE"],
        ],
        "choices": [
            ["list_name", "name", "label"],  # a plain label column is Chinese
            ["yes_no", "yes", "是"],
            ["yes_no", "no", "否"],
        ],
        "settings": SETTINGS,
    })
    source = read_xlsx(data)
    assert source["survey"][1] == {"type": "select_one yes_no", "name": "has_phone",
                                   "label": {"zh": "有手机吗", "en": "Has a phone?"}, "required": True, "_row": 4}
    assert source["settings"]["title"] == {"zh": "村级核查", "en": "Village check"}
    form = load_definition(source)
    assert form.title == {"zh": "村级核查", "en": "Village check"}
    assert [(f.name, f.row) for f, _ in form.walk()] == [("head_name", 2), ("has_phone", 4), ("phone_count", 5)]
    assert form.field("head_name").required == "true()"
    assert form.field("phone_count").required is None and not form.field("phone_count").read_only
    assert form.field("phone_count").relevant == "${has_phone} = 'yes'"
    assert form.choices["yes_no"][0].label == {"zh": "是"}


def test_broken_workbook_lists_problems_with_sheet_rows():
    data = workbook_bytes({
        "survey": [
            ["type", "name", "label::zh", "constraint"],
            ["text", "full_name", "姓名", None],
            [None, None, None, None],
            ["txt", "remark", "备注", None],
            ["integer", "age", "年龄", ". >= ${minimum_age}"],
            ["select_one sexes", "sex", "性别", None],
        ],
        "choices": [["list_name", "name", "label::zh"], ["sex", "1", "男"], ["sex", "1", "女"]],
        "settings": [["form_id", "version"], ["Bad Id", None]],
    })
    with pytest.raises(DefinitionError) as caught:
        load_definition(read_xlsx(data))
    assert [(p.sheet, p.row, p.column, p.code) for p in caught.value.problems] == [
        ("settings", 2, "form_id", "form_id_invalid"),
        ("settings", 2, "version", "version_missing"),
        ("survey", 4, "type", "type_unknown"),
        ("survey", 5, "constraint", "ref_unknown"),
        ("survey", 6, "type", "choice_list_missing"),
        ("choices", 3, "name", "choice_duplicate"),
    ]


def test_unsupported_language_column_names_are_reported():
    data = workbook_bytes({
        "survey": [["type", "name", "label::中文 (zh)", "hint::zh"], ["text", "remark", "备注", "随便写"]],
        "settings": SETTINGS,
    })
    with pytest.raises(DefinitionError) as caught:
        load_definition(read_xlsx(data))
    assert [(p.row, p.code) for p in caught.value.problems] == [(2, "language_invalid"), (2, "label_missing")]


@pytest.mark.parametrize("sheets, code", [
    ({"choices": [["list_name", "name", "label"]]}, "sheet_missing"),
    ({"survey": [["type", "name", "label", "label::zh"], ["text", "a", "甲", "甲"]]}, "column_duplicate"),
    ({"survey": [["type", "name"]], "settings": [["form_id", "version"], ["a", "1"], ["b", "2"]]}, "settings_rows"),
])
def test_workbook_structure_problems(sheets, code):
    with pytest.raises(DefinitionError) as caught:
        read_xlsx(workbook_bytes(sheets))
    assert [p.code for p in caught.value.problems] == [code]


def test_not_a_workbook():
    with pytest.raises(DefinitionError) as caught:
        read_xlsx(b"type,name\ntext,a\n")
    assert [p.code for p in caught.value.problems] == ["file_invalid"]
