"""Deadlines of rectification as job rows: a reminder before the deadline, the level above told
after it, 挂牌督办 (listing for supervision) for a 重大 danger. Each job carries the deadline it was
made for and re-checks the danger under lock: a danger already reported done, or given a new
deadline, makes the old job exit without doing anything."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.core import clock
from yingji.core.clock import LOCAL_TZ
from yingji.core.i18n import N_, translate
from yingji.jobs import queue
from yingji.notify.inbox import notify_level
from yingji.risk import settings, tables
from yingji.risk.danger_models import Danger, DangerStatus

REMIND = "risk.danger_remind"
OVERDUE = "risk.danger_overdue"
REMIND_AT = time(9, 0)  # reminders go out at 09:00 local time


def tell(
    session: Session,
    code: str,
    perm: Perm,
    message: str,
    danger: Danger,
    *,
    key: str,
    severity: str = "info",
    **params,
) -> None:
    """An inbox message (in Chinese, as stored) to the users of ``code`` holding ``perm``."""
    notify_level(
        session,
        code,
        subject=translate(message, "zh_CN", title=danger.title[:80], **params),
        body=danger.description or "",
        link=f"/risk/dangers/{danger.id}",
        category="risk",
        severity=severity,
        key=key,
        perm=perm,
    )


def deadline_end(danger: Danger) -> datetime:
    """The moment a deadline passes: the end of that day in Asia/Shanghai, as UTC."""
    local = datetime.combine(danger.deadline + timedelta(days=1), time(0), tzinfo=LOCAL_TZ)
    return clock.to_utc(local)


def remind_at(danger: Danger, days: int) -> datetime:
    """When the reminder of a deadline goes out (09:00 local, ``days`` before)."""
    local = datetime.combine(danger.deadline - timedelta(days=days), REMIND_AT, tzinfo=LOCAL_TZ)
    return clock.to_utc(local)


def schedule(session: Session, danger: Danger) -> None:
    """Queue this deadline's reminder and overdue check (once per danger and deadline)."""
    if danger.deadline is None:
        return
    payload = {"danger_id": danger.id, "deadline": danger.deadline.isoformat()}
    suffix = f"{danger.id}:{danger.deadline.isoformat()}"
    days = settings.effective(session, danger.jurisdiction_code).remind_days
    when = remind_at(danger, days)
    if days > 0 and when > clock.now():
        queue.enqueue(session, REMIND, payload, due_at=when, dedupe_key=f"{REMIND}:{suffix}")
    queue.enqueue(session, OVERDUE, payload, due_at=deadline_end(danger), dedupe_key=f"{OVERDUE}:{suffix}")


def _still_due(danger: Danger | None, payload: dict) -> bool:
    return (
        danger is not None
        and danger.status == DangerStatus.RECTIFYING
        and danger.deadline is not None
        and danger.deadline.isoformat() == payload.get("deadline")
    )


def remind(session: Session, payload: dict) -> bool:
    """Before the deadline: tell the town and the danger's village. False when nothing was due."""
    from yingji.risk.dangers import log

    danger = session.get(Danger, int(payload["danger_id"]), with_for_update=True)
    if not _still_due(danger, payload):
        return False
    key = f"{REMIND}:{danger.id}:{payload['deadline']}"
    params = {"deadline": payload["deadline"]}
    message = N_("Hidden danger due on {deadline}: {title}")
    tell(session, danger.jurisdiction_code[:9], Perm.DANGER_MANAGE, message, danger, key=key, **params)
    if len(danger.jurisdiction_code) >= 12:
        village = danger.jurisdiction_code[:12]
        tell(session, village, Perm.DANGER_REPORT, message, danger, key=f"{key}:v", **params)
    danger.escalation = max(danger.escalation, 1)
    log(session, danger, "reminded", danger.status, danger.status, None, data=params)
    return True


def overdue(session: Session, payload: dict) -> bool:
    """After the deadline: the level above is told; a 重大 danger is listed for supervision."""
    from yingji.risk.dangers import log

    danger = session.get(Danger, int(payload["danger_id"]), with_for_update=True)
    if not _still_due(danger, payload):
        return False
    now = clock.now()
    key = f"{OVERDUE}:{danger.id}:{payload['deadline']}"
    county = danger.jurisdiction_code[:6]
    params = {"deadline": payload["deadline"]}
    danger.overdue_at = danger.overdue_at or now
    danger.escalation = max(danger.escalation, 2)
    tell(
        session,
        county,
        Perm.DANGER_MANAGE,
        N_("Hidden danger overdue since {deadline}: {title}"),
        danger,
        key=key,
        severity="warning",
        **params,
    )
    log(session, danger, "overdue", danger.status, danger.status, None, data=params)
    if danger.grade == "major":
        listed_by = tables.dangers_table()["escalation"]["major_listed_by"]
        supervisor = county if listed_by == "county" else danger.jurisdiction_code[:4]
        danger.listed, danger.listed_at = True, danger.listed_at or now
        danger.supervised_by = supervisor
        danger.escalation = 3
        for code in {supervisor, danger.jurisdiction_code[:4]}:
            tell(
                session,
                code,
                Perm.DANGER_MANAGE,
                N_("Major hidden danger overdue, listed for supervision: {title}"),
                danger,
                key=f"{key}:listed:{code}",
                severity="warning",
            )
        log(session, danger, "listed", danger.status, danger.status, None, data={"by": supervisor})
    return True
