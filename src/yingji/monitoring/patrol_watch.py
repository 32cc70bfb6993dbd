"""Missed patrols: the monitor and leader of a point whose patrol is overdue are told once per missed
period, and each town once a day how many of its points are overdue; when a season starts or ends the
due times follow the new schedule (periodic jobs, see ``jobs.py``)."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from yingji.auth.models import User
from yingji.auth.roles import Perm
from yingji.core import clock
from yingji.core.i18n import N_, translate
from yingji.monitoring import catalog
from yingji.monitoring.models import HazardPoint, PointStatus
from yingji.notify.channels import Message, ReceiptState
from yingji.notify.inbox import InboxChannel, notify_level

LOOK_BACK = timedelta(days=2)  # points that fell overdue in this window are announced (once)


def missed(session: Session, now: datetime | None = None) -> dict[str, int]:
    """Tell the people of newly overdue points, and each town its overdue count (once a day)."""
    now = now or clock.now()
    rows = session.execute(
        select(
            HazardPoint.id,
            HazardPoint.code,
            HazardPoint.name,
            HazardPoint.jurisdiction_code,
            HazardPoint.monitor_person_id,
            HazardPoint.leader_person_id,
            HazardPoint.patrol_due_at,
        ).where(
            HazardPoint.status == PointStatus.ACTIVE,
            HazardPoint.patrol_due_at < now,
            HazardPoint.patrol_due_at >= now - LOOK_BACK,
        )
    ).all()
    people = {p for r in rows for p in (r.monitor_person_id, r.leader_person_id) if p}
    accounts: dict[int, list[int]] = defaultdict(list)
    if people:
        for uid, pid in session.execute(
            select(User.id, User.person_id).where(User.person_id.in_(people), User.active)
        ):
            accounts[pid].append(uid)
    batch = []
    for r in rows:
        subject = translate(N_("Patrol overdue: {point}"), "zh_CN", point=f"{r.name}（{r.code}）")
        due = clock.to_local(r.patrol_due_at).strftime("%Y-%m-%d %H:%M")
        body = translate(N_("The patrol of this point was due at {due}."), "zh_CN", due=due)
        for pid in {r.monitor_person_id, r.leader_person_id} - {None}:
            for uid in accounts.get(pid, []):
                batch.append(
                    Message(
                        recipient_user_id=uid,
                        subject=subject,
                        body=body,
                        link=f"/monitoring/points/{r.id}",
                        category="monitoring.patrol",
                        severity="warning",
                        jurisdiction_code=r.jurisdiction_code,
                        key=f"patrol-missed:{r.id}:{r.patrol_due_at:%Y%m%d%H%M}:{uid}",
                    )
                )
    delivered = (
        sum(1 for x in InboxChannel().send(session, batch) if x.state == ReceiptState.DELIVERED)
        if batch
        else 0
    )
    towns = Counter(r.jurisdiction_code[:9] for r in rows if len(r.jurisdiction_code) >= 9)
    day = clock.to_local(now).strftime("%Y%m%d")
    for town, n in sorted(towns.items()):
        notify_level(
            session,
            town,
            subject=translate(N_("{n} hazard points missed their patrol"), "zh_CN", n=n),
            link=f"/monitoring/points?overdue=1&within={town}",
            category="monitoring.patrol",
            severity="warning",
            key=f"patrol-missed-town:{town}:{day}",
            perm=Perm.MONITORING_MANAGE,
        )
    return {"overdue": len(rows), "delivered": delivered, "towns": len(towns)}


def reschedule(session: Session, now: datetime | None = None) -> int:
    """Recompute due times with today's schedule (season starts and ends); returns how many moved."""
    now = now or clock.now()
    rows = session.execute(
        select(
            HazardPoint.id,
            HazardPoint.kind,
            HazardPoint.patrol_every_days,
            HazardPoint.last_patrol_at,
            HazardPoint.created_at,
            HazardPoint.patrol_due_at,
        ).where(HazardPoint.status == PointStatus.ACTIVE)
    ).all()
    changes = []
    for r in rows:
        days = catalog.patrol_every_days(r.kind, now, r.patrol_every_days)
        due = (r.last_patrol_at or r.created_at) + timedelta(days=days)
        if r.patrol_due_at is None or abs((due - r.patrol_due_at).total_seconds()) >= 1:
            changes.append({"pid": r.id, "due": due})
    if changes:
        stmt = (
            update(HazardPoint)
            .where(HazardPoint.id == bindparam("pid"))
            .values(patrol_due_at=bindparam("due"))
        )
        session.connection().execute(stmt.execution_options(synchronize_session=False), changes)
    return len(changes)
