"""The dual-prevention overview of one's area: the register, the risk levels, the open and overdue
dangers, this month's clearing and meetings — a few grouped counts."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from yingji.auth.scope import Principal, in_scope
from yingji.risk import meetings
from yingji.risk.danger_models import OPEN_STATUSES, RECTIFIED_STATUSES, Danger, DangerStatus
from yingji.risk.dangers import today
from yingji.risk.models import Enterprise, EnterpriseStatus


def counts(session: Session, principal: Principal) -> dict:
    """The figures of the overview page, in the principal's scope."""
    ent_scope = in_scope(Enterprise.jurisdiction_code, principal)
    total, hazardous = session.execute(
        select(
            func.count(),
            func.count().filter(or_(Enterprise.hazardous_chemicals, Enterprise.major_hazard)),
        ).where(ent_scope, Enterprise.status != EnterpriseStatus.CLOSED)
    ).one()
    by_level = dict(
        session.execute(
            select(Enterprise.risk_level, func.count())
            .where(
                ent_scope, Enterprise.status != EnterpriseStatus.CLOSED, Enterprise.risk_level.is_not(None)
            )
            .group_by(Enterprise.risk_level)
        ).all()
    )
    by_class = dict(
        session.execute(
            select(Enterprise.enforcement_class, func.count())
            .where(ent_scope, Enterprise.status != EnterpriseStatus.CLOSED)
            .group_by(Enterprise.enforcement_class)
        ).all()
    )
    d_scope = in_scope(Danger.jurisdiction_code, principal)
    is_open = Danger.status.in_(OPEN_STATUSES)
    open_, overdue, major, listed = session.execute(
        select(
            func.count().filter(is_open),
            func.count().filter(Danger.status == DangerStatus.RECTIFYING, Danger.deadline < today()),
            func.count().filter(is_open, Danger.grade == "major"),
            func.count().filter(is_open, Danger.listed),
        ).where(d_scope)
    ).one()
    month = meetings.this_month()
    found, rectified = session.execute(
        select(func.count(), func.count().filter(Danger.status.in_(RECTIFIED_STATUSES))).where(
            d_scope, Danger.found_month == month
        )
    ).one()
    by_status = dict(
        session.execute(
            select(Danger.status, func.count()).where(d_scope, is_open).group_by(Danger.status)
        ).all()
    )
    return {
        "enterprises": total,
        "hazardous": hazardous,
        "by_level": by_level,
        "by_class": by_class,
        "open": open_,
        "overdue": overdue,
        "major_open": major,
        "listed": listed,
        "month": month,
        "found_month": found,
        "rectified_month": rectified,
        "by_status": by_status,
        "meetings": meetings.coverage(session, principal, month),
    }
