"""A synthetic county for benchmarks: the area tree and a roster of targets.

    .venv/bin/python benchmarks/generate.py --out benchmarks/out [--people 1000000] [--seed 1]
        [--townships 20] [--villages 20] [--format csv|xlsx]

writes `areas.csv` (code,name,parent, for `canbao import-areas`) and `roster.csv` or
`roster.xlsx` (for `canbao import-targets`). The same seed gives the same rows (and, for
CSV, the same bytes).

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
from datetime import date, timedelta
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


def roster_rows(people_count: int, tree, rng: random.Random):
    """One row per person until the count is reached (the last household may be cut short)."""
    people = People(rng)
    villages = [(code, township + village) for _, township, in_township in tree
                for code, village in in_township]
    written, number = 0, 0
    while written < people_count:
        number += 1
        code, place = rng.choice(villages)
        address = f"{place}{rng.randint(1, 12)}组{rng.randint(1, 150)}号"
        for name, relation, birth, male in household(people, rng):
            if written == people_count:
                return
            yield [f"H{number:07d}", name, relation, people.id_number(birth, male), address, code,
                   uninsured(rng)]
            written += 1


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
    args = parser.parse_args(argv)
    if not 1 <= args.townships <= 899 or not 1 <= args.villages <= 999:
        parser.error("townships must be 1-899 and villages 1-999")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(args.seed)
    tree = townships(args.townships, args.villages)
    write_areas(out / "areas.csv", tree)
    roster = out / f"roster.{args.format}"
    write_roster(roster, roster_rows(args.people, tree, rng), args.format)
    print(f"wrote {out / 'areas.csv'} and {roster} ({args.people} people)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
