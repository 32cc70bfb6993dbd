"""Filings as the receiving body sees them: what was sent to a body in one's jurisdiction."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.scope import Principal, in_scope
from yingji.core.pagination import Page, paginate
from yingji.plans import clocks
from yingji.plans.calendar import Calendar, CalendarUnknown
from yingji.plans.codes import PlanState
from yingji.plans.labels import rules
from yingji.plans.models import Plan, PlanEvent, PlanFiling
from yingji.plans.registry import ENTERPRISE_KINDS

DEEMED = "逾期未答复,视为备案(令第2号 第二十六条)"


def incoming(
    session: Session, principal: Principal, *, state: str | None = "submitted", page: int = 1, size: int = 50
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
        .where(PlanFiling.state == "submitted", Plan.kind.in_([k.value for k in ENTERPRISE_KINDS]))
        .with_for_update()
    ).all()
    for filing, plan in waiting:
        try:
            deadline = cal.add_working_days(filing.submitted_on, n)
        except CalendarUnknown:
            continue
        if on <= deadline or filing.version_no != plan.version_no or plan.state == PlanState.REPEALED:
            continue
        filing.state, filing.decided_on, filing.decided_by = "accepted", deadline, DEEMED
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
