"""What every sheet import shares: the columns of each kind, row errors, lookups, the rows planned
(repeats refused), the result; and what the registers' exports share (a subtree, a count)."""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yingji.auth.scope import Principal
from yingji.core.deadline import paced
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


class Repeats:
    """Rows of a sheet that name again what an earlier row named (the same key): each one refused
    with ``message`` at the column ``key``, naming the first row (``{other}``)."""

    def __init__(self, errors: RowErrors, columns: list[Column], key: str, message: str) -> None:
        self.errors, self.column, self.message = errors, column(columns, key), message
        self.first: dict[Hashable, int] = {}

    def seen(self, rownum: int, key: Hashable, value: str) -> bool:
        """True (and the error added) when an earlier row had ``key``; else this row is its first."""
        if key in self.first:
            self.errors.add(rownum, self.column, value, self.message, other=self.first[key])
            return True
        self.first[key] = rownum
        return False


def planned(
    rows: Iterable[tuple[int, dict]],
    columns: list[Column],
    check: Callable[[int, dict], dict | None],
    key: Callable[[dict], Hashable],
    repeats: Repeats,
) -> list[tuple[int, dict]]:
    """The rows an import will apply, as (row number, values): each row with its required cells,
    checked by ``check(rownum, row)`` (None: its errors added), and not a repeat of an earlier row
    (``key(values)`` the same; the error shows the row's own cell of ``repeats.column``)."""
    plan = []
    for rownum, r in paced(rows):
        if not required_present(repeats.errors, rownum, columns, r):
            continue
        values = check(rownum, r)
        if values is None or repeats.seen(rownum, key(values), r[repeats.column.key]):
            continue
        plan.append((rownum, values))
    return plan


def refuse_held(errors: RowErrors, principal: Principal, at: Column, message: str, rows, name="code") -> None:
    """The rows whose key (number, code, device ID) a record outside the importer's area holds: a
    sheet may not change it. ``rows``: (row number, key, the record holding it or None); ``message``
    names the key as ``{name}``."""
    for rownum, key, held in rows:
        if held is not None and not principal.covers(held.jurisdiction_code):
            errors.add(rownum, at, key, message, **{name: key})


def update(obj, values: dict) -> dict:
    """Set on ``obj`` the values that differ from its own; those values (empty: nothing changed)."""
    changed = {k: v for k, v in values.items() if getattr(obj, k) != v}
    for k, v in changed.items():
        setattr(obj, k, v)
    return changed


def number_in(value: str, low: float, high: float) -> float | bool | None:
    """A cell's number: None when empty, False when not a number from ``low`` to ``high``."""
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        return False
    return number if low <= number <= high else False


# 2027-05-01, 2027/5/1 or 2027年5月1日 (an Excel date reads as 2027-05-01T00:00:00)
_WRITTEN_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})")


def written_date(text: str) -> date | None:
    """The date a cell holds as an office writes it (2027-05-01, 2027/5/1, 2027年5月1日); None when
    it holds none (or no such day)."""
    m = _WRITTEN_DATE.match(text.strip())
    if not m:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def iso_date(text: str) -> date | None:
    """A cell's date as YYYY-MM-DD (``/`` or ``.`` between the parts too); None when it is not one."""
    try:
        return date.fromisoformat((text or "").strip().replace("/", "-").replace(".", "-")[:10])
    except ValueError:
        return None


def in_subtree(stmt, code_column, within: str | None):
    """``stmt`` narrowed to the divisions below ``within`` (itself included); as it is without one."""
    if not within:
        return stmt
    low, high = codes.subtree_bounds(within)
    return stmt.where(code_column >= low, code_column < high)


def placed(model, within: str | None, *where):
    """The rows of a register below ``within`` that ``where`` lets through (whom they are shown
    to), each with its division's name (``place``)."""
    stmt = (
        select(model, Jurisdiction.name.label("place"))
        .join(Jurisdiction, Jurisdiction.code == model.jurisdiction_code)
        .where(*where)
    )
    return in_subtree(stmt, model.jurisdiction_code, within)


def count_of(session: Session, stmt) -> int:
    """How many rows ``stmt`` selects (an export's size before it is written)."""
    return session.scalar(select(func.count()).select_from(stmt.subquery()))


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


def row_place(session, principal: Principal, errors, row, columns: list[Column], r: dict, perm) -> str | None:
    """The division a row names in its 所属区划代码 cell (``place_code``)."""
    at = column(columns, "jurisdiction_code")
    return place_code(session, principal, errors, row, at, r["jurisdiction_code"], perm)


def mobile_cell(errors, row, column: Column, value: str) -> tuple[bool, str | None]:
    """(ok, the mobile number or None when empty) of a cell; not ok (its error added) when it is
    not a mobile number."""
    try:
        return True, check_mobile(value or None)
    except ValueError:
        errors.add(row, column, value, "Not a mobile number.")
        return False, None


def too_long(errors, row, columns: list[Column], r: dict, limits: dict[str, int]) -> list[str]:
    """The cells longer than their limit (``{key: characters}``), an error added for each."""
    long = [key for key, limit in limits.items() if len(r[key] or "") > limit]
    for key in long:
        errors.add(row, column(columns, key), r[key][:40], "Too long.")
    return long


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

    def tally(self, changed) -> None:
        """An existing row of the register: updated when anything ``changed``, else unchanged."""
        self.updated += bool(changed)
        self.unchanged += not changed

    def as_dict(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}
