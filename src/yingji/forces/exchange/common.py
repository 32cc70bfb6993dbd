"""Columns of the forces sheets and the parsing of their cells (dates, code lists, labels)."""

from __future__ import annotations

import re
from datetime import date

from yingji.core.i18n import translate
from yingji.forces import codes
from yingji.org.exchange import common
from yingji.org.sheets import Column

TEAMS = [
    Column("code", "队伍编码", "Team code", True, 22),
    Column("name", "队伍名称", "Team name", True, 26),
    Column("kind", "队伍类型", "Team kind", True, 18),
    Column("jurisdiction_code", "所属区划代码", "Division code", True, 16),
    Column("jurisdiction_name", "所属区划", "Division", False, 16),
    Column("lon", "经度", "Longitude", False, 11),
    Column("lat", "纬度", "Latitude", False, 11),
    Column("address", "驻地", "Base address", False, 20),
    Column("organisation", "主管单位", "Organisation", False, 20),
    Column("duty_phone", "值班电话", "Duty phone", False, 14),
    Column("capabilities", "救援能力", "Capabilities", False, 30),
    Column("readiness", "备勤状态", "Readiness", False, 10),
    Column("member_count", "队员人数", "Members", False, 8),
    Column("registration_no", "备案编号", "Registration number", False, 18),
    Column("registered_on", "备案日期", "Registered on", False, 12),
    Column("registered_with", "备案机关", "Registered with", False, 18),
    Column("capability_grade", "测评等级", "Capability grade", False, 10),
    Column("insurance_until", "保险到期", "Insurance until", False, 12),
    Column("note", "备注", "Note", False, 20),
]
MEMBERS = [
    Column("team_code", "队伍编码", "Team code", True, 22),
    Column("team_name", "队伍名称", "Team name", False, 24),
    Column("name", "姓名", "Name", True, 10),
    Column("gender", "性别", "Gender", False, 6),
    Column("mobile", "手机号", "Mobile", True, 14),
    Column("role", "队内职务", "Role", False, 10),
    Column("squad", "分队", "Squad", False, 12),
    Column("skills", "技能", "Skills", False, 20),
    Column("certificates", "证书(名称:有效期至)", "Certificates (name:valid until)", False, 36),
    Column("insurance_until", "保险到期", "Insurance until", False, 12),
    Column("note", "备注", "Note", False, 20),
]
KINDS = {"teams": TEAMS, "members": MEMBERS}
GENDER_WORDS = {"男": "M", "女": "F", "M": "M", "F": "F", "": None}
_SPLIT = re.compile(r"[、,，;；/\s]+")
_CERT = re.compile(r"^(.*?)(?:[:：]\s*(.*))?$")


def lookup(table: dict[str, str]) -> dict[str, str]:
    """Accept a code, its Chinese label or its English label (case-insensitive for English)."""
    out: dict[str, str] = {}
    for code, msgid in table.items():
        out[code.lower()] = code
        out[msgid.lower()] = code
        out[translate(msgid, "zh_CN")] = code
    return out


KIND_WORDS = lookup({k: v.label for k, v in codes.TEAM_KINDS.items()})
CAPABILITY_WORDS = lookup(codes.CAPABILITIES)
ROLE_WORDS = lookup(codes.MEMBER_ROLES) | {"队长": "leader", "副队长": "deputy", "队员": "member"}
SQUAD_WORDS = lookup({k: v[0] for k, v in codes.SQUADS.items()})
GRADE_WORDS = lookup(codes.GRADES) | {"轻型": "light", "中型": "medium", "重型": "heavy"}


def word(table: dict[str, str], value: str) -> str | None:
    """The code a cell names, or None."""
    return table.get(value.strip()) or table.get(value.strip().lower())


def parse_date(value: str) -> date:
    """2027-05-01, 2027/5/1, 2027年5月1日 or an Excel date; raises ValueError when unreadable."""
    found = common.written_date(value)
    if found is None:
        raise ValueError(value)
    return found


def parse_capabilities(value: str) -> tuple[list[str], list[str]]:
    """(codes, unknown words) of a capability cell."""
    found, unknown = [], []
    for part in _SPLIT.split(value or ""):
        if not part:
            continue
        code = word(CAPABILITY_WORDS, part)
        (found if code else unknown).append(code or part)
    return codes.split_codes(",".join(found)), unknown


def capability_labels(value: str) -> str:
    return "、".join(translate(codes.CAPABILITIES[c], "zh_CN") for c in codes.split_codes(value))


def parse_certificates(value: str) -> list[tuple[str, date | None]]:
    """ "急救员证:2027-05-01；冲锋舟驾驶证" → [(name, expiry)]; raises ValueError on a bad date."""
    out = []
    for part in re.split(r"[;；\n]+", value or ""):
        part = part.strip()
        if not part:
            continue
        m = _CERT.match(part)
        name, when = m.group(1), m.group(2) or ""
        name = name.strip()
        if not name or len(name) > 80:
            raise ValueError(part)
        out.append((name, parse_date(when) if when.strip() else None))
    return out


def certificates_text(items) -> str:
    return "；".join(f"{c.name}:{c.expires_on.isoformat()}" if c.expires_on else c.name for c in items)
