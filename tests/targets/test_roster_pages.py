"""The admin's roster pages: upload, dry run, the mapping step, import of the valid rows,
the report, and the targets per village."""
import re

from roster_support import VILLAGE, csv_bytes, id_number, imported
from support import csrf, post_form

GOOD = ["张三", id_number("19900101", "501"), "一组1号", VILLAGE, "养老,医疗"]
BAD = ["李四", "350524199001011234", "二组2号", VILLAGE, "养老"]


def _upload(client, data: bytes, name: str = "名单.csv"):
    return client.post("/admin/targets/import", files={"file": (name, data, "text/csv")},
                       data={"csrf_token": csrf(client)}, follow_redirects=False)


def _hidden_fields(page: str) -> dict:
    form = page[page.index('data-testid="import-valid"') - 1500:]
    return dict(re.findall(r'<input type="hidden" name="(map_\w+|import_valid)" value="([^"]*)"', form))


def test_upload_shows_a_dry_run_then_imports_the_valid_rows(admin, db):
    page = _upload(admin, csv_bytes([GOOD, BAD]))
    assert page.status_code == 200
    assert "尚未导入" in page.text or "Nothing has been imported" in page.text
    assert 'data-testid="problems"' in page.text and "校验位" in page.text
    sha = re.search(r'action="/admin/targets/imports/([0-9a-f]{64})"', page.text).group(1)
    assert imported(db) == set()

    report = admin.get(f"/api/v1/targets/import/{sha}/report.csv")
    assert report.content.decode("utf-8-sig").splitlines()[1].startswith("3,李四,350524********1234,")

    fields = _hidden_fields(page.text)
    assert fields["import_valid"] == "1" and fields["map_name"] == "姓名"
    done = post_form(admin, f"/admin/targets/imports/{sha}", fields)
    assert done.status_code == 200 and 'data-testid="imported"' in done.text
    assert imported(db) == {(VILLAGE, GOOD[1], "张三", "一组1号", "pension medical", None)}

    # The roster itself (full ID numbers) is gone once imported; its report stays.
    assert post_form(admin, f"/admin/targets/imports/{sha}", fields).status_code == 404
    assert admin.get(f"/api/v1/targets/import/{sha}/report.csv").status_code == 200
    assert imported(db) == {(VILLAGE, GOOD[1], "张三", "一组1号", "pension medical", None)}


def test_unknown_headers_lead_to_the_mapping_step(admin, db):
    data = csv_bytes([GOOD], headers=["XM", "SFZH", "DZ", "CDM", "WCBXZ"])
    page = _upload(admin, data)
    assert page.status_code == 400
    assert 'data-testid="mapping"' in page.text
    assert re.findall(r'<option value="(\w+)"', page.text)[:5] == ["XM", "SFZH", "DZ", "CDM", "WCBXZ"]
    sha = re.search(r'action="/admin/targets/imports/([0-9a-f]{64})"', page.text).group(1)

    mapping = {"map_name": "XM", "map_id_number": "SFZH", "map_address": "DZ",
               "map_village_code": "CDM", "map_uninsured": "WCBXZ"}
    checked = post_form(admin, f"/admin/targets/imports/{sha}", mapping)
    assert checked.status_code == 200 and 'data-testid="dry-run"' in checked.text
    assert imported(db) == set()
    post_form(admin, f"/admin/targets/imports/{sha}", _hidden_fields(checked.text))
    assert imported(db) == {(VILLAGE, GOOD[1], "张三", "一组1号", "pension medical", None)}


def test_targets_per_village_with_counts_and_masked_numbers(admin, db):
    _upload(admin, csv_bytes([GOOD]))
    overview = admin.get("/admin/targets")
    # The nav's 对象名单 (its Chinese comes with the catalog merge, so match the link).
    assert re.search(r'<nav class="nav"[^>]*>.*<a href="/admin/targets">', overview.text, re.S)
    row = re.search(rf'<tr data-village="{VILLAGE}">(.*?)</tr>', overview.text, re.S).group(1)
    assert re.findall(r"<td>(\d+)</td>", row) == ["4", "4", "0", "0", "0", "0"]  # the demo's four

    village = admin.get(f"/admin/targets/villages/{VILLAGE}")
    assert village.status_code == 200
    assert village.text.split('data-testid="targets"')[1].count("<tr>") == 1 + 4  # head + four
    assert re.search(r"350524\*{8}\w{4}", village.text)
    assert not re.search(r"\b350524\d{11}[\dX]\b", village.text)
    assert admin.get("/admin/targets/villages/350525100001").status_code == 404
    assert imported(db) == set()
