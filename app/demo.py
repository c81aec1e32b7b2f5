"""Demo data: one county with a real code (so synthetic ID numbers validate) and clearly
synthetic township, village and user names. Loading it twice changes nothing."""
from stdnum.cn import ric
from sqlmodel import Session, select

from app.accounts import service as accounts
from app.accounts.models import Role, User
from app.accounts.secrets import Passwords
from app.areas.models import Area, AreaLevel
from app.audit.service import SYSTEM
from app.forms import service as forms
from app.forms.models import FormVersion
from app.targets.models import Target
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
