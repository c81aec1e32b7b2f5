"""Demo data: one county with a real code (so synthetic ID numbers validate) and clearly
synthetic township, village and user names. Loading it twice changes nothing."""
from sqlmodel import Session, select

from app.accounts import service as accounts
from app.accounts.models import Role, User
from app.accounts.secrets import Passwords
from app.areas.models import Area, AreaLevel
from app.audit.service import SYSTEM
from app.forms import service as forms
from app.forms.models import FormVersion

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


def is_empty(session: Session) -> bool:
    return session.exec(select(User).limit(1)).first() is None and \
        session.exec(select(Area).limit(1)).first() is None


def seed(session: Session, passwords: Passwords, password: str) -> dict[str, int]:
    """Add whatever part of the demo data is missing; return how many rows were added."""
    added = {"areas": 0, "users": 0, "forms": 0}
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
    return added
