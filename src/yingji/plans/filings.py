"""Filings as the receiving body sees them: what was sent to a body in one's jurisdiction."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.scope import Principal, in_scope
from yingji.core.pagination import Page, paginate
from yingji.plans.models import Plan, PlanFiling


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
