"""Helpers for the roster tests: ID numbers, roster files, the import calls, and the targets a
test may find in the database besides the demo's."""
import csv
import io

from fastapi.testclient import TestClient
from openpyxl import Workbook
from sqlmodel import Session, col, select
from stdnum.cn import ric

from app.accounts.models import User
from app.demo import TARGET_STEMS
from app.targets.models import Target
from support import csrf

HEADERS = ["姓名", "公民身份号码", "户籍地址", "村（社区）代码", "未参保险种"]
VILLAGE = "350524100001"  # the demo enumerator's
VILLAGE2 = "350524100002"  # the demo enumerator's too
OTHER_VILLAGE = "350524101001"  # enumerator2's


def id_number(birth: str = "19900101", serial: str = "501", area: str = "350524") -> str:
    body = f"{area}{birth}{serial}"
    return body + ric.calc_check_digit(body + "0")


def csv_bytes(rows: list[list[str]], headers: list[str] = HEADERS, encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list], headers: list[str] = HEADERS) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def import_api(client: TestClient, data: bytes, *, name: str = "roster.csv",
               import_valid: bool = False, mapping: list[str] = ()):
    form = {"import_valid": "true" if import_valid else "false"}
    if mapping:
        form["map"] = list(mapping)
    return client.post("/api/v1/targets/import", files={"file": (name, data, "application/octet-stream")},
                       data=form, headers={"X-CSRF-Token": csrf(client)})


def imported(session: Session) -> set[tuple]:
    """Every target that the demo data did not create, as (village, ID, name, address,
    uninsured, enumerator's username)."""
    demo_names = {f"测试{stem}{number}" for stem in TARGET_STEMS for number in "一二三四"}
    rows = session.exec(select(Target, User.username)
                        .join(User, col(User.id) == Target.assigned_to_id, isouter=True))
    return {(target.village_code, target.id_number, target.name, target.address,
             target.uninsured, username)
            for target, username in rows if target.name not in demo_names}


def seqs(session: Session) -> dict[int, int]:
    return {target_id: seq for target_id, seq in session.exec(select(Target.id, Target.seq))}
