"""Excel exports of drills in the layout an office files: the drill list (年度应急演练计划及实施情况
表: one row per drill with its plans, organiser, day, place, headcount and state) and the frequency
compliance table (应急演练频次落实情况表). Both are registered as file-job kinds, so a large export
runs in the background; both audited as downloads."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, in_scope, require
from yingji.core import clock
from yingji.core.i18n import N_
from yingji.drills import compliance, labels, registry
from yingji.drills.models import Drill
from yingji.files import kinds
from yingji.org.exchange import common
from yingji.org.sheets import Column

DRILL_COLUMNS = [
    Column("year", "年度", "Year", False, 6),
    Column("jurisdiction_code", "区划代码", "Division code", False, 14),
    Column("jurisdiction_name", "区划", "Division", False, 12),
    Column("title", "演练名称", "Drill", True, 30),
    Column("form", "组织形式", "Form", False, 10),
    Column("scope", "演练内容", "Scope", False, 10),
    Column("purpose", "演练目的", "Purpose", False, 8),
    Column("double_blind", "双盲", "Double-blind", False, 6),
    Column("plans", "检验预案", "Plans exercised", False, 30),
    Column("organiser", "组织单位", "Organiser", False, 18),
    Column("enterprise", "生产经营单位", "Enterprise", False, 18),
    Column("planned_on", "计划日期", "Planned on", False, 12),
    Column("starts_at", "实施时间", "Held at", False, 16),
    Column("place", "地点", "Place", False, 18),
    Column("headcount", "参演人数", "Participants", False, 8),
    Column("state", "状态", "State", False, 8),
    Column("note", "备注", "Note", False, 20),
]
COMPLIANCE_COLUMNS = [
    Column("subject", "对象类别", "Subject", False, 14),
    Column("name", "名称", "Name", False, 30),
    Column("jurisdiction_code", "区划代码", "Division code", False, 14),
    Column("jurisdiction_name", "区划", "Division", False, 12),
    Column("months", "最长间隔(月)", "At least every (months)", False, 10),
    Column("last_drill_on", "最近演练", "Last drill", False, 12),
    Column("due_on", "应于此前演练", "Due by", False, 12),
    Column("overdue", "是否逾期", "Overdue", False, 8),
    Column("rule", "依据", "Rule", False, 40),
]
MAX_EXPORT = 100_000


def _query(principal: Principal, within: str | None, year: int | None):
    require(principal, Perm.EXPORT)
    stmt = select(Drill).where(in_scope(Drill.jurisdiction_code, principal))
    stmt = common.in_subtree(stmt, Drill.jurisdiction_code, within)
    if year:
        stmt = stmt.where(Drill.year == year)
    if not registry.insider(principal):
        stmt = stmt.where(Drill.notice_time | Drill.state.in_(registry.FINISHED))
    return stmt.order_by(Drill.jurisdiction_code, Drill.year, Drill.planned_on, Drill.id).limit(MAX_EXPORT)


def count_drills(
    session: Session, principal: Principal, within: str | None = None, year: int | None = None
) -> int:
    return common.count_of(session, _query(principal, within, year))


def drill_rows(
    session: Session, principal: Principal, within: str | None = None, year: int | None = None
) -> Iterator[dict]:
    drills = list(session.scalars(_query(principal, within, year)))
    for start in range(0, len(drills), 1000):
        chunk = drills[start : start + 1000]
        ctx = registry.context(session, chunk)
        for d in chunk:
            out = registry.to_out(d, principal, ctx)
            starts = clock.to_local(out["starts_at"]) if out["starts_at"] else None
            yield {
                "year": d.year,
                "jurisdiction_code": out["jurisdiction_code"],
                "jurisdiction_name": out["jurisdiction_name"],
                "title": d.title,
                "form": labels.FORM_ZH[d.form],
                "scope": labels.SCOPE_ZH[d.scope],
                "purpose": labels.PURPOSE_ZH[d.purpose],
                "double_blind": "是" if d.double_blind else "否",
                "plans": "；".join(p["title"] for p in out["plans"]),
                "organiser": out["organiser_unit_name"],
                "enterprise": out["enterprise_name"],
                "planned_on": out["planned_on"].isoformat() if out["planned_on"] else None,
                "starts_at": starts.strftime("%Y-%m-%d %H:%M") if starts else None,
                "place": out["place"],
                "headcount": out["headcount"],
                "state": labels.STATE_ZH[d.state],
                "note": d.note,
            }


def _compliance(session: Session, principal: Principal, within: str | None):
    require(principal, Perm.EXPORT)
    return compliance.for_principal(session, principal, within)["rows"]


def count_compliance(session: Session, principal: Principal, within: str | None = None) -> int:
    return len(_compliance(session, principal, within))


def compliance_rows(session: Session, principal: Principal, within: str | None = None) -> Iterator[dict]:
    for r in _compliance(session, principal, within):
        yield {
            "subject": labels.SUBJECT_ZH[r["subject"]],
            "name": r["name"],
            "jurisdiction_code": r["jurisdiction_code"],
            "jurisdiction_name": r["jurisdiction_name"],
            "months": r["months"],
            "last_drill_on": r["last_drill_on"].isoformat() if r["last_drill_on"] else "从未演练",
            "due_on": r["due_on"].isoformat() if r["due_on"] else None,
            "overdue": "逾期" if r["overdue"] else "按期",
            "rule": r["rule"],
        }


kinds.export(
    kinds.ExportKind(
        name="drills",
        label=N_("Drills"),
        entity="drills",
        title="应急演练",
        columns=DRILL_COLUMNS,
        rows=drill_rows,
        count=count_drills,
        filename=lambda p: f"drills-{p.get('year') or 'all'}.xlsx",
    )
)
kinds.export(
    kinds.ExportKind(
        name="drill_compliance",
        label=N_("Drill frequency compliance"),
        entity="drills",
        title="演练频次落实情况",
        columns=COMPLIANCE_COLUMNS,
        rows=compliance_rows,
        count=count_compliance,
        filename=lambda p: "drill-compliance.xlsx",
    )
)
