"""The automatic checks, one small pure function each: a payload (and what the service looked
up for it) in, flags out. `app/review/service.py` gathers the inputs and stores the flags.

Most of these rules are also constraints of the bundled registration form, so a household
breaking them is refused at push. They are checked again here because the form is data: a
county may publish a form without those constraints, the phone checks a phone number's
pattern only (the server also knows which number ranges exist), and the cross-household
checks cannot run on a phone at all.
"""
from collections.abc import Iterable
from dataclasses import dataclass

from app.common import idcard, phone
from app.review.models import Severity

INSURANCES = {  # payload prefix: (中文, English)
    "pension": ("基本养老保险", "pension insurance"),
    "medical": ("基本医疗保险", "medical insurance"),
    "work_injury": ("工伤保险", "work injury insurance"),
    "unemployment": ("失业保险", "unemployment insurance"),
    "maternity": ("生育保险", "maternity insurance"),
}
# The national schemes of the two insurances that have more than one (重复参保 is being in
# two of them at once).
SCHEMES = {
    "pension": {"enterprise": ("企业职工养老", "enterprise employees"),
                "public": ("机关事业单位养老", "government and public institutions"),
                "resident": ("城乡居民养老", "urban and rural residents")},
    "medical": {"employee": ("职工医保", "employees"),
                "resident": ("城乡居民医保", "urban and rural residents")},
}
GAP_STATUSES = {"not_enrolled", "interrupted"}  # 未参保, 中断缴费
ACTIVE_STATUSES = {"enrolled", "receiving"}  # a scheme the person is in now
SEX = {"1": ("男", "male"), "2": ("女", "female")}
NAMES_SHOWN = 5


@dataclass(frozen=True)
class Flag:
    code: str
    severity: str
    path: str
    message_zh: str
    message_en: str
    related_submission_id: str | None = None


@dataclass(frozen=True)
class Elsewhere:
    """The same ID number in another household that still counts (not rejected)."""

    submission_id: str
    approved: bool  # approved households are what the registry receives
    village_name: str
    pension_scheme: str = ""
    medical_scheme: str = ""


def _members(payload: dict) -> list[tuple[int, dict]]:
    members = payload.get("members") or []
    return [(index, member) for index, member in enumerate(members) if isinstance(member, dict)]


def _id_of(member: dict) -> str:
    value = member.get("id_number")
    return idcard.normalize(str(value)) if value else ""


def _label(member: dict, index: int) -> str:
    return str(member.get("full_name") or f"#{index + 1}")


def id_numbers(payload: dict) -> list[Flag]:
    """An ID number that fails GB 11643 (error); an address code the tables do not list
    (warning only: people keep the code their number was issued with)."""
    flags = []
    for index, member in _members(payload):
        value = _id_of(member)
        if not value:
            continue
        result = idcard.check(value)
        path = f"members[{index}].id_number"
        for code in result.errors[:1]:
            text = idcard.MESSAGES[code]
            flags.append(Flag("id_invalid", Severity.error, path, f"身份证号码无效：{text['zh']}",
                              f"Invalid ID number: {text['en']}"))
        for code in result.warnings:
            text = idcard.MESSAGES[code]
            flags.append(Flag(code, Severity.warning, path, text["zh"], text["en"]))
    return flags


def id_agreement(payload: dict) -> list[Flag]:
    """Sex and birth date as entered must agree with what a valid ID number says."""
    flags = []
    for index, member in _members(payload):
        value = _id_of(member)
        result = idcard.check(value) if value else None
        if result is None or not result.valid:
            continue
        sex = str(member.get("sex") or "")
        if sex and sex != result.sex:
            zh, en = SEX[result.sex]
            flags.append(Flag("sex_mismatch", Severity.error, f"members[{index}].sex",
                              f"性别与身份证号码不一致（号码显示为{zh}）",
                              f"The sex does not agree with the ID number (which says {en})"))
        birth = str(member.get("birth_date") or "")
        expected = result.birth_date.isoformat()
        if birth and birth != expected:
            flags.append(Flag("birth_date_mismatch", Severity.error, f"members[{index}].birth_date",
                              f"出生日期与身份证号码不一致（号码显示为{expected}）",
                              f"The birth date does not agree with the ID number (which says {expected})"))
    return flags


def duplicate_ids_in_household(payload: dict) -> list[Flag]:
    """The same person entered twice: flagged on every repetition after the first."""
    flags, first = [], {}
    for index, member in _members(payload):
        value = _id_of(member)
        if not value:
            continue
        if value in first:
            other = first[value]
            flags.append(Flag("id_duplicate_household", Severity.error,
                              f"members[{index}].id_number",
                              f"与本户第{other + 1}名成员的身份证号码相同",
                              f"Same ID number as member {other + 1} of this household"))
        else:
            first[value] = index
    return flags


def duplicate_ids_elsewhere(payload: dict, elsewhere: dict[str, list[Elsewhere]]) -> list[Flag]:
    """The same ID number in another household: already approved (in the registry), or
    another household's submission. One flag per other household, with a link to it."""
    flags = []
    for index, member in _members(payload):
        for other in elsewhere.get(_id_of(member), []):
            path = f"members[{index}].id_number"
            if other.approved:
                flags.append(Flag("id_in_registry", Severity.error, path,
                                  f"此人已在参保库中：{other.village_name}另一户已审核通过的登记",
                                  f"Already in the registry: an approved household in {other.village_name}",
                                  other.submission_id))
            else:
                flags.append(Flag("id_duplicate_other", Severity.error, path,
                                  f"此人也登记在{other.village_name}的另一户中",
                                  f"Also registered in another household in {other.village_name}",
                                  other.submission_id))
    return flags


def _schemes(value: object) -> set[str]:
    return set(str(value or "").split())


def active_schemes(member: dict, insurance: str) -> set[str]:
    """The schemes of one insurance the member is in now ("" values and gaps left out)."""
    if member.get(f"{insurance}_status") not in ACTIVE_STATUSES:
        return set()
    return _schemes(member.get(f"{insurance}_scheme"))


def duplicate_enrollment(payload: dict, elsewhere: dict[str, list[Elsewhere]]) -> list[Flag]:
    """重复参保: one person in two schemes of one insurance at once, as this household says
    (a form that allows several schemes) or together with another household's registration."""
    flags = []
    for index, member in _members(payload):
        others = elsewhere.get(_id_of(member), [])
        for insurance, schemes in SCHEMES.items():
            own = active_schemes(member, insurance)
            if not own:
                continue
            related = None
            found = set(own)
            for other in others:
                theirs = _schemes(getattr(other, f"{insurance}_scheme"))
                if theirs - own and related is None:
                    related = other.submission_id
                found |= theirs
            if len(found) < 2:
                continue
            order = list(schemes)
            names = sorted(found, key=lambda name: (order.index(name) if name in order else len(order), name))
            zh = "、".join(schemes.get(name, (name,))[0] for name in names)
            en = ", ".join(schemes.get(name, (name, name))[1] for name in names)
            label_zh, label_en = INSURANCES[insurance]
            flags.append(Flag("duplicate_enrollment", Severity.warning,
                              f"members[{index}].{insurance}_scheme",
                              f"重复参保：{label_zh}同时登记为{zh}",
                              f"Enrolled twice: {label_en} as {en}", related))
    return flags


def missing_reasons(payload: dict) -> list[Flag]:
    """Should be enrolled (the form's should_enroll_* calculation; 1 when the form has none)
    but is not, or stopped paying, and no reason was given."""
    flags = []
    for index, member in _members(payload):
        if member.get("not_enrolled_reason"):
            continue
        gaps = [insurance for insurance in INSURANCES
                if member.get(f"{insurance}_status") in GAP_STATUSES
                and member.get(f"should_enroll_{insurance}", 1) == 1]
        if gaps:
            zh = "、".join(INSURANCES[name][0] for name in gaps)
            en = ", ".join(INSURANCES[name][1] for name in gaps)
            flags.append(Flag("reason_missing", Severity.error,
                              f"members[{index}].not_enrolled_reason",
                              f"应参保未参保（{zh}），但没有填写未参保原因",
                              f"Should be enrolled but is not ({en}), and no reason is given"))
    return flags


def phones(payload: dict) -> list[Flag]:
    """Mobile numbers that are not a mainland mobile number in use (a warning: the household
    is registered correctly without one)."""
    found = [("contact_phone", payload.get("contact_phone"))]
    found += [(f"members[{index}].phone", member.get("phone")) for index, member in _members(payload)]
    text = phone.MESSAGES["phone_invalid"]
    return [Flag("phone_invalid", Severity.warning, path, f"手机号码无效：{text['zh']}",
                 f"Invalid phone number: {text['en']}")
            for path, value in found if value and not phone.is_valid(str(value))]


def unaccounted_targets(open_targets: Iterable[str] | None) -> list[Flag]:
    """The village is marked done (`open_targets` is not None) and some of its targets are
    still open: neither registered, moved, deceased nor not found."""
    names = list(open_targets or [])
    if not names:
        return []
    shown = "、".join(names[:NAMES_SHOWN]) + ("等" if len(names) > NAMES_SHOWN else "")
    shown_en = ", ".join(names[:NAMES_SHOWN]) + (", …" if len(names) > NAMES_SHOWN else "")
    return [Flag("target_unaccounted", Severity.warning, "",
                 f"本村已标记登记完成，但还有{len(names)}名核对对象未落实：{shown}",
                 f"The village is marked done, but {len(names)} targets are not accounted for: {shown_en}")]


@dataclass(frozen=True)
class OwnFlags:
    """What the checks find in a household's payload alone, in their places among the rest."""
    before: list[Flag]  # ID numbers, their agreement with sex and birth date, repeats inside
    after: list[Flag]  # missing reasons, phone numbers


def own_flags(payload: dict) -> OwnFlags:
    """The checks that need no other household: a push runs them before it takes the change
    counter's lock (sync/push.py), which is then held only for what depends on the others."""
    return OwnFlags(id_numbers(payload) + id_agreement(payload) + duplicate_ids_in_household(payload),
                    missing_reasons(payload) + phones(payload))


def all_flags(payload: dict, elsewhere: dict[str, list[Elsewhere]],
              open_targets: list[str] | None, own: OwnFlags | None = None) -> list[Flag]:
    """Every flag of a household; `own`: own_flags(payload) when already known."""
    own = own or own_flags(payload)
    return (own.before + duplicate_ids_elsewhere(payload, elsewhere)
            + duplicate_enrollment(payload, elsewhere) + own.after + unaccounted_targets(open_targets))


# Every code, for the queue's filter, with its label.
CODES = {
    "id_invalid": ("身份证号码无效", "Invalid ID number"),
    "id_area_unknown": ("身份证地址码不在代码表中", "ID address code not listed"),
    "sex_mismatch": ("性别与身份证不一致", "Sex disagrees with the ID"),
    "birth_date_mismatch": ("出生日期与身份证不一致", "Birth date disagrees with the ID"),
    "id_duplicate_household": ("户内身份证号码重复", "Same ID twice in the household"),
    "id_duplicate_other": ("与其他户重复登记", "Same ID in another household"),
    "id_in_registry": ("已在参保库中", "Already in the registry"),
    "duplicate_enrollment": ("重复参保", "Enrolled in two schemes"),
    "reason_missing": ("未参保未填原因", "Not enrolled, no reason"),
    "phone_invalid": ("手机号码无效", "Invalid phone"),
    "target_unaccounted": ("核对对象未落实", "Targets unaccounted for"),
}
