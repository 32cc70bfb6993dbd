"""Excel import and export of the officers' register (灾害信息员名册), like the expert registry's: every
row checked first (place in the importer's area, post A/B, mobile), one bad row and nothing is
imported; an officer is keyed by place and mobile (else name), so the same file twice changes
nothing. The export imports back; phones masked for a role without ``contact.phone``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from functools import partial

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, in_scope, mask_phone, require
from yingji.core.deadline import paced
from yingji.core.i18n import N_
from yingji.damage import officers
from yingji.damage.models import DisasterOfficer
from yingji.files import kinds
from yingji.org import codes as division_codes
from yingji.org.exchange import common
from yingji.org.exchange.common import ImportResult, RowErrors, column
from yingji.org.sheets import Column, read

COLUMNS = [
    Column("name", "姓名", "Name", True, 10),
    Column("jurisdiction_code", "所属区划代码", "Division code", True, 16),
    Column("jurisdiction_name", "所属区划", "Division", False, 16),
    Column("post", "岗位(A/B)", "Post (A/B)", True, 8),
    Column("position", "职务", "Position", False, 14),
    Column("mobile", "手机号码", "Mobile", False, 14),
    Column("backup_phone", "备用电话", "Backup phone", False, 14),
    Column("beidou_id", "北斗终端号", "Beidou terminal", False, 14),
    Column("since", "任职日期", "Since", False, 12),
    Column("note", "备注", "Note", False, 20),
]
SHEET_TITLE = "灾害信息员名册"
POST_WORDS = {"A": "A", "B": "B", "A岗": "A", "B岗": "B", "a": "A", "b": "B"}


def _row(session, principal, errors, rownum, r) -> dict | None:
    col = lambda key: column(COLUMNS, key)  # noqa: E731
    code = common.row_place(session, principal, errors, rownum, COLUMNS, r, Perm.DAMAGE_REPORT)
    ok = code is not None
    if code is not None and division_codes.level_of(code) not in officers.OFFICER_LEVELS:
        errors.add(
            rownum,
            col("jurisdiction_code"),
            r["jurisdiction_code"],
            "Officers are registered for a village or above.",
        )
        ok = False
    post = POST_WORDS.get(r["post"])
    if post is None:
        errors.add(rownum, col("post"), r["post"], "Write A or B.")
        ok = False
    good, mobile = common.mobile_cell(errors, rownum, col("mobile"), r["mobile"])
    ok = ok and good
    since = None
    if r["since"]:
        try:
            since = date.fromisoformat(r["since"][:10])
        except ValueError:
            errors.add(rownum, col("since"), r["since"], "Write a date as YYYY-MM-DD.")
            ok = False
    limits = {"name": 60, "position": 60, "backup_phone": 30, "beidou_id": 40}
    if common.too_long(errors, rownum, COLUMNS, r, limits):
        ok = False
    if not ok:
        return None
    return {
        "name": r["name"],
        "jurisdiction_code": code,
        "level": division_codes.level_of(code),
        "post": post,
        "position": r["position"] or None,
        "mobile": mobile,
        "backup_phone": r["backup_phone"] or None,
        "beidou_id": r["beidou_id"] or None,
        "since": since,
        "note": (r["note"] or "")[:2000] or None,
    }


def _key(v: dict) -> tuple:
    """An officer is one person (mobile, else name) in one place."""
    return (v["jurisdiction_code"], v["mobile"] or v["name"])


def import_officers(session: Session, principal: Principal, data: bytes, **params) -> ImportResult:
    """Apply an officers' sheet in the caller's transaction (all rows or none)."""
    require(principal, Perm.DAMAGE_REPORT)
    errors = RowErrors()
    repeats = common.Repeats(errors, COLUMNS, "name", N_("The same officer is already on row {other}."))
    check = partial(_row, session, principal, errors)
    plan = common.planned(read(data, COLUMNS), COLUMNS, check, _key, repeats)
    errors.raise_if_any()
    existing: dict[tuple, DisasterOfficer] = {}
    for place in sorted({p["jurisdiction_code"] for _, p in plan}):
        for o in session.scalars(select(DisasterOfficer).where(DisasterOfficer.jurisdiction_code == place)):
            existing.setdefault((o.jurisdiction_code, o.mobile or o.name), o)
            existing.setdefault((o.jurisdiction_code, o.name), o)
    result = ImportResult()
    for _, values in paced(plan):
        key = (values["jurisdiction_code"], values["mobile"] or values["name"])
        officer = existing.get(key) or existing.get((values["jurisdiction_code"], values["name"]))
        if officer is None:
            session.add(DisasterOfficer(**values, active=True))
            result.created += 1
            continue
        # an empty cell leaves what the register holds
        given = {k: v for k, v in values.items() if v is not None}
        result.tally(common.update(officer, given | {"active": True}))
    session.flush()
    return result


def _query(principal: Principal, within: str | None):
    require(principal, Perm.EXPORT)
    stmt = common.placed(
        DisasterOfficer,
        within,
        in_scope(DisasterOfficer.jurisdiction_code, principal),
        DisasterOfficer.active,
    )
    return stmt.order_by(DisasterOfficer.jurisdiction_code, DisasterOfficer.post, DisasterOfficer.id)


def count_rows(session: Session, principal: Principal, within: str | None = None) -> int:
    return common.count_of(session, _query(principal, within))


def officer_rows(session: Session, principal: Principal, within: str | None = None) -> Iterator[dict]:
    for o, place in session.execute(_query(principal, within).execution_options(yield_per=1000)):
        yield {
            "name": o.name,
            "jurisdiction_code": division_codes.division_code_12(o.jurisdiction_code),
            "jurisdiction_name": place,
            "post": o.post,
            "position": o.position,
            "mobile": mask_phone(o.mobile, principal),
            "backup_phone": mask_phone(o.backup_phone, principal),
            "beidou_id": o.beidou_id,
            "since": o.since.isoformat() if o.since else None,
            "note": o.note,
        }


kinds.register(
    "damage_officers",
    N_("Disaster information officers"),
    "disaster_officers",
    title=SHEET_TITLE,
    columns=COLUMNS,
    rows=officer_rows,
    count=count_rows,
    run=import_officers,
    perms=(Perm.DAMAGE_REPORT,),
    filename=lambda p: "disaster-officers.xlsx",
)
