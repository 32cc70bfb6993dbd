""" "五定" maintenance: schedules per store and item class (servicing, inspection, battery charging,
performance testing), due tasks created ahead of time with their reminder jobs, the record of each
check, and the reminders themselves (the keeper's inbox; the store's officials when it has none).

Timers are rows: a task's "due" and "overdue" reminders are jobs made in the same transaction as the
task; each job re-reads the task under lock and does nothing once the check is recorded.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, exists, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from yingji.auth.audit import actor_of
from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, in_scope, writable
from yingji.core import clock
from yingji.core.clock import LOCAL_TZ
from yingji.core.errors import Conflict, NotFound
from yingji.core.i18n import N_, gettext, translate
from yingji.core.pagination import Page, paginate
from yingji.jobs import queue
from yingji.jobs.models import JobState
from yingji.notify.channels import Message, ReceiptState
from yingji.notify.inbox import InboxChannel, notify_level
from yingji.org import places
from yingji.org.codes import ancestors
from yingji.org.models import Jurisdiction
from yingji.supplies import rules, warehouses
from yingji.supplies.codes import MaintenanceState
from yingji.supplies.models import Item, MaintenanceSchedule, MaintenanceTask, Warehouse
from yingji.supplies.schemas import MaintenanceRecordIn

KIND_LABELS = {
    "servicing": N_("Periodic servicing"),
    "inspection": N_("Inspection"),
    "charging": N_("Battery charging"),
    "performance_test": N_("Performance test"),
}
# The item classes of rules/supplies_store_rules.json (a local rule may add its own: shown as named).
CLASS_LABELS = {
    "powered": N_("Powered equipment"),
    "batteries": N_("Battery-powered devices"),
    "boats": N_("Boats"),
    "vehicles": N_("Vehicles"),
    "rescue_gear": N_("Rescue gear"),
    "textiles": N_("Tents and bedding"),
    "instruments": N_("Instruments"),
    "extinguishers": N_("Fire extinguishers"),
}


def class_label(cls: str, locale: str | None = None) -> str:
    if cls not in CLASS_LABELS:
        return cls
    return translate(CLASS_LABELS[cls], locale) if locale else gettext(CLASS_LABELS[cls])


def local_morning(day: date) -> datetime:
    """08:00 Asia/Shanghai on ``day``, the time reminders go out."""
    return datetime.combine(day, time(8, 0), LOCAL_TZ)


def today() -> date:
    return clock.now().astimezone(LOCAL_TZ).date()


def schedule_rows(warehouse_id: int, code: str, classes: set[str], start: date) -> list[dict]:
    """Schedules for a store holding items of ``classes``, staggered so they do not all fall due at once."""
    rows = []
    now = clock.now()
    for cls in sorted(classes):
        for n, step in enumerate(rules.maintenance_plan(cls)):
            rows.append(
                {
                    "warehouse_id": warehouse_id,
                    "maintenance_class": cls,
                    "kind": step["kind"],
                    "interval_days": step["interval_days"],
                    "next_due_on": start + timedelta(days=(warehouse_id * 7 + n * 3) % step["interval_days"]),
                    "last_done_on": None,
                    "active": True,
                    "jurisdiction_code": code,
                    "created_at": now,
                    "updated_at": now,
                }
            )
    return rows


def ensure_schedules(session: Session, warehouse: Warehouse) -> int:
    """Add the schedules a store needs for the item classes it holds (missing ones only)."""
    from yingji.supplies.models import Balance

    classes = set(
        session.scalars(
            select(Item.maintenance_class)
            .join(Balance, Balance.item_id == Item.id)
            .where(Balance.warehouse_id == warehouse.id, Balance.qty > 0, Item.maintenance_class.is_not(None))
            .distinct()
        )
    )
    have = set(
        session.execute(
            select(MaintenanceSchedule.maintenance_class, MaintenanceSchedule.kind).where(
                MaintenanceSchedule.warehouse_id == warehouse.id
            )
        ).all()
    )
    rows = [
        r
        for r in schedule_rows(warehouse.id, warehouse.jurisdiction_code, classes, today())
        if (r["maintenance_class"], r["kind"]) not in have
    ]
    for r in rows:
        session.add(MaintenanceSchedule(**r))
    session.flush()
    return len(rows)


def reminder_jobs(task_id: int, due_on: date) -> list[dict]:
    """The due and overdue reminder jobs of a task, as rows (for bulk writers such as the demo;
    ``scan`` makes the same jobs through the queue)."""
    now = clock.now()
    grace = timedelta(days=rules.overdue_grace_days())
    return [
        {
            "kind": f"supplies.maintenance_{stage}",
            "payload": {"task_id": task_id},
            "state": JobState.QUEUED,
            "priority": 0,
            "due_at": max(now, local_morning(day)),
            "attempts": 0,
            "max_attempts": 5,
            "dedupe_key": f"supplies.maintenance_{stage}:{task_id}",
            "created_at": now,
            "updated_at": now,
        }
        for stage, day in (("due", due_on), ("overdue", due_on + grace))
    ]


def scan(session: Session, horizon_days: int | None = None) -> int:
    """Create the open task of every active schedule due within the horizon that has none, with its
    due and overdue reminder jobs. Idempotent (one task per schedule and due date)."""
    horizon = today() + timedelta(days=horizon_days or rules.maintenance_horizon_days())
    open_task = exists().where(
        MaintenanceTask.schedule_id == MaintenanceSchedule.id, MaintenanceTask.status == MaintenanceState.OPEN
    )
    due = session.execute(
        select(
            MaintenanceSchedule.id,
            MaintenanceSchedule.warehouse_id,
            MaintenanceSchedule.next_due_on,
            MaintenanceSchedule.jurisdiction_code,
        ).where(MaintenanceSchedule.active, MaintenanceSchedule.next_due_on <= horizon, ~open_task)
    ).all()
    if not due:
        return 0
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    now = clock.now()
    made = 0
    for schedule_id, warehouse_id, due_on, code in due:
        task_id = session.execute(
            insert(MaintenanceTask)
            .values(
                schedule_id=schedule_id,
                warehouse_id=warehouse_id,
                due_on=due_on,
                status=MaintenanceState.OPEN,
                jurisdiction_code=code,
                created_at=now,
            )
            .on_conflict_do_nothing(index_elements=["schedule_id", "due_on"])
            .returning(MaintenanceTask.id)
        ).scalar()
        if task_id is None:
            continue
        made += 1
        for job in reminder_jobs(task_id, due_on):
            queue.enqueue(
                session, job["kind"], job["payload"], due_at=job["due_at"], dedupe_key=job["dedupe_key"]
            )
    return made


def remind(session: Session, task_id: int, stage: str) -> int:
    """Tell the store's keepers that a check is due (or overdue), once per task and stage; nothing
    when the check is already recorded. Returns how many messages were delivered."""
    task = session.get(MaintenanceTask, task_id, with_for_update={"of": MaintenanceTask})
    if task is None or task.status != MaintenanceState.OPEN:
        return 0
    warehouse = task.warehouse
    schedule = task.schedule
    kind = translate(KIND_LABELS[schedule.kind], "zh_CN")
    if stage == "due":
        subject = translate(
            "Maintenance due: {store}, {kind} ({cls}) by {day}",
            "zh_CN",
            store=warehouse.name,
            kind=kind,
            cls=class_label(schedule.maintenance_class, "zh_CN"),
            day=task.due_on.isoformat(),
        )
    else:
        subject = translate(
            "Maintenance overdue: {store}, {kind} ({cls}) was due {day}",
            "zh_CN",
            store=warehouse.name,
            kind=kind,
            cls=class_label(schedule.maintenance_class, "zh_CN"),
            day=task.due_on.isoformat(),
        )
    key = f"supplies.maintenance.{stage}:{task.id}"
    link = f"/supplies/maintenance?warehouse={warehouse.id}"
    severity = "info" if stage == "due" else "warning"
    return tell_keepers(session, warehouse, subject, link, key, severity, "supplies.maintenance")


# What a level's supplies officials get instead, once a day, for stores whose keepers have no account:
# one line pointing at the list (per-store messages would bury a county or city inbox in thousands).
OFFICIAL_DIGESTS = {
    "supplies.maintenance": (
        N_("Maintenance is due or overdue at stores in {place} whose keepers have no account: see the list"),
        "/supplies/maintenance?within={code}",
    ),
    "supplies.expiry": (
        N_("Stock is expiring or expired at stores in {place} whose keepers have no account: see the list"),
        "/supplies/expiry?within={code}",
    ),
}


def tell_keepers(
    session: Session, warehouse: Warehouse, subject: str, link: str, key: str, severity: str, category: str
) -> int:
    """Inbox messages to the store's keepers (``key`` makes a repeat land once); when no keeper has
    a user, the day's digest to the nearest level's supplies officials. Returns how many were delivered."""
    users = warehouses.keeper_user_ids(session, warehouse.id)
    if not users:
        return _tell_officials(session, warehouse, severity, category)
    batch = [
        Message(
            u,
            subject,
            link=link,
            category=category,
            severity=severity,
            jurisdiction_code=warehouse.jurisdiction_code,
            key=f"{key}:{u}",
        )
        for u in users
    ]
    return sum(r.state == ReceiptState.DELIVERED for r in InboxChannel().send(session, batch))


def _tell_officials(session: Session, warehouse: Warehouse, severity: str, category: str) -> int:
    text, link = OFFICIAL_DIGESTS[category]
    for code in [warehouse.jurisdiction_code, *reversed(ancestors(warehouse.jurisdiction_code))]:
        place = session.get(Jurisdiction, code)
        receipts = notify_level(
            session,
            code,
            subject=translate(text, "zh_CN", place=place.name if place else code),
            link=link.format(code=code),
            category=category,
            severity=severity,
            key=f"{category}.digest:{code}:{today().isoformat()}",
            perm=Perm.SUPPLIES_MANAGE,
        )
        if receipts:
            return sum(r.state == ReceiptState.DELIVERED for r in receipts)
    return 0


def tasks(
    session: Session,
    principal: Principal,
    *,
    status: str = MaintenanceState.OPEN,
    within: str | None = None,
    warehouse_id: int | None = None,
    overdue_only: bool = False,
    page: int = 1,
    size: int = 50,
) -> Page[MaintenanceTask]:
    """Maintenance tasks in scope: open ones by due date, done ones (the records) newest first."""
    stmt = select(MaintenanceTask).where(
        in_scope(MaintenanceTask.jurisdiction_code, principal), MaintenanceTask.status == status
    )
    if within:
        low, high = places.within(session, principal, within)
        stmt = stmt.where(
            and_(MaintenanceTask.jurisdiction_code >= low, MaintenanceTask.jurisdiction_code < high)
        )
    if warehouse_id is not None:
        stmt = stmt.where(MaintenanceTask.warehouse_id == warehouse_id)
    if overdue_only:
        stmt = stmt.where(MaintenanceTask.due_on < today())
    order = (
        (MaintenanceTask.due_on, MaintenanceTask.id)
        if status == MaintenanceState.OPEN
        else (MaintenanceTask.done_at.desc(),)
    )
    return paginate(session, stmt.order_by(*order), page, size)


def record(
    session: Session, principal: Principal, task_id: int, data: MaintenanceRecordIn
) -> MaintenanceTask:
    """Record a check: the task becomes its record and the schedule moves on by its interval."""
    task = session.get(MaintenanceTask, task_id, with_for_update={"of": MaintenanceTask})
    if task is None or not principal.covers(task.jurisdiction_code):
        raise NotFound()
    warehouse = session.get(Warehouse, task.warehouse_id)
    writable(principal, warehouse.jurisdiction_code, Perm.STOCK_MOVE)
    warehouses.check_move(session, principal, warehouse)
    if task.status != MaintenanceState.OPEN:
        raise Conflict("This check has already been recorded.")
    actor = actor_of(session)
    day = today()
    task.status, task.result, task.note = MaintenanceState.DONE, data.result, data.note
    task.done_at, task.done_by, task.done_by_id = clock.now(), actor.name, actor.user_id
    schedule = session.get(MaintenanceSchedule, task.schedule_id, with_for_update={"of": MaintenanceSchedule})
    schedule.last_done_on = day
    schedule.next_due_on = day + timedelta(days=schedule.interval_days)
    session.flush()
    return task


def schedules_of(session: Session, warehouse: Warehouse) -> list[MaintenanceSchedule]:
    return list(
        session.scalars(
            select(MaintenanceSchedule)
            .where(MaintenanceSchedule.warehouse_id == warehouse.id)
            .order_by(MaintenanceSchedule.next_due_on)
        )
    )
