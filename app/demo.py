"""Demo data: one county with a real code (so synthetic ID numbers validate) and clearly
synthetic township, village and user names. Loading it twice changes nothing."""
from datetime import UTC, date, datetime

from stdnum.cn import ric
from sqlmodel import Session, col, select

from app.accounts import service as accounts
from app.accounts.models import Role, User
from app.accounts.secrets import Passwords
from app.areas.models import Area, AreaLevel
from app.audit.service import SYSTEM, Actor
from app.clock import CHINA_TZ
from app.forms import service as forms
from app.forms.models import FormVersion
from app.forms.validation import validate
from app.reports import plans
from app.review import service as review
from app.submissions import service as submissions
from app.submissions.models import Submission
from app.targets.models import Target
from sync.canonical import content_hash
from sync.changes import next_seq

COUNTY = ("350524", "安溪县（演示）")
REGISTRATION_FORM = "canbao_registration.yaml"
TOWNSHIPS = [
    ("350524100", "演示一镇", ["示范一村", "示范二村", "示范三村"]),
    ("350524101", "演示二镇", ["示范四村", "示范五村", "示范六村"]),
    ("350524102", "演示三乡", ["示范七村", "示范八村", "示范九社区"]),
]
USERS = [
    ("admin", "县管理员（演示）", Role.admin, ["350524"]),
    ("supervisor", "一镇审核员（演示）", Role.supervisor, ["350524100"]),
    ("supervisor2", "二镇审核员（演示）", Role.supervisor, ["350524101"]),
    ("enumerator", "一镇登记员（演示）", Role.enumerator, ["350524100001", "350524100002"]),
    ("enumerator2", "二镇登记员（演示）", Role.enumerator, ["350524101001"]),
]


def demo_areas() -> list[Area]:
    rows = [Area(code=COUNTY[0], name=COUNTY[1], level=AreaLevel.county)]
    for township_code, township_name, villages in TOWNSHIPS:
        rows.append(Area(code=township_code, name=township_name, level=AreaLevel.township,
                         parent_code=COUNTY[0]))
        for number, village_name in enumerate(villages, start=1):
            rows.append(Area(code=f"{township_code}{number:03d}", name=village_name,
                             level=AreaLevel.village, parent_code=township_code))
    return rows


# Targets: four synthetic people per village, named 测试 + the village's stem + 一..四.
TARGET_STEMS = "甲乙丙丁戊己庚辛壬"
TARGET_NUMBERS = "一二三四"
TARGET_GAPS = ["pension", "medical", "pension medical", "work_injury unemployment maternity"]


def demo_targets(user_ids: dict[str, int]) -> list[Target]:
    """Synthetic targets with valid ID numbers of the demo county (check digits computed by
    python-stdnum), assigned to the demo enumerator of their village where there is one."""
    enumerator_of = {code: user_ids[username] for username, _, role, codes in USERS
                     if role == Role.enumerator and username in user_ids for code in codes}
    villages = [area for area in demo_areas() if area.level == AreaLevel.village]
    rows = []
    for stem, village in zip(TARGET_STEMS, villages):
        for index, number in enumerate(TARGET_NUMBERS):
            serial = len(rows)
            # Born 1985 or later: python-stdnum lists county 350524 from 1985 on.
            birth = f"{1985 + serial % 30}{index * 3 + 1:02d}{serial % 28 + 1:02d}"
            body = f"{COUNTY[0]}{birth}{serial * 7 % 1000:03d}"
            rows.append(Target(village_code=village.code, name=f"测试{stem}{number}",
                               id_number=body + ric.calc_check_digit(body + "0"),
                               address=f"{village.name}{index + 1}组{index + 10}号（演示）",
                               uninsured=TARGET_GAPS[index],
                               assigned_to_id=enumerator_of.get(village.code), seq=0))
    return rows


def is_empty(session: Session) -> bool:
    return session.exec(select(User).limit(1)).first() is None and \
        session.exec(select(Area).limit(1)).first() is None


def seed(session: Session, passwords: Passwords, password: str) -> dict[str, int]:
    """Add whatever part of the demo data is missing; return how many rows were added."""
    added = {"areas": 0, "users": 0, "forms": 0, "targets": 0}
    for area in demo_areas():
        if session.get(Area, area.code) is None:
            session.add(area)
            session.flush()
            added["areas"] += 1
    for username, display_name, role, codes in USERS:
        if session.exec(select(User).where(User.username == username)).first() is None:
            accounts.create_user(session=session, passwords=passwords, actor=SYSTEM,
                                 username=username, display_name=display_name, role=role,
                                 password=password, area_codes_=codes)
            added["users"] += 1
    if session.exec(select(FormVersion).where(FormVersion.county_code == COUNTY[0])).first() is None:
        forms.install_bundled(session=session, actor=SYSTEM, county_code=COUNTY[0],
                              path=forms.BUNDLED_FORMS / REGISTRATION_FORM)
        added["forms"] = 1
    user_ids = {user.username: user.id for user in session.exec(select(User))}
    existing = set(session.exec(select(Target.village_code, Target.id_number)))
    missing = [target for target in demo_targets(user_ids)
               if (target.village_code, target.id_number) not in existing]
    if missing:
        first = next_seq(session, len(missing))
        for offset, target in enumerate(missing):
            target.seq = first + offset
            session.add(target)
        added["targets"] = len(missing)
    return added


# Approved households, so that the demo county's reports show real numbers: three households
# per village, stored and approved through the same services as a phone's push and a
# supervisor's decision (validation, submission store, review.approve). Each village's first
# two targets are found at home and now enrolled (the reports count them as newly enrolled);
# the rest of the members are synthetic. Villages without a demo enumerator are recorded under
# the county admin.
ADULT_PROFILES = [
    {"personal_status": "employee", "employment": "unit_employed", "employer": "演示建材有限公司（演示）",
     "unit_type": "enterprise", "pension_status": "enrolled", "pension_scheme": "enterprise",
     "medical_status": "enrolled", "medical_scheme": "employee", "work_injury_status": "enrolled",
     "unemployment_status": "enrolled", "maternity_status": "enrolled"},
    {"personal_status": "resident", "employment": "farming", "pension_status": "not_enrolled",
     "medical_status": "enrolled", "medical_scheme": "resident",
     "not_enrolled_reason": "financial", "willingness": "willing"},
    {"personal_status": "student", "employment": "student", "pension_status": "not_enrolled",
     "medical_status": "enrolled", "medical_scheme": "resident"},
    {"personal_status": "employee", "employment": "unit_employed", "employer": "演示茶叶合作社（演示）",
     "unit_type": "social_org", "pension_status": "enrolled", "pension_scheme": "enterprise",
     "medical_status": "enrolled", "medical_scheme": "employee", "work_injury_status": "not_enrolled",
     "unemployment_status": "not_enrolled", "maternity_status": "enrolled",
     "not_enrolled_reason": "no_employer", "willingness": "willing"},
    {"personal_status": "soldier", "employment": "military", "pension_status": "not_enrolled",
     "medical_status": "enrolled", "medical_scheme": "resident"},
    {"personal_status": "self_employed", "employment": "flexible", "pension_status": "interrupted",
     "pension_scheme": "resident", "medical_status": "enrolled", "medical_scheme": "resident",
     "work_injury_status": "not_enrolled", "unemployment_status": "not_enrolled",
     "maternity_status": "not_enrolled", "not_enrolled_reason": "unwilling", "willingness": "undecided"},
]
FOUND_TARGET = {"personal_status": "resident", "employment": "farming", "pension_status": "enrolled",
                "pension_scheme": "resident", "medical_status": "enrolled", "medical_scheme": "resident"}
CHILD = {"personal_status": "student", "medical_status": "enrolled", "medical_scheme": "resident"}
# (birth date, profile) of the synthetic members: adults of every profile, a child, someone
# who turned 16 this year.
MEMBERS = [("19880312", 0), ("19910705", 1), ("20080214", 2), ("19950909", 3), ("20030101", 4),
           ("19870630", 5), ("20150520", None), ("19990101", 0), ("20100101", 2)]
PLANS = {"pension": 30, "medical": 20, "work_injury": 12, "maternity": 10, "unemployment": 12}


def _member(id_number: str, name: str, profile: dict, age: int) -> dict:
    member = {"full_name": name, "id_number": id_number, "sex": "1" if int(id_number[16]) % 2 else "2",
              "birth_date": f"{id_number[6:10]}-{id_number[10:12]}-{id_number[12:14]}",
              "relation": "head", "hukou_type": "agricultural", "hukou_place": "福建省泉州市安溪县（演示）",
              "residence_same": "same", "special_groups": "none", **(profile if age >= 16 else CHILD)}
    if member["sex"] == "1" and member.get("maternity_status") == "receiving":
        member["maternity_status"] = "enrolled"
    return member


def _age(birth: str, on: date) -> int:
    """Whole years on `on` of someone born on `birth` (YYYYMMDD)."""
    return on.year - int(birth[:4]) - ((on.month, on.day) < (int(birth[4:6]), int(birth[6:8])))


def _synthetic_name(village: int, serial: int) -> str:
    """演示 + the village's stem + the serial in Chinese numerals (a name holds no digits)."""
    return "演示" + TARGET_STEMS[village] + "".join("〇一二三四五六七八九"[int(digit)] for digit in str(serial))


def _synthetic_id(birth: str, serial: int) -> str:
    body = f"{COUNTY[0]}{birth}{serial:03d}"
    return body + ric.calc_check_digit(body + "0")


def seed_households(session: Session) -> int:
    """Three approved households per demo village and the current year's expansion plans;
    nothing when the demo county already has households. Returns the households added."""
    if session.exec(select(Submission.id).where(col(Submission.village_code).startswith(COUNTY[0])).limit(1)).first():
        return 0
    users = {user.username: user for user in session.exec(select(User))}
    enumerator_of = {code: users[username] for username, _, role, codes in USERS
                     if role == Role.enumerator for code in codes}
    row = forms.find_published(session, COUNTY[0], "canbao_registration", "2026.1")
    definition = forms.definition_of(row)
    today = datetime.now(CHINA_TZ).date()
    supervisor = Actor(users["admin"].id, users["admin"].username)
    villages = [area for area in demo_areas() if area.level == AreaLevel.village]
    serial, added = 0, 0
    for number, village in enumerate(villages):
        targets = session.exec(select(Target).where(Target.village_code == village.code)
                               .order_by(Target.id)).all()
        owner = enumerator_of.get(village.code, users["admin"])
        for household in range(3):
            members = []
            if household == 0:
                members = [_member(target.id_number, target.name, FOUND_TARGET, _age(target.id_number[6:14], today))
                           for target in targets[:2]]
            for birth, profile in MEMBERS[household * 3:household * 3 + 3]:
                serial += 1
                members.append(_member(_synthetic_id(birth, serial), _synthetic_name(number, serial),
                                       ADULT_PROFILES[profile or 0], _age(birth, today)))
            for index, member in enumerate(members):
                member["relation"] = "head" if index == 0 else "other"
            payload = {"village_code": village.code, "visit_date": today.isoformat(),
                       "address": f"{village.name}{household + 1}组{20 + household}号（演示）",
                       "visit_outcome": "registered", "household_type": "family",
                       "contact_phone": "13800000000", "members": members}
            checked = validate(definition, payload)
            if checked.errors:
                raise RuntimeError(f"demo household of {village.code} is not valid: {checked.errors}")
            capture = submissions.Capture(
                id=f"00000000-0000-4000-8000-{serial:012d}", revision=1, village_code=village.code,
                form_id=row.form_id, form_version=row.version, content_hash=content_hash(payload),
                captured_at=datetime.now(UTC), payload=checked.cleaned)
            submission = submissions.receive(session=session, actor=Actor(owner.id, owner.username),
                                             capture=capture)
            review.approve(session=session, actor=supervisor, submission=submission, revision=1)
            added += 1
    for year, quarters in ((today.year, range(0, 5)), (today.year + 1, range(0, 1))):
        for quarter in quarters:
            share = 4 if quarter == 0 else 1
            plans.save(session=session, actor=supervisor, county_code=COUNTY[0], year=year, quarter=quarter,
                       entered={(code, name): str(people * share) for code, _, _ in TOWNSHIPS
                                for name, people in PLANS.items()})
    return added
