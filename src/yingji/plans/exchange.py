"""Excel import and export of the plan list (预案台账) in the layout an office files: registry
number, title, kind, place, issuer, lead unit, event categories, state, 文号 and the dates of issue,
publication, filing and evaluation. Every row is checked first; one bad row and nothing is
imported (row-by-row errors in Chinese). Plans are keyed by registry number, so importing the same
file again changes nothing. An imported plan that is in force gets its version and its clocks (met
where the sheet gives the date)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, in_scope, require
from yingji.core.deadline import paced
from yingji.core.i18n import N_
from yingji.files import kinds
from yingji.org import codes as division_codes
from yingji.org.exchange import common
from yingji.org.exchange.common import ImportResult, RowErrors, column, required_present
from yingji.org.models import Unit
from yingji.org.sheets import Column
from yingji.org.sheets import read as read_sheet
from yingji.plans import clocks
from yingji.plans.codes import IN_FORCE, PlanKind, PlanState, VersionStatus
from yingji.plans.labels import EXCEL_KIND, EXCEL_STATE, KIND_WORDS, STATE_WORDS
from yingji.plans.models import Plan, PlanVersion
from yingji.plans.registry import category_names

COLUMNS = [
    Column("code", "预案编号", "Registry number", True, 22),
    Column("title", "预案名称", "Title", True, 36),
    Column("kind", "预案类别", "Kind", True, 16),
    Column("jurisdiction_code", "区划代码", "Division code", True, 14),
    Column("jurisdiction_name", "所属区划", "Division", False, 14),
    Column("issuer", "发布机关(编制单位)", "Issuer", True, 24),
    Column("lead_unit", "牵头单位", "Lead unit", False, 22),
    Column("categories", "涉及事件类别", "Event categories", False, 24),
    Column("state", "状态", "State", False, 8),
    Column("doc_number", "文号", "Document number", False, 22),
    Column("issued_on", "印发日期", "Issued on", False, 12),
    Column("published_on", "公布日期", "Published on", False, 12),
    Column("filed_on", "备案日期", "Filed on", False, 12),
    Column("evaluated_on", "最近评估日期", "Last evaluated", False, 12),
    Column("parent_code", "上位预案编号", "Parent plan number", False, 22),
    Column("note", "备注", "Note", False, 20),
]
SHEET_TITLE = "应急预案台账"
MAX_EXPORT = 200_000
# What a row sets on a plan (its parent is set once every plan of the file exists).
FIELDS = ("title", "kind", "jurisdiction_code", "issuer", "lead_unit_id", "event_categories", "note")


def _date(errors, rownum, col, value: str) -> date | bool | None:
    if not value:
        return None
    found = common.iso_date(value)
    if found is None:
        errors.add(rownum, col, value, "Write dates as YYYY-MM-DD.")
        return False
    return found


def _row(session, principal, errors, rownum, r, cats_by_word, codes_seen) -> dict | None:
    col = lambda key: column(COLUMNS, key)  # noqa: E731
    ok = True
    code = common.row_place(session, principal, errors, rownum, COLUMNS, r, Perm.PLANS_MANAGE)
    kind = KIND_WORDS.get(r["kind"]) or (PlanKind(r["kind"]) if r["kind"] in set(PlanKind) else None)
    if kind is None:
        errors.add(
            rownum,
            col("kind"),
            r["kind"],
            "Write a plan kind such as 总体应急预案, 专项应急预案 or 乡镇(街道)应急预案.",
        )
        ok = False
    state = STATE_WORDS.get(r["state"] or "印发") or (
        PlanState(r["state"]) if r["state"] in set(PlanState) else None
    )
    if state is None:
        errors.add(rownum, col("state"), r["state"], "Write a state such as 编制, 印发, 公布, 备案 or 废止.")
        ok = False
    dates = {
        k: _date(errors, rownum, col(k), r[k])
        for k in ("issued_on", "published_on", "filed_on", "evaluated_on")
    }
    ok = ok and all(v is not False for v in dates.values())
    if ok and state in IN_FORCE and dates["issued_on"] is None:
        errors.add(rownum, col("issued_on"), "", "A plan in force has an issue date.")
        ok = False
    if ok and dates["issued_on"] and dates["issued_on"] > clocks.today():
        errors.add(rownum, col("issued_on"), r["issued_on"], "The date lies in the future.")
        ok = False
    for k in ("published_on", "filed_on", "evaluated_on"):
        if (
            ok
            and dates[k]
            and (dates["issued_on"] is None or dates[k] < dates["issued_on"] or dates[k] > clocks.today())
        ):
            errors.add(rownum, col(k), r[k], "The date must lie between the issue date and today.")
            ok = False
    cats = []
    for word in [
        w.strip() for w in r["categories"].replace(",", "、").replace(",", "、").split("、") if w.strip()
    ]:
        if word not in cats_by_word:
            errors.add(rownum, col("categories"), word, "Unknown event category.")
            ok = False
        else:
            cats.append(cats_by_word[word])
    lead, leads = None, []
    if r["lead_unit"] and code:
        # Two units of a place may share a name (the bureau, and its seat on the headquarters): the
        # plan's current lead unit, if it is one of them, stays (so an exported sheet imports back
        # unchanged); else the first.
        leads = list(
            session.scalars(
                select(Unit.id)
                .where(Unit.name == r["lead_unit"], Unit.jurisdiction_code == code)
                .order_by(Unit.id)
            )
        )
        lead = leads[0] if leads else None
        if lead is None:
            errors.add(rownum, col("lead_unit"), r["lead_unit"], "Unknown unit.")
            ok = False
    if (
        len(r["title"]) > 200
        or len(r["code"]) > 60
        or len(r["issuer"]) > 120
        or len(r["doc_number"] or "") > 80
    ):
        errors.add(rownum, col("title"), r["title"][:40], "Too long.")
        ok = False
    if r["code"] in codes_seen:
        errors.add(
            rownum,
            col("code"),
            r["code"],
            "The same plan is already on row {other}.",
            other=codes_seen[r["code"]],
        )
        ok = False
    codes_seen[r["code"]] = rownum
    if not ok or code is None:
        return None
    return {
        "code": r["code"],
        "title": r["title"],
        "kind": kind.value,
        "jurisdiction_code": code,
        "issuer": r["issuer"],
        "lead_unit_id": lead,
        "lead_units": leads,
        "event_categories": list(dict.fromkeys(cats)),
        "state": state.value,
        "doc_number": r["doc_number"] or None,
        **dates,
        "parent_code": r["parent_code"] or None,
        "note": r["note"] or None,
    }


def import_plans(session: Session, principal: Principal, data: bytes, **params) -> ImportResult:
    """Apply a plan list in the caller's transaction (all rows or none)."""
    require(principal, Perm.PLANS_MANAGE)
    rows = read_sheet(data, COLUMNS)
    names = category_names()
    cats_by_word = {zh: c for c, (zh, en) in names.items()} | {c: c for c in names}
    errors = RowErrors()
    plan: list[tuple[int, dict]] = []
    seen: dict[str, int] = {}
    for rownum, r in paced(rows):
        if not required_present(errors, rownum, COLUMNS, r):
            continue
        values = _row(session, principal, errors, rownum, r, cats_by_word, seen)
        if values is not None:
            plan.append((rownum, values))
    existing = {
        p.code: p
        for p in session.scalars(select(Plan).where(Plan.code.in_([v["code"] for _, v in plan] or ["-"])))
    }
    file_codes = {v["code"] for _, v in plan}
    parents = {
        p.code: p
        for p in session.scalars(
            select(Plan).where(
                Plan.code.in_({v["parent_code"] for _, v in plan if v["parent_code"]} or ["-"])
            )
        )
    }
    for rownum, v in plan:
        p = existing.get(v["code"])
        if p is not None and not principal.covers(p.jurisdiction_code):
            errors.add(
                rownum,
                column(COLUMNS, "code"),
                v["code"],
                "The plan code {code} is already registered.",
                code=v["code"],
            )
        pc = v["parent_code"]
        if pc and pc not in parents and pc not in file_codes:
            errors.add(rownum, column(COLUMNS, "parent_code"), pc, "Unknown parent plan.")
    errors.raise_if_any()
    result = ImportResult()
    created: list[tuple[Plan, dict]] = []
    for _, v in paced(plan):
        p = existing.get(v["code"])
        fields = {k: v[k] for k in FIELDS}
        if p is None:
            p = Plan(code=v["code"], **fields, state=v["state"], version_no=1, doc_number=v["doc_number"])
            p.issued_on, p.published_on, p.filed_on, p.evaluated_on = (
                v["issued_on"],
                v["published_on"],
                v["filed_on"],
                v["evaluated_on"],
            )
            session.add(p)
            created.append((p, v))
            result.created += 1
            continue
        if p.lead_unit_id in v["lead_units"]:
            fields["lead_unit_id"] = p.lead_unit_id
        result.tally(common.update(p, fields))
    session.flush()
    by_code = parents | {p.code: p for p, _ in created} | existing
    for p, v in created:
        if v["parent_code"]:
            p.parent_id = by_code[v["parent_code"]].id
        _start(session, p, v)
    session.flush()
    return result


def _start(session: Session, p: Plan, v: dict) -> None:
    """The version of an imported plan, and its clocks if it is in force."""
    in_force = PlanState(p.state) in IN_FORCE
    session.add(
        PlanVersion(
            plan_id=p.id,
            version_no=1,
            status=VersionStatus.IN_FORCE
            if in_force
            else (VersionStatus.REPEALED if p.state == PlanState.REPEALED else VersionStatus.DRAFT),
            doc_number=p.doc_number,
            issued_on=p.issued_on,
            published_on=p.published_on,
            filed_on=p.filed_on,
            jurisdiction_code=p.jurisdiction_code,
        )
    )
    if not in_force:
        return
    clocks.start(session, p, 1, ("filing", "publish"), p.issued_on)
    clocks.start(session, p, 1, ("evaluation",), p.evaluated_on or p.issued_on)
    if p.published_on:
        clocks.meet(session, p, "publish", p.published_on)
    if p.filed_on:
        clocks.meet(session, p, "filing", p.filed_on)


# -- export ---------------------------------------------------------------------------------------
def _export_query(principal: Principal, within: str | None):
    require(principal, Perm.EXPORT)
    stmt = common.placed(Plan, within, in_scope(Plan.jurisdiction_code, principal))
    return stmt.order_by(Plan.jurisdiction_code, Plan.kind, Plan.id).limit(MAX_EXPORT)


def count_rows(session: Session, principal: Principal, within: str | None = None) -> int:
    return common.count_of(session, _export_query(principal, within))


def plan_rows(session: Session, principal: Principal, within: str | None = None) -> Iterator[dict]:
    names = category_names()
    units = {}
    parents = {}
    stmt = _export_query(principal, within).execution_options(yield_per=2000)
    for p, place in session.execute(stmt):
        if p.lead_unit_id and p.lead_unit_id not in units:
            units[p.lead_unit_id] = session.scalar(select(Unit.name).where(Unit.id == p.lead_unit_id))
        if p.parent_id and p.parent_id not in parents:
            parents[p.parent_id] = session.scalar(select(Plan.code).where(Plan.id == p.parent_id))
        yield {
            "code": p.code,
            "title": p.title,
            "kind": EXCEL_KIND[PlanKind(p.kind)],
            "jurisdiction_code": division_codes.division_code_12(p.jurisdiction_code),
            "jurisdiction_name": place,
            "issuer": p.issuer,
            "lead_unit": units.get(p.lead_unit_id),
            "categories": "、".join(names.get(c, (c, c))[0] for c in p.event_categories or []),
            "state": EXCEL_STATE[PlanState(p.state)],
            "doc_number": p.doc_number,
            "issued_on": p.issued_on,
            "published_on": p.published_on,
            "filed_on": p.filed_on,
            "evaluated_on": p.evaluated_on,
            "parent_code": parents.get(p.parent_id),
            "note": p.note,
        }


kinds.register(
    "plans",
    N_("Emergency plans"),
    "plans",
    title=SHEET_TITLE,
    columns=COLUMNS,
    rows=plan_rows,
    count=count_rows,
    run=import_plans,
    perms=(Perm.PLANS_MANAGE,),
)
