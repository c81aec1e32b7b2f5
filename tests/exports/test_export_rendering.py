"""The quick paths of the export writers write exactly what the general ones do: a batch's
SHA-256 is fixed when it is made, so every later download (and every later version of canbao)
must reproduce its bytes, whatever the cells hold."""
import csv
import io
import json
from datetime import UTC, datetime

import xlsxwriter

from app.exports import render
from app.exports.columns import HEADERS, LabelBook, json_lines, table_rows

CREATED = datetime(2026, 11, 23, 8, 30, tzinfo=UTC)
AWKWARD = ["", " 前后空格 ", "a,b", 'say "hi"', "two\nlines", "cr\rlf", "tab\there", "nul\x00", "\x0b",
           "_x0041_", "A&B", "<r>rich</r>", "1<2>0", "\x01", "\u3000全角空格", "\ufffe", "长" * 17_000,
           "'=1+1", "张三", "350524194001010012"]


def _rows(count: int) -> list[list]:
    """Plain rows, with an awkward cell or a number among the cells in every third one."""
    rows = []
    for serial in range(count):
        row = [f"张{serial}", "350524194001010012", "男", "", "示例村"] + [f"c{index}" for index in range(17)]
        row.append(serial % 5)
        if serial % 3 == 0:
            row[serial % 22] = AWKWARD[serial % len(AWKWARD)]
        if serial % 7 == 0:
            row[3] = 13_800_000_000 if serial % 2 else True
        rows.append(row)
    return rows


def _in_chunks(writer, rows: list[list]) -> bytes:
    return b"".join(writer.add(rows[start:start + 37]) for start in range(0, len(rows), 37)) + \
        b"".join(writer.finish())


def test_csv_is_what_the_csv_module_writes():
    rows = _rows(400)
    expected = io.StringIO()
    expected.write("\ufeff")
    writer = csv.writer(expected, lineterminator="\r\n")
    writer.writerow(HEADERS)
    writer.writerows(rows)
    assert _in_chunks(render.CsvFile(), rows) == expected.getvalue().encode("utf-8")


def _cell_by_cell(rows: list[list], path: str) -> bytes:
    """The workbook as XlsxWriter writes it through its public API, one cell at a time."""
    workbook = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_formulas": False,
                                          "strings_to_numbers": False, "strings_to_urls": False})
    workbook.set_properties({"created": CREATED.replace(tzinfo=None)})
    bold = workbook.add_format({"bold": True})
    sheet, line = None, render.SHEET_ROWS
    for row in rows:
        if line == render.SHEET_ROWS:
            sheet = workbook.add_worksheet("人员" if sheet is None else f"人员{len(workbook.worksheets()) + 1}")
            for index, width in render.COLUMN_WIDTHS.items():
                sheet.set_column(index, index, width)
            for index, header in enumerate(HEADERS):
                sheet.write_string(0, index, header, bold)
            sheet.freeze_panes(1, 0)
            line = 0
        line += 1
        for index, value in enumerate(row):
            if isinstance(value, int):
                sheet.write_number(line, index, value)
            elif value:
                sheet.write_string(line, index, value)
    workbook.close()
    with open(path, "rb") as handle:
        return handle.read()


def test_xlsx_is_what_xlsxwriter_writes_cell_by_cell(tmp_path, monkeypatch):
    monkeypatch.setattr(render, "SHEET_ROWS", 150)  # and across sheets
    rows = _rows(400)
    assert _in_chunks(render.XlsxFile(CREATED), rows) == _cell_by_cell(rows, str(tmp_path / "reference.xlsx"))


class _Labels(LabelBook):
    def __init__(self):
        super().__init__(app_engine=None)

    def for_source(self, county_code, form_id, version):
        return {"sex": {"1": "男", "2": "女"}, "not_enrolled_reason": {"other": "其他"}}


def _person(serial: int, **answers) -> tuple:
    member = {"full_name": "张三", "id_number": "350524194001010012", "sex": "1", "phone": "", **answers}
    data = {"form_id": "f", "form_version": "1", "member": member,
            "household": {"address": "示例村1号", "contact_phone": "13900000000"}}
    return (serial, "0000-uuid", 1, "350524100001", data)


def test_rows_with_numbers_or_lists_among_the_answers_follow_the_same_rule():
    people = [_person(1), _person(2, sex=2, employer=["a", "b"], hukou_place=1.5),
              _person(3, sex=["1"], full_name="=cmd", not_enrolled_reason="other", not_enrolled_reason_other="病")]
    plain, odd, listed = table_rows(people, _Labels())
    assert plain[:3] == ["张三", "350524194001010012", "男"] and plain[6:8] == ["示例村1号", "13900000000"]
    assert (odd[2], odd[5], odd[10]) == (2, "1.5", "['a', 'b']")  # a number stays one
    assert (listed[0], listed[2], listed[18]) == ("'=cmd", "['1']", "其他：病")
    assert plain[-1] == odd[-1] == 1


def test_json_lines_are_what_the_standard_encoder_writes():
    people = [_person(1), _person(2, sex=2.0, employer=["a", 1e16], hukou_place="\x00\u2028\"\\"),
              _person(3, phone=2 ** 70, full_name="阿依古丽·买买提", not_enrolled_reason_other="病")]
    lines = json_lines(people).decode("utf-8").split("\n")
    assert lines[-1] == ""
    for line in lines[:-1]:
        assert line == json.dumps(json.loads(line), ensure_ascii=False, separators=(",", ":"))
    assert '"sex":2.0' in lines[1] and "1e+16" in lines[1] and f'"phone":{2 ** 70}' in lines[2]
