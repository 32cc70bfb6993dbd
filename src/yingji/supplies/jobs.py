"""Supplies jobs: the maintenance scan (creates due tasks and their reminder jobs), the due and
overdue reminders themselves, and the daily expiry warnings."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.core.i18n import N_, translate
from yingji.jobs.registry import JobContext, handler
from yingji.supplies import maintenance, rules
from yingji.supplies.models import Balance, Batch, Item, Warehouse


@handler("supplies.maintenance_scan", period=timedelta(hours=6), max_attempts=3, lease_s=300)
def maintenance_scan(session: Session, ctx: JobContext) -> None:
    """Schedules falling due within the horizon get their task and reminder jobs."""
    maintenance.scan(session)


@handler("supplies.maintenance_due", max_attempts=5)
def maintenance_due(session: Session, ctx: JobContext) -> None:
    maintenance.remind(session, int(ctx.payload["task_id"]), "due")


@handler("supplies.maintenance_overdue", max_attempts=5)
def maintenance_overdue(session: Session, ctx: JobContext) -> None:
    maintenance.remind(session, int(ctx.payload["task_id"]), "overdue")


@handler("supplies.expiry_scan", period=timedelta(hours=24), max_attempts=3, lease_s=300)
def expiry_scan(session: Session, ctx: JobContext) -> None:
    warn_expiring(session)


def stage_of(days_left: int, stages: list[int]) -> int | None:
    """The warning stage a batch is in: 0 once expired, else the smallest threshold it is within."""
    if days_left < 0:
        return 0
    inside = [s for s in stages if days_left <= s]
    return min(inside) if inside else None


def warn_expiring(session: Session) -> int:
    """One message per store, batch and stage (90 days, 30 days, expired): ahead of time, and once."""
    stages = rules.expiry_warning_days()
    today = maintenance.today()
    rows = session.execute(
        select(Balance.qty, Warehouse, Item, Batch)
        .join(Warehouse, Warehouse.id == Balance.warehouse_id)
        .join(Batch, Batch.id == Balance.batch_id)
        .join(Item, Item.id == Balance.item_id)
        .where(
            Balance.qty > 0,
            Batch.expires_on.is_not(None),
            Batch.expires_on <= today + timedelta(days=stages[0]),
        )
        .order_by(Warehouse.id, Batch.expires_on)
    ).all()
    sent = 0
    for qty, warehouse, item, batch in rows:
        days_left = (batch.expires_on - today).days
        stage = stage_of(days_left, stages)
        if stage is None:
            continue
        if stage == 0:
            message = N_("{qty} {unit} of {item} (batch {batch}) expired on {day}")
        else:
            message = N_("{qty} {unit} of {item} (batch {batch}) expire on {day}")
        subject = translate(
            message,
            "zh_CN",
            qty=qty,
            unit=item.unit,
            item=item.name,
            batch=batch.batch_no,
            day=batch.expires_on.isoformat(),
        )
        sent += maintenance.tell_keepers(
            session,
            warehouse,
            f"{warehouse.name}: {subject}",
            f"/supplies/expiry?within={warehouse.jurisdiction_code}",
            f"supplies.expiry:{warehouse.id}:{batch.id}:{stage}",
            "warning" if stage else "urgent",
            "supplies.expiry",
        )
    return sent
