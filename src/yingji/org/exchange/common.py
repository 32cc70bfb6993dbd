"""What every sheet import shares: the columns of each kind, row errors, lookups, the result."""

from __future__ import annotations

from dataclasses import dataclass

from yingji.auth.scope import Principal
from yingji.core.errors import ImportRejected
from yingji.core.i18n import translate
from yingji.org import codes
from yingji.org.models import Jurisdiction
from yingji.org.schemas import check_mobile
from yingji.org.sheets import Column

PEOPLE = [
    Column("name", "姓名", "Name", True, 10),
    Column("gender", "性别", "Gender", False, 6),
    Column("mobile", "手机号", "Mobile", True, 14),
    Column("office_phone", "办公电话", "Office phone", False, 14),
    Column("jurisdiction_code", "所属区划代码", "Division code", True, 16),
    Column("jurisdiction_name", "所属区划", "Division", False, 16),
    Column("title", "职务", "Title", False, 18),
    Column("unit_code", "单位编码", "Unit code", False, 20),
    Column("post", "单位职务", "Post", False, 12),
    Column("post_role", "岗位类别", "Post role", False, 10),
    Column("note", "备注", "Note", False, 20),
]
UNITS = [
    Column("code", "单位编码", "Unit code", True, 22),
    Column("name", "单位名称", "Unit name", True, 26),
    Column("kind", "类型", "Kind", True, 16),
    Column("topic", "专项类别", "Topic", False, 14),
    Column("parent_code", "上级单位编码", "Parent unit code", False, 22),
    Column("jurisdiction_code", "所属区划代码", "Division code", True, 16),
    Column("duty_phone", "值班电话", "Duty phone", False, 14),
    Column("address", "地址", "Address", False, 20),
    Column("responsibilities", "职责清单", "Responsibilities", False, 60),
]
GRID = [
    Column("grid_code", "网格编码", "Grid code", True, 18),
    Column("grid_name", "网格名称", "Grid name", False, 16),
    Column("level", "网格层级", "Grid level", False, 8),
    Column("mobile", "手机号", "Mobile", True, 14),
    Column("name", "姓名", "Name", False, 10),
    Column("role", "角色", "Role", True, 8),
    Column("duties", "职责", "Duties", False, 30),
]
KINDS = {"people": PEOPLE, "units": UNITS, "grid": GRID}
GRID_ROLE_WORDS = {"网格长": "leader", "网格员": "worker", "leader": "leader", "worker": "worker"}
GENDER_WORDS = {"男": "M", "女": "F", "M": "M", "F": "F", "": None}


class RowErrors:
    def __init__(self) -> None:
        self.items: list[dict] = []

    def add(self, row: int, column: Column, value: str, message: str, **params) -> None:
        self.items.append(
            {"row": row, "column": column.zh, "value": value, "message": message, "params": params}
        )

    def raise_if_any(self) -> None:
        if self.items:
            raise ImportRejected(details=self.items, count=len(self.items))


def column(columns: list[Column], key: str) -> Column:
    return next(c for c in columns if c.key == key)


def label_lookup(table: dict[str, str]) -> dict[str, str]:
    """Accept a code, its Chinese label or its English label."""
    out = {code: code for code in table}
    for code, msgid in table.items():
        out[translate(msgid, "zh_CN")] = code
        out[msgid] = code
    return out


def place_code(session, principal: Principal, errors, row, column, value, perm) -> str | None:
    if not value:
        errors.add(row, column, value, "A value is required.")
        return None
    try:
        code = codes.normalise(value)
    except ValueError:
        errors.add(row, column, value, "Not a division code.")
        return None
    if session.get(Jurisdiction, code) is None:
        errors.add(row, column, value, "Unknown jurisdiction.")
        return None
    if not principal.covers(code) or not principal.can(perm):
        errors.add(row, column, value, "This is outside your jurisdiction.")
        return None
    return code


def mobile_or_none(value: str) -> str | None:
    try:
        return check_mobile(value)
    except ValueError:
        return None


def required_present(errors, row, columns, record) -> bool:
    ok = True
    for c in columns:
        if c.required and not record.get(c.key):
            errors.add(row, c, "", "A value is required.")
            ok = False
    return ok


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}
