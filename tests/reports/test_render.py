"""Report downloads and the report table: the source forms' layout survives XLSX, CSV and HTML."""
import csv
import io
import zipfile
from html.parser import HTMLParser
from urllib.parse import unquote

import openpyxl
import pytest

from app.errors import ApiError
from app.reports.render import download, header_positions, to_csv, to_xlsx
from app.reports.sheet import HeaderCell as H, Row, Sheet
from app.web import templates

INSURANCES = ["基本养老保险", "基本医疗保险", "工伤保险", "生育保险", "失业保险"]
NOTES = ["填报单位：安溪县（演示）", "2026年3月31日", "单位：人"]
FOOTER = ["审核：", "填表：", "电话："]


def table_one(rows: list[Row] | None = None) -> Sheet:
    """调度表（一）: 填报单位 spans all three header rows, 户籍情况 four columns, each insurance two."""
    header = [
        [H("填报单位", rowspan=3), H("户籍情况", colspan=4), H("数据比对核查情况", colspan=10)],
        [H("户籍人口数", rowspan=2), H("16岁以上人口数", rowspan=2), H("16岁以上在校学生数", rowspan=2),
         H("16岁以上现役军人数", rowspan=2), *[H(name, colspan=2) for name in INSURANCES]],
        [cell for _ in INSURANCES for cell in (H("应参保人数"), H("未参保人数"))],
    ]
    rows = rows if rows is not None else [
        Row("龙门镇", [100, 80, 5, 1, 74, 10, 80, 3, 20, 2, 20, 2, 20, 2], code="350524100"),
        Row("官桥镇", [50, 40, 2, 0, 38, 5, 40, 1, 10, 1, 10, 1, 10, None], code="350524101"),
    ]
    total = Row("合计", [sum(row.values[i] for row in rows if isinstance(row.values[i], int)) for i in range(14)])
    return Sheet(name="调度表一", title="全民参保计划工作调度表（一）", notes=NOTES, header=header,
                 rows=rows, column_numbers=["甲栏", *map(str, range(1, 15))], total=total, footer=FOOTER)


def table_two() -> Sheet:
    """调度表（二）: three header rows; 完成率 (every third column of the first fifteen) a ratio."""
    header = [
        [H("项目", rowspan=3), H("上季度扩面任务完成情况", colspan=15), H("本年度扩面计划", colspan=5)],
        [*[H(name, colspan=3) for name in INSURANCES],
         *[H(f"{name}扩面人数", rowspan=2) for name in INSURANCES]],
        [cell for _ in INSURANCES for cell in (H("上季度扩面任务"), H("上季度已完成扩面人数"), H("完成率"))],
    ]
    values = [200, 170, 0.85, 100, 50, 0.5, 10, 10, 1.0, 10, 0, 0.0, 0, 0, None, 300, 150, 20, 20, 10]
    return Sheet(name="调度表二", title="全民参保计划工作调度表（二）", notes=NOTES[:1], header=header,
                 rows=[Row("安溪县（演示）", values, code="350524")],
                 column_numbers=["甲栏", *map(str, range(1, 21))], footer=FOOTER,
                 percent_columns=frozenset({3, 6, 9, 12, 15}))


def workbook(sheet: Sheet):
    return openpyxl.load_workbook(io.BytesIO(to_xlsx(sheet))).active


def values(ws, row: int) -> list:
    return [cell.value for cell in ws[row]]


# ---------------------------------------------------------------------------------------- XLSX

def test_table_one_has_the_source_forms_merged_header_cells_and_nothing_else_merged():
    ws = workbook(table_one())
    # Row 1 title, row 2 the notes spread in three blocks, rows 3-5 the header.
    expected = {"A1:O1", "A2:E2", "F2:J2", "K2:O2",
                "A3:A5", "B3:E3", "F3:O3", "B4:B5", "C4:C5", "D4:D5", "E4:E5",
                "F4:G4", "H4:I4", "J4:K4", "L4:M4", "N4:O4",
                "A11:E11", "F11:J11", "K11:O11"}
    assert {str(merged) for merged in ws.merged_cells.ranges} == expected
    assert ws["A1"].value == "全民参保计划工作调度表（一）" and ws["A1"].font.b
    assert [ws["A2"].value, ws["F2"].value, ws["K2"].value] == NOTES
    assert [ws["A3"].value, ws["B3"].value, ws["F3"].value] == ["填报单位", "户籍情况", "数据比对核查情况"]
    assert values(ws, 4)[5:7] == ["基本养老保险", None] and ws["N4"].value == "失业保险"
    assert values(ws, 5)[5:7] == ["应参保人数", "未参保人数"]
    assert ws["F3"].alignment.horizontal == "center" and ws["F3"].alignment.wrap_text


def test_table_one_column_numbers_body_and_total_sit_under_the_header():
    ws = workbook(table_one())
    assert values(ws, 6) == ["甲栏", *map(str, range(1, 15))]
    assert values(ws, 7) == ["龙门镇", 100, 80, 5, 1, 74, 10, 80, 3, 20, 2, 20, 2, 20, 2]
    assert values(ws, 8)[0] == "官桥镇" and values(ws, 8)[-1] is None  # None stays blank
    assert values(ws, 9) == ["合计", 150, 120, 7, 1, 112, 15, 120, 4, 30, 3, 30, 3, 30, 2]
    assert ws["A9"].font.b and ws["F9"].font.b and not ws["F8"].font.b
    assert [ws["A11"].value, ws["F11"].value, ws["K11"].value] == FOOTER
    assert ws["B7"].border.left.style == "thin" and ws["O9"].border.bottom.style == "thin"
    assert ws.freeze_panes == "B7"  # header and 甲栏 stay on screen, so does the label column
    assert ws.print_title_rows == "$3:$6"


def test_table_two_has_three_header_rows_and_percent_columns():
    ws = workbook(table_two())
    merged = {str(merged) for merged in ws.merged_cells.ranges}
    header = {"A3:A5", "B3:P3", "Q3:U3", "B4:D4", "E4:G4", "H4:J4", "K4:M4", "N4:P4",
              "Q4:Q5", "R4:R5", "S4:S5", "T4:T5", "U4:U5"}
    assert {m for m in merged if m[1:].split(":")[0] in {"3", "4", "5"}} == header
    assert values(ws, 5)[1:4] == ["上季度扩面任务", "上季度已完成扩面人数", "完成率"]
    assert values(ws, 6) == ["甲栏", *map(str, range(1, 21))]
    assert ws["D7"].value == 0.85 and ws["D7"].number_format == "0.0%"
    assert ws["P7"].value is None and ws["P7"].number_format == "0.0%"
    assert ws["B7"].value == 200 and ws["B7"].number_format == "General"
    assert ws.max_row == 9  # no 合计 row in this sheet: body, a blank line, 审核 / 填表 / 电话


def test_a_row_breaking_a_rule_is_highlighted_and_says_why():
    problem = "(5) ≠ (2) − (3) − (4)：38 ≠ 36"
    rows = [Row("龙门镇", [100, 80, 5, 1, 74, 10, 80, 3, 20, 2, 20, 2, 20, 2]),
            Row("官桥镇", [50, 40, 2, 2, 38, 5, 40, 1, 10, 1, 10, 1, 10, 1], problems=[problem])]
    ws = workbook(table_one(rows))
    assert ws["P3"].value == "问题" and "P3:P5" in {str(m) for m in ws.merged_cells.ranges}
    assert ws["P8"].value == problem and ws["P7"].value is None
    assert ws["A8"].fill.fgColor.rgb.endswith("FDECEA") and ws["F8"].fill.fgColor.rgb.endswith("FDECEA")
    assert ws["F7"].fill.fill_type is None
    assert "A1:P1" in {str(m) for m in ws.merged_cells.ranges}  # the title spans the Problems column too


def test_a_total_breaking_a_rule_stays_bold_and_is_highlighted():
    sheet = table_one()
    broken = Sheet(**{**sheet.__dict__, "total": Row("合计", sheet.total.values, problems=["合计 ≠ Σ"])})
    ws = workbook(broken)
    assert values(ws, 9)[0] == "合计" and ws["P9"].value == "合计 ≠ Σ"
    assert ws["B9"].font.b and ws["B9"].fill.fgColor.rgb.endswith("FDECEA")
    assert ws["B8"].fill.fill_type is None


def test_the_same_sheet_renders_to_the_same_bytes_with_a_fixed_creation_date():
    first, second = to_xlsx(table_one()), to_xlsx(table_one())
    assert first == second
    core = zipfile.ZipFile(io.BytesIO(first)).read("docProps/core.xml").decode()
    assert "2000-01-01T00:00:00Z" in core
    assert to_xlsx(table_two()) != first


def test_print_setup_fonts_and_sheet_name():
    ws = workbook(table_one())
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    # One page wide (1 is the file format's default, so it is left out), as many pages tall as needed.
    assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0
    assert ws["B7"].font.name == "宋体"
    assert ws.column_dimensions["D"].width > ws.column_dimensions["B"].width >= 8
    long_name = Sheet(**{**table_one().__dict__, "name": "全民参保计划工作调度表：龙门镇/2026年第一季度[汇总]共计"})
    name = workbook(long_name).title
    assert len(name) <= 31 and not set(name) & set("[]:*?/\\") and name.startswith("全民参保计划工作调度表")


def test_a_header_that_does_not_tile_the_table_is_refused():
    bad = Sheet(**{**table_one().__dict__, "header": [[H("项目", rowspan=2), H("户籍人口数", colspan=14)],
                                                     [H("多余", colspan=15)]]})
    with pytest.raises(ValueError):
        header_positions(bad)


# ----------------------------------------------------------------------------------------- CSV

def test_csv_has_a_bom_crlf_the_header_as_it_stands_and_neutralised_text():
    rows = [Row("=HYPERLINK(\"http://x\")", [1, 2, 3, 4, "-5", -6, 0, 0, 0, 0, 0, 0, 0, 0],
                problems=["@SUM(A1)"])]
    data = to_csv(table_one(rows))
    assert data.startswith("\ufeff".encode()) and b"\r\n" in data and b"\n\n" not in data
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert lines[:4] == [["全民参保计划工作调度表（一）"], [NOTES[0]], [NOTES[1]], [NOTES[2]]]
    assert lines[4] == ["填报单位", "户籍情况", "", "", "", "数据比对核查情况", *[""] * 9, "问题"]
    assert lines[5][5:8] == ["基本养老保险", "", "基本医疗保险"]
    assert lines[7] == ["甲栏", *map(str, range(1, 15)), ""]
    body = lines[8]
    assert body[0] == "'=HYPERLINK(\"http://x\")" and body[-1] == "'@SUM(A1)"
    assert body[5:7] == ["'-5", "-6"]  # a text cell is neutralised, a negative number is not
    assert lines[9][0] == "合计" and lines[-3:] == [[line] for line in FOOTER]


def test_csv_shows_ratios_as_percentages_and_none_as_blank():
    lines = list(csv.reader(io.StringIO(to_csv(table_two()).decode("utf-8-sig"))))
    body = next(line for line in lines if line[0] == "安溪县（演示）")
    assert body[1:4] == ["200", "170", "85.0%"] and body[12] == "0.0%" and body[15] == ""
    assert len(body) == 21


# -------------------------------------------------------------------------------------- download

def test_download_sends_the_file_with_a_chinese_name_and_no_caching():
    response = download(table_one(), "xlsx", "调度表一-龙门镇-2026-03-31")
    assert response.media_type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response.body == to_xlsx(table_one())
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="')
    fallback = disposition.split('filename="')[1].split('"')[0]
    assert fallback == "2026-03-31.xlsx"  # the ASCII part, for clients that ignore filename*
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == "调度表一-龙门镇-2026-03-31.xlsx"
    assert response.headers["cache-control"] == "no-store"
    csv_response = download(table_one(), "csv", "report")
    assert csv_response.headers["content-type"] == "text/csv; charset=utf-8"
    assert csv_response.body.startswith("\ufeff".encode())


def test_download_refuses_an_unknown_format():
    with pytest.raises(ApiError) as refused:
        download(table_one(), "pdf", "report")
    assert (refused.value.status, refused.value.code) == (422, "unknown_report_format")


# ------------------------------------------------------------------------------------------ HTML

class TableParser(HTMLParser):
    """The table's structure: header cells with their spans, rows with their classes and cells."""

    def __init__(self):
        super().__init__()
        self.section, self.rows, self.cell, self.links, self.problems = None, [], None, {}, []
        self.in_problems = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("thead", "tbody", "tfoot"):
            self.section = tag
        elif tag == "tr":
            self.rows.append({"section": self.section, "class": attrs.get("class", ""), "cells": []})
        elif tag in ("th", "td"):
            self.cell = {"text": "", "colspan": int(attrs.get("colspan", 1)),
                         "rowspan": int(attrs.get("rowspan", 1)), "class": attrs.get("class", "")}
            self.rows[-1]["cells"].append(self.cell)
        elif tag == "a" and self.cell is not None:
            self.cell["href"] = attrs["href"]
        elif tag == "div" and "sheet-problems" in attrs.get("class", ""):
            self.in_problems = True

    def handle_endtag(self, tag):
        if tag in ("th", "td"):
            self.cell = None
        elif tag == "div":
            self.in_problems = False

    def handle_data(self, data):
        if self.cell is not None:
            self.cell["text"] += data.strip()
        elif self.in_problems and data.strip():
            self.problems.append(data.strip())

    def section_rows(self, section):
        return [row for row in self.rows if row["section"] == section]


def render_table(sheet: Sheet, link=None) -> TableParser:
    template = templates.env.from_string(
        '{% from "reports/_sheet.html" import sheet_table with context %}{{ sheet_table(sheet, link) }}')
    parser = TableParser()
    parser.feed(template.render(sheet=sheet, link=link, _=lambda text: text))
    return parser


def test_the_html_table_has_the_forms_spans_column_numbers_and_total():
    table = render_table(table_one())
    head = table.section_rows("thead")
    spans = [[(cell["text"], cell["colspan"], cell["rowspan"]) for cell in row["cells"]] for row in head[:3]]
    assert spans[0] == [("填报单位", 1, 3), ("户籍情况", 4, 1), ("数据比对核查情况", 10, 1)]
    assert spans[1][:5] == [("户籍人口数", 1, 2), ("16岁以上人口数", 1, 2), ("16岁以上在校学生数", 1, 2),
                            ("16岁以上现役军人数", 1, 2), ("基本养老保险", 2, 1)]
    assert spans[2] == [(text, 1, 1) for _ in INSURANCES for text in ("应参保人数", "未参保人数")]
    assert [cell["text"] for cell in head[3]["cells"]] == ["甲栏", *map(str, range(1, 15))]
    # The label column stays in view: the cell heading it, the 甲栏 cell, every row's label.
    assert [row["cells"][0]["class"] for row in head] == ["label", "", "", "label"]
    body = table.section_rows("tbody")
    assert [cell["text"] for cell in body[1]["cells"]][-2:] == ["10", ""]
    assert all("num" in cell["class"] for cell in body[0]["cells"][1:])
    total = table.section_rows("tfoot")
    assert len(total) == 1 and total[0]["cells"][0]["text"] == "合计" and total[0]["cells"][5]["text"] == "112"


def test_the_html_table_links_rows_with_a_code_to_their_drill_down():
    table = render_table(table_one(), link="/reports/one?area={code}")
    body, total = table.section_rows("tbody"), table.section_rows("tfoot")[0]
    assert [row["cells"][0].get("href") for row in body] == ["/reports/one?area=350524100",
                                                            "/reports/one?area=350524101"]
    assert "href" not in total["cells"][0]
    called = render_table(table_one(), link=lambda code: f"/drill/{code}")
    assert called.section_rows("tbody")[0]["cells"][0]["href"] == "/drill/350524100"
    assert "href" not in render_table(table_one()).section_rows("tbody")[0]["cells"][0]


def test_the_html_table_shows_percentages_and_problems():
    table = render_table(table_two())
    row = table.section_rows("tbody")[0]["cells"]
    assert [row[3]["text"], row[6]["text"], row[9]["text"], row[15]["text"]] == ["85.0%", "50.0%", "100.0%", ""]
    assert table.section_rows("thead")[1]["cells"][0]["class"] == ""  # 基本养老保险 is not the label column
    assert table.problems == []
    problem = "(5) ≠ (2) − (3) − (4)：38 ≠ 36"
    troubled = render_table(table_one([Row("官桥镇", [1] * 14, problems=[problem]), Row("龙门镇", [1] * 14)]))
    classes = [row["class"] for row in troubled.section_rows("tbody")]
    assert "has-problem" in classes[0] and "has-problem" not in classes[1]
    assert problem in troubled.problems and "官桥镇" in troubled.problems
