"""Filings as the receiving body sees them: what was sent to a body in one's jurisdiction."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, in_scope, require
from yingji.core.i18n import N_
from yingji.core.pagination import Page, paginate
from yingji.files import kinds
from yingji.org.exchange import common
from yingji.org.models import Jurisdiction
from yingji.org.sheets import Column
from yingji.plans import clocks
from yingji.plans.calendar import Calendar, CalendarUnknown
from yingji.plans.codes import FilingState, PlanKind, PlanState
from yingji.plans.labels import EXCEL_KIND, rules
from yingji.plans.models import Plan, PlanEvent, PlanFiling
from yingji.plans.registry import ENTERPRISE_KINDS

DEEMED = "逾期未答复,视为备案(令第2号 第二十六条)"


def incoming(
    session: Session,
    principal: Principal,
    *,
    state: str | None = FilingState.SUBMITTED,
    page: int = 1,
    size: int = 50,
) -> Page[PlanFiling]:
    stmt = select(PlanFiling).where(in_scope(PlanFiling.to_jurisdiction_code, principal))
    if state:
        stmt = stmt.where(PlanFiling.state == state)
    return paginate(session, stmt.order_by(PlanFiling.submitted_on, PlanFiling.id), page, size)


def titles(session: Session, rows: list[PlanFiling]) -> dict[int, str]:
    ids = {f.plan_id for f in rows}
    if not ids:
        return {}
    return dict(session.execute(select(Plan.id, Plan.title).where(Plan.id.in_(ids))).all())


def deem_enterprise_filings(session: Session, on: date | None = None) -> int:
    """Enterprise filings the authority neither accepted nor returned within 5 working days are
    deemed filed (令第2号, RULES2 §9.6); the plan's history says so."""
    on = on or clocks.today()
    n = int(rules()["clocks"]["enterprise_filing_check_working_days"])
    cal = Calendar.of(session)
    done = 0
    waiting = session.execute(
        select(PlanFiling, Plan)
        .join(Plan, Plan.id == PlanFiling.plan_id)
        .where(PlanFiling.state == FilingState.SUBMITTED, Plan.kind.in_([k.value for k in ENTERPRISE_KINDS]))
        .with_for_update()
    ).all()
    for filing, plan in waiting:
        try:
            deadline = cal.add_working_days(filing.submitted_on, n)
        except CalendarUnknown:
            continue
        if on <= deadline or filing.version_no != plan.version_no or plan.state == PlanState.REPEALED:
            continue
        filing.state, filing.decided_on, filing.decided_by = FilingState.ACCEPTED, deadline, DEEMED
        before = plan.state
        if plan.state in (PlanState.ISSUED, PlanState.PUBLISHED):
            plan.state = PlanState.FILED.value
        plan.filed_on = deadline
        clocks.meet(session, plan, "filing", filing.submitted_on)
        session.add(
            PlanEvent(
                plan_id=plan.id,
                version_no=plan.version_no,
                action="filing_accepted",
                from_state=before,
                to_state=plan.state,
                comment=DEEMED,
                actor=DEEMED[:120],
                jurisdiction_code=plan.jurisdiction_code,
            )
        )
        done += 1
    session.flush()
    return done


# -- the filing ledger (备案登记台账) as Excel ------------------------------------------------------
LEDGER = [
    Column("plan_code", "预案编号", "Registry number", False, 22),
    Column("plan_title", "预案名称", "Title", False, 36),
    Column("kind", "预案类别", "Kind", False, 16),
    Column("place", "制定单位所在区划", "Division", False, 16),
    Column("version_no", "版本", "Version", False, 6),
    Column("to_name", "备案机关", "Receiving body", False, 24),
    Column("submitted_on", "报送日期", "Submitted on", False, 12),
    Column("state", "办理状态", "State", False, 10),
    Column("decided_on", "办理日期", "Decided on", False, 12),
    Column("decided_by", "办理人", "Decided by", False, 16),
    Column("reason", "退回原因", "Reason returned", False, 30),
]
LEDGER_STATE = {
    FilingState.SUBMITTED: "待受理",
    FilingState.ACCEPTED: "已备案登记",
    FilingState.RETURNED: "已退回",
}


def _ledger_query(principal: Principal):
    require(principal, Perm.EXPORT)
    return (
        select(PlanFiling, Plan, Jurisdiction.name)
        .join(Plan, Plan.id == PlanFiling.plan_id)
        .join(Jurisdiction, Jurisdiction.code == Plan.jurisdiction_code)
        .where(in_scope(PlanFiling.to_jurisdiction_code, principal))
        .order_by(PlanFiling.submitted_on, PlanFiling.id)
        .limit(200_000)
    )


def ledger_count(session: Session, principal: Principal) -> int:
    return common.count_of(session, _ledger_query(principal))


def ledger_rows(session: Session, principal: Principal) -> Iterator[dict]:
    """Filings received by bodies in one's jurisdiction, as an office keeps its 备案登记台账."""
    for f, p, place in session.execute(_ledger_query(principal).execution_options(yield_per=2000)):
        yield {
            "plan_code": p.code,
            "plan_title": p.title,
            "kind": EXCEL_KIND[PlanKind(p.kind)],
            "place": place,
            "version_no": f.version_no,
            "to_name": f.to_name,
            "submitted_on": f.submitted_on,
            "state": LEDGER_STATE[f.state],
            "decided_on": f.decided_on,
            "decided_by": f.decided_by,
            "reason": f.reason,
        }


kinds.export(
    kinds.ExportKind(
        name="plan_filings",
        label=N_("Filings received"),
        entity="plan_filings",
        title="备案登记台账",
        columns=LEDGER,
        rows=lambda session, principal, **params: ledger_rows(session, principal),
        count=lambda session, principal, **params: ledger_count(session, principal),
        filename=lambda p: "plan-filings.xlsx",
    )
)
