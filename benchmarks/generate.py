"""A synthetic county for benchmarks: the area tree and a roster of targets.

    .venv/bin/python benchmarks/generate.py --out benchmarks/out [--people 1000000] [--seed 1]
        [--townships 20] [--villages 20] [--format csv|xlsx] [--answers]

writes `areas.csv` (code,name,parent, for `canbao import-areas`) and `roster.csv` or
`roster.xlsx` (for `canbao import-targets`); with `--answers`, also `answers.csv`: every
person's answers as approved, in the columns of table person_fact (for the report benchmark).
The same seed gives the same rows (and, for CSV, the same bytes).

County 350524 (安溪县, a real code so that ID numbers validate) with clearly synthetic
township and village names. People come in households of 1 to 8 (head, spouse, children,
the head's parents, grandchildren) with ages that fit their relation; their ID numbers carry
the code the county had in their birth year (352424 under 晋江地区 until 1985, 350524 after, as
python-stdnum's table lists them), a birth date, a sequence number that is odd for men and
even for women, and the GB 11643 check digit. Names include characters outside the BMP and
rare ones (𠀀 龘 㐀) and minority names with the middle dot.

Rows are written as they are made: memory holds one household and the per-day sequence
counters, never the county. XLSX goes through openpyxl's write-only mode, which streams rows
and writes strings inline (no shared-string table to hold).
"""
import argparse
import csv
import random
import sys
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from stdnum.cn import ric

COUNTY = "350524"
COUNTY_NAME = "安溪县（合成）"
OLD_CODE = "352424"  # 晋江地区安溪县, the county's code for people born up to 1985
REFERENCE = date(2026, 11, 23)
ROSTER_HEADERS = ["户编号", "姓名", "与户主关系", "公民身份号码", "户籍地址", "村（社区）代码", "未参保险种"]

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
            "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方")
RARE = ("𠀀", "龘", "㐀", "𪚥", "𠮷", "䶮", "𡒄", "燊", "堃", "昇")
GIVEN = ("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉梅淑珍凤兰子涵浩然欣怡雨轩梓萱一诺宇"
         "轩佳怡思远文博俊杰嘉怡晨曦婷婷雅琪家豪振华国强丽娟海燕春梅秋菊冬梅")
MINORITY_FIRST = ("阿依古丽", "买买提", "艾力", "古丽娜", "热依拉", "扎西", "卓玛", "次仁", "格桑", "央金", "巴特尔",
                  "其其格", "努尔")
MINORITY_SECOND = ("买买提", "吐尔逊", "艾则孜", "多吉", "拉姆", "旺堆", "达瓦", "巴雅尔", "阿不都")
INSURANCES = ("养老", "医疗", "工伤", "失业", "生育")
INSURANCE_CODES = {"养老": "pension", "医疗": "medical", "工伤": "work_injury", "失业": "unemployment",
                   "生育": "maternity"}
ANSWER_HEADERS = ["id_number", "village_code", "submission_id", "revision", "member_index",
                  "approved_at", "birth_date", "sex", "hukou_type", "personal_status",
                  "employment", "unit_type", *INSURANCE_CODES.values(),
                  *(f"{name}_before" for name in INSURANCE_CODES.values())]
APPROVALS_FROM = datetime(2026, 9, 1, tzinfo=UTC)  # approvals spread over 12 weeks
APPROVAL_SPAN = 84 * 86400
HOUSEHOLD_SIZES = (1, 2, 3, 4, 5, 6, 7, 8)
SIZE_WEIGHTS = (14, 26, 24, 18, 9, 5, 3, 1)


def townships(count: int, villages: int) -> list[tuple[str, str, list[tuple[str, str]]]]:
    return [(f"{COUNTY}{100 + t}", f"第{t + 1:02d}镇（合成）",
             [(f"{COUNTY}{100 + t}{v + 1:03d}", f"第{v + 1:02d}村（合成）") for v in range(villages)])
            for t in range(count)]


def write_areas(path: Path, tree) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["code", "name", "parent"])
        writer.writerow([COUNTY, COUNTY_NAME, ""])
        for code, name, villages in tree:
            writer.writerow([code, name, COUNTY])
            for village_code, village_name in villages:
                writer.writerow([village_code, village_name, code])


class People:
    """Names, birth dates and ID numbers, deterministic for a seed."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.serials: dict[tuple[str, date, int], int] = {}

    def surname(self) -> str:
        roll = self.rng.random()
        if roll < 0.01:
            return self.rng.choice(RARE)
        if roll < 0.03:
            return self.rng.choice(COMPOUND_SURNAMES)
        return self.rng.choice(SURNAMES)

    def name(self, surname: str) -> str:
        if self.rng.random() < 0.03:
            return f"{self.rng.choice(MINORITY_FIRST)}·{self.rng.choice(MINORITY_SECOND)}"
        given = "".join(self.rng.choice(RARE if self.rng.random() < 0.01 else GIVEN)
                        for _ in range(self.rng.choice((1, 2, 2, 2))))
        return surname + given

    def birth(self, age: int) -> date:
        latest = REFERENCE - timedelta(days=365 * age)
        return latest - timedelta(days=self.rng.randrange(365))

    def id_number(self, birth: date, male: bool) -> str:
        area = COUNTY if birth.year >= 1985 else OLD_CODE
        while True:
            key = (area, birth, male)
            count = self.serials.get(key, 0)
            serial = 2 * count + (1 if male else 2)  # odd for men, even for women
            if serial <= 999:
                self.serials[key] = count + 1
                body = f"{area}{birth:%Y%m%d}{serial:03d}"
                return body + ric.calc_check_digit(body + "0")
            birth -= timedelta(days=1)  # that day is full: the day before


def household(people: People, rng: random.Random) -> list[tuple[str, str, date, bool]]:
    """(name, relation, birth date, male) for each member, the head first."""
    size = rng.choices(HOUSEHOLD_SIZES, SIZE_WEIGHTS)[0]
    head_age = rng.randint(22, 85)
    head_male = rng.random() < 0.7
    family = people.surname()
    members = [(people.name(family), "户主", head_age, head_male)]
    if size > 1 and rng.random() < 0.85:
        spouse_age = max(20, head_age + rng.randint(-5, 5))
        members.append((people.name(people.surname()), "配偶", spouse_age, not head_male))
    if head_age < 60 and size - len(members) >= 3:  # the head's parents live with them
        for relation, male in (("父亲", True), ("母亲", False)):
            members.append((people.name(family if male else people.surname()), relation,
                            min(100, head_age + rng.randint(20, 35)), male))
    while len(members) < size:
        if head_age >= 50 and rng.random() < 0.35:
            age, relation = head_age - rng.randint(45, 60), "孙"
        else:
            age, relation = head_age - rng.randint(22, 38), "子"
        male = rng.random() < 0.52
        relation = {"孙": "孙子" if male else "孙女", "子": "儿子" if male else "女儿"}[relation]
        members.append((people.name(family), relation, max(0, age), male))
    return [(name, relation, people.birth(age), male) for name, relation, age, male in members]


def uninsured(rng: random.Random) -> str:
    chosen = [word for word in INSURANCES if rng.random() < 0.35] or [rng.choice(INSURANCES)]
    style = rng.randrange(3)
    if style == 0:
        return ",".join(chosen)
    if style == 1:
        return "、".join(word + "保险" for word in chosen)
    return "；".join("基本" + word + "保险" for word in chosen)


# ---- registration form payloads (survey_forms/canbao_registration.yaml) ----------------------

RELATIONS = {"户主": "head", "配偶": "spouse", "父亲": "parent", "母亲": "parent",
             "儿子": "child", "女儿": "child", "孙子": "grandchild", "孙女": "grandchild"}
WORK_INSURANCES = ("work_injury_status", "unemployment_status", "maternity_status")
GAP_STATUSES = {"not_enrolled", "interrupted"}


def _age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _status(rng: random.Random, gap: float) -> str:
    roll = rng.random()
    return "not_enrolled" if roll < gap else "interrupted" if roll < gap * 1.5 else "enrolled"


def member_answers(rng: random.Random, name: str, relation: str, birth: date, male: bool,
                   id_number: str, place: str, visit: date = REFERENCE) -> dict:
    """One member's answers as an enumerator enters them: valid against the form, with gaps
    (未参保, 中断缴费) often enough that reasons, schemes and the work insurances all occur."""
    age = _age_on(birth, visit)
    member = {"full_name": name, "id_number": id_number, "sex": "1" if male else "2",
              "birth_date": birth.isoformat(), "relation": RELATIONS.get(relation, "other"),
              "hukou_type": rng.choice(("agricultural", "agricultural", "unified", "non_agricultural")),
              "hukou_place": f"福建省泉州市安溪县{place}", "residence_same": "same",
              "special_groups": "none" if rng.random() < 0.85 else rng.choice(
                  ("dibao", "tekun", "poverty_alleviated", "monitored", "severe_disability"))}
    if rng.random() < 0.1:
        member["residence_same"] = "other"
        member["residence"] = "广东省深圳市宝安区西乡街道"
    gaps = []
    if age < 16:
        member["personal_status"] = "student" if age >= 6 else "resident"
    else:
        if rng.random() < 0.6:
            member["phone"] = f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"
        gaps += _working_age_answers(rng, member, age)
    medical = _status(rng, 0.05)
    member["medical_status"] = medical
    if medical != "not_enrolled":
        member["medical_scheme"] = "employee" if member.get("employment") == "unit_employed" else "resident"
    if medical in GAP_STATUSES:
        gaps.append("medical")
    if gaps:
        reason = rng.choice(("financial", "unwilling", "no_employer", "unreachable", "other"))
        member["not_enrolled_reason"] = reason
        if reason == "other":
            member["not_enrolled_reason_other"] = "家中临时困难，明年再缴"
        if reason != "unreachable":  # the form asks no willingness of somebody unreachable
            member["willingness"] = rng.choice(("willing", "unwilling", "undecided"))
    return member


def _working_age_answers(rng: random.Random, member: dict, age: int) -> list[str]:
    """Employment, pension and the work insurances of somebody 16 or over; the insurances
    they should be in but are not."""
    employment = ("retired" if age >= 60 and rng.random() < 0.4 else "student" if age < 22
                  else rng.choice(("unit_employed", "flexible", "platform", "farming", "farming",
                                   "unemployed")))
    member["employment"] = employment
    member["personal_status"] = {"unit_employed": "employee", "student": "student",
                                 "retired": "retiree"}.get(employment, "resident")
    gaps = []
    if employment == "student":  # not expected to be in a pension scheme: no reason asked
        member["pension_status"] = "not_enrolled"
    else:
        status = "receiving" if employment == "retired" else _status(rng, 0.15)
        member["pension_status"] = status
        if status != "not_enrolled":
            member["pension_scheme"] = "enterprise" if employment == "unit_employed" else "resident"
        if status in GAP_STATUSES:
            gaps.append("pension")
    if employment == "unit_employed":
        member["employer"] = rng.choice(("安溪县茶业有限公司", "泉州市建材有限公司", "安溪县人民医院"))
        member["unit_type"] = rng.choice(("enterprise", "institution", "government"))
        for key in WORK_INSURANCES:
            member[key] = "enrolled" if rng.random() < 0.9 else "not_enrolled"
        if "not_enrolled" in (member[key] for key in WORK_INSURANCES):
            gaps.append("work")
    elif employment in ("flexible", "platform"):
        for key in WORK_INSURANCES:
            member[key] = rng.choice(("enrolled", "not_enrolled"))
    elif employment == "unemployed":
        member["unemployment_status"] = "not_enrolled"
    return gaps


def household_payload(people: People, rng: random.Random, village_code: str, place: str,
                      visit: date = REFERENCE) -> dict:
    """A registered household of 1 to 8 (as `household()` makes them), every member with
    valid answers: what a phone pushes after one visit."""
    address = f"{place}{rng.randint(1, 12)}组{rng.randint(1, 150)}号"
    members = [member_answers(rng, name, relation, birth, male, people.id_number(birth, male),
                              place, visit)
               for name, relation, birth, male in household(people, rng)]
    payload = {"village_code": village_code, "visit_date": visit.isoformat(), "address": address,
               "visit_outcome": "registered", "household_type": "family", "members": members}
    if rng.random() < 0.7:
        payload["contact_phone"] = f"13{rng.randrange(10**9):09d}"
    return payload


def roster_people(people_count: int, tree, rng: random.Random):
    """(roster row, birth date, male, household number, index in household) per person until
    the count is reached (the last household may be cut short)."""
    people = People(rng)
    villages = [(code, township + village) for _, township, in_township in tree
                for code, village in in_township]
    written, number = 0, 0
    while written < people_count:
        number += 1
        code, place = rng.choice(villages)
        address = f"{place}{rng.randint(1, 12)}组{rng.randint(1, 150)}号"
        for index, (name, relation, birth, male) in enumerate(household(people, rng)):
            if written == people_count:
                return
            row = [f"H{number:07d}", name, relation, people.id_number(birth, male), address, code,
                   uninsured(rng)]
            yield row, birth, male, number, index
            written += 1


def answered(people, path: Path, rng: random.Random):
    """The roster rows, writing as they pass each person's answers as approved, in the columns
    of table person_fact (app/reports/models.py), with "before" statuses from the roster's
    missing insurances. Its own random stream: the roster's bytes do not depend on whether
    answers are written."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(ANSWER_HEADERS)
        for row, birth, male, number, index in people:
            writer.writerow(fact(row, birth, male, number, index, rng))
            yield row


def fact(row: list[str], birth: date, male: bool, number: int, index: int,
         rng: random.Random) -> list[str]:
    """A roster person registered with member_answers(), reduced to a person fact as
    app/reports/facts.py reduces an approved member."""
    member = member_answers(rng, row[1], row[2], birth, male, row[3], row[4])
    approved = APPROVALS_FROM + timedelta(seconds=rng.randrange(APPROVAL_SPAN))
    missing = {INSURANCE_CODES[word] for word in INSURANCES if word in row[6]}
    return [row[3], row[5], str(uuid.UUID(int=number)), "1", str(index), approved.isoformat(),
            f"{birth:%Y-%m-%d}",
            *(member.get(answer, "") for answer in ("sex", "hukou_type", "personal_status",
                                                    "employment", "unit_type")),
            *(member.get(f"{name}_status", "") for name in INSURANCE_CODES.values()),
            *("not_enrolled" if name in missing else "" for name in INSURANCE_CODES.values())]


def write_roster(path: Path, rows, fmt: str) -> None:
    if fmt == "csv":
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(ROSTER_HEADERS)
            writer.writerows(rows)
        return
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("名单")
    sheet.append(ROSTER_HEADERS)
    for row in rows:
        sheet.append(row)
    book.save(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="benchmarks/out", help="folder for areas.csv and the roster")
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--townships", type=int, default=20)
    parser.add_argument("--villages", type=int, default=20, help="villages per township")
    parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    parser.add_argument("--answers", action="store_true",
                        help="also write answers.csv: each person's answers, as table person_fact holds them")
    args = parser.parse_args(argv)
    if not 1 <= args.townships <= 899 or not 1 <= args.villages <= 999:
        parser.error("townships must be 1-899 and villages 1-999")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(args.seed)
    tree = townships(args.townships, args.villages)
    write_areas(out / "areas.csv", tree)
    roster = out / f"roster.{args.format}"
    people = roster_people(args.people, tree, rng)
    if args.answers:
        rows = answered(people, out / "answers.csv", random.Random(f"answers-{args.seed}"))
    else:
        rows = (row for row, *_ in people)
    write_roster(roster, rows, args.format)
    print(f"wrote {out / 'areas.csv'} and {roster}{' and answers.csv' * args.answers} "
          f"({args.people} people)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
