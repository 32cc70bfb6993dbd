"""Excel import and export of residents. Every row is checked first; one bad row and nothing is
imported (the answer lists each row's errors). Residents are keyed by place, household and name,
so importing the same file again changes nothing."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, in_scope, mask_phone, require
from yingji.core.deadline import paced
from yingji.core.i18n import N_
from yingji.files import kinds
from yingji.org import codes
from yingji.org.exchange import common
from yingji.org.exchange.common import ImportResult, RowErrors, column, mobile_or_none, required_present
from yingji.org.models import Jurisdiction
from yingji.org.sheets import Column, read, write
from yingji.residents import idnumber
from yingji.residents.models import Resident

COLUMNS = [
    Column("name", "姓名", "Name", True, 10),
    Column("mobile", "手机号", "Mobile", False, 14),
    Column("jurisdiction_code", "所属区划代码", "Division code", True, 18),
    Column("jurisdiction_name", "所属村组", "Village / group", False, 16),
    Column("household", "户号", "Household", True, 12),
    Column("id_number", "身份证号", "ID number", False, 20),
    Column("address", "住址", "Address", False, 24),
    Column("disabled", "残疾", "Disabled", False, 6),
    Column("lives_alone", "独居老人", "Elderly living alone", False, 8),
    Column("very_old", "高龄", "Very old", False, 6),
    Column("subscribed", "接收预警", "Receives warnings", False, 8),
    Column("note", "备注", "Note", False, 20),
]
FLAGS = ("disabled", "lives_alone", "very_old", "subscribed")
YES = {"是", "y", "yes", "1", "true", "√", "✓"}
NO = {"否", "n", "no", "0", "false", ""}
SHEET_TITLE = "居民"


# issue 13: the ID number is kept only as a keyed hash and its last four (shelters/idnumber.py); the
# export writes it masked (**************1234), and a masked value imports as "unchanged".
MASKED_ID = re.compile(r"^\*{14}[0-9X]{4}$")


def _id_number(value: str) -> tuple[str, str] | bool | None:
    """(hash, last four) of a sheet's ID number; None when empty or masked; False when invalid."""
    v = (value or "").strip().upper()
    if not v or MASKED_ID.match(v):
        return None
    try:
        return idnumber.hash_and_tail(v)
    except idnumber.BadIdNumber:
        return False


def _flag(value: str) -> bool | None:
    v = (value or "").strip().lower()
    return True if v in YES else (False if v in NO else None)


def _existing(session: Session, keys: list[tuple[str, str, str]]) -> dict[tuple[str, str, str], Resident]:
    """The residents the rows name: the same place, household and name; else, when the row's village,
    household and name are on no other row, the one resident of that village with them (a resident
    whose group was unknown, or who moved to another group of the village)."""
    village_keys = [(code[:12], household, name) for code, household, name in keys]
    by_village: dict[tuple[str, str, str], list[Resident]] = {}
    for i in range(0, len(village_keys), 500):
        for res in session.scalars(
            select(Resident)
            .where(
                tuple_(Resident.village_code, Resident.household, Resident.name).in_(
                    village_keys[i : i + 500]
                )
            )
            .order_by(Resident.id)
        ):
            by_village.setdefault((res.village_code, res.household, res.name), []).append(res)
    in_file = Counter(village_keys)
    out = {}
    for key, vkey in zip(keys, village_keys, strict=True):
        found = by_village.get(vkey, [])
        exact = [r for r in found if r.jurisdiction_code == key[0]]
        if exact:
            out[key] = exact[0]
        elif len(found) == 1 and in_file[vkey] == 1:
            out[key] = found[0]
    return out


def import_residents(session: Session, principal: Principal, data: bytes) -> ImportResult:
    """Apply a residents sheet in the caller's transaction (all rows or none)."""
    require(principal, Perm.RESIDENTS_MANAGE)
    rows = read(data, COLUMNS)
    errors = RowErrors()
    plan = []
    repeats = common.Repeats(errors, COLUMNS, "name", N_("The same person is already on row {other}."))
    for rownum, r in paced(rows):
        if not required_present(errors, rownum, COLUMNS, r):
            continue
        code = common.row_place(session, principal, errors, rownum, COLUMNS, r, Perm.RESIDENTS_MANAGE)
        if code is None:
            continue
        if len(code) not in (12, 15):
            errors.add(
                rownum,
                column(COLUMNS, "jurisdiction_code"),
                r["jurisdiction_code"],
                "A village or village-group code is required.",
            )
            continue
        mobile = mobile_or_none(r["mobile"])
        if r["mobile"] and mobile is None:
            errors.add(rownum, column(COLUMNS, "mobile"), r["mobile"], "Not a mainland mobile number.")
            continue
        flags = {}
        for key in FLAGS:
            value = _flag(r[key]) if r[key] or key != "subscribed" else True
            if value is None:
                errors.add(rownum, column(COLUMNS, key), r[key], "Write 是 or 否.")
                break
            flags[key] = value
        if len(flags) < len(FLAGS):
            continue
        if len(r["name"]) > 60 or len(r["household"]) > 40:
            errors.add(rownum, column(COLUMNS, "name"), r["name"], "Too long.")
            continue
        ident = _id_number(r["id_number"])
        if ident is False:
            errors.add(
                rownum,
                column(COLUMNS, "id_number"),
                "",
                "Not a valid ID number (18 characters, check digit).",
            )
            continue
        # Households are often numbered per village group: 001 of group 3 and 001 of group 6 are two
        # households, so the place as written (group, or village when the group is unknown) is in the key.
        key = (code, r["household"], r["name"])
        if repeats.seen(rownum, key, r["name"]):
            continue
        plan.append(
            (key, code, mobile, r, flags | ({"id_hash": ident[0], "id_tail": ident[1]} if ident else {}))
        )
    errors.raise_if_any()
    existing = _existing(session, [p[0] for p in plan])
    result = ImportResult()
    for key, code, mobile, r, flags in paced(plan):
        values = {
            "name": r["name"],
            "mobile": mobile,
            "jurisdiction_code": code,
            "village_code": code[:12],
            "household": r["household"],
            "address": r["address"] or None,
            "note": r["note"] or None,
            **flags,
        }
        resident = existing.get(key)
        if resident is None:
            resident = Resident(**values, active=True)
            resident.refresh_vulnerability()
            session.add(resident)
            result.created += 1
            continue
        changed = common.update(resident, values | {"active": True})
        resident.refresh_vulnerability()
        result.tally(changed)
    session.flush()
    return result


def _export_query(principal: Principal, within: str | None):
    require(principal, Perm.RESIDENTS_MANAGE)
    require(principal, Perm.EXPORT)
    stmt = (
        select(*EXPORTED, Jurisdiction.name.label("place"))
        .join(Jurisdiction, Jurisdiction.code == Resident.jurisdiction_code)
        .where(in_scope(Resident.jurisdiction_code, principal), Resident.active)
    )
    stmt = common.in_subtree(stmt, Resident.jurisdiction_code, within)
    return stmt.order_by(Resident.jurisdiction_code, Resident.household, Resident.id).limit(MAX_EXPORT)


MAX_EXPORT = 200_000
EXPORTED = [
    getattr(Resident, key)
    for key in ("name", "mobile", "jurisdiction_code", "household", "address", "note", "id_tail", *FLAGS)
]


def count_rows(session: Session, principal: Principal, within: str | None = None) -> int:
    """How many residents the export would hold."""
    return common.count_of(session, _export_query(principal, within))


def resident_rows(session: Session, principal: Principal, within: str | None = None) -> Iterator[dict]:
    """The residents in scope as rows of the sheet (phones masked for roles without them), read in
    batches from a server-side cursor."""
    stmt = _export_query(principal, within).execution_options(yield_per=2000)
    return (
        {
            "name": res.name,
            "mobile": mask_phone(res.mobile, principal),
            "jurisdiction_code": codes.division_code_12(res.jurisdiction_code),
            "jurisdiction_name": res.place,
            "household": res.household,
            "address": res.address,
            "note": res.note,
            **{k: "是" if getattr(res, k) else "否" for k in FLAGS},
            "id_number": f"{'*' * 14}{res.id_tail}" if res.id_tail else None,
        }
        for res in session.execute(stmt)
    )


def export_residents(
    session: Session, principal: Principal, within: str | None, locale: str = "zh_CN"
) -> bytes:
    """The residents in scope as a sheet that imports back (phones masked for roles without them)."""
    return write(SHEET_TITLE, COLUMNS, resident_rows(session, principal, within), locale)


kinds.register(
    "residents",
    N_("Residents"),
    "residents",
    title=SHEET_TITLE,
    columns=COLUMNS,
    rows=resident_rows,
    count=count_rows,
    run=import_residents,
    perms=(Perm.RESIDENTS_MANAGE,),
)
