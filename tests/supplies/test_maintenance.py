""" "五定" maintenance on the job queue: a due check reaches the keeper's inbox once, its record moves
the schedule on, the overdue reminder stays silent after the check; expiry warnings ahead of time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import exists, func, select

from tests.supplies.conftest import keeper_login as keeper_login
from tests.supplies.conftest import receive
from yingji.auth.models import User
from yingji.core.db import Actor
from yingji.jobs.models import Job
from yingji.jobs.worker import Worker
from yingji.notify.models import InboxMessage
from yingji.supplies import jobs as supply_jobs
from yingji.supplies import maintenance, warehouses
from yingji.supplies.models import MaintenanceSchedule, MaintenanceTask, Warehouse

KINDS = ["supplies.maintenance_due", "supplies.maintenance_overdue"]


def inbox(db, user_id: int, category: str) -> list[InboxMessage]:
    with db.reading() as session:
        return list(
            session.scalars(
                select(InboxMessage).where(InboxMessage.user_id == user_id, InboxMessage.category == category)
            )
        )


def test_due_check_reaches_the_keeper_once_and_its_record_moves_the_schedule(city, keeper_login, clock):
    clock.freeze(datetime.now(UTC))
    k = keeper_login(city.village_a, "village")
    receive(city.db, k.warehouse_id, [{"item_code": "C18-01", "qty": 4}])  # radios: battery charging
    with city.db.writing(Actor.system("tests")) as session:
        assert maintenance.ensure_schedules(session, session.get(Warehouse, k.warehouse_id)) == 1
        schedule = session.scalar(
            select(MaintenanceSchedule).where(MaintenanceSchedule.warehouse_id == k.warehouse_id)
        )
        assert (schedule.maintenance_class, schedule.kind, schedule.interval_days) == (
            "batteries",
            "charging",
            30,
        )
        schedule.next_due_on = maintenance.today() - timedelta(days=1)
    with city.db.writing(Actor.system("tests")) as session:
        maintenance.scan(session)
        maintenance.scan(session)  # idempotent: one task per schedule and date
        tasks = session.scalars(
            select(MaintenanceTask).where(MaintenanceTask.warehouse_id == k.warehouse_id)
        ).all()
        assert len(tasks) == 1
        task_id = tasks[0].id
        jobs = session.scalars(
            select(Job.kind).where(Job.dedupe_key.like(f"supplies.maintenance_%:{task_id}"))
        ).all()
        assert sorted(jobs) == KINDS
    Worker(city.db, kinds=KINDS).run_until_idle()
    messages = inbox(city.db, k.user_id, "supplies.maintenance")
    assert len(messages) == 1 and "维保到期" in messages[0].subject
    with city.db.writing(Actor.system("tests")) as session:
        assert maintenance.remind(session, task_id, "due") == 0  # a retried job sends nothing new
    assert len(inbox(city.db, k.user_id, "supplies.maintenance")) == 1

    listed = k.client.get(f"/api/v1/supplies/maintenance/tasks?warehouse_id={k.warehouse_id}").json()["items"]
    assert [t["id"] for t in listed] == [task_id]
    r = k.client.post(
        f"/api/v1/supplies/maintenance/tasks/{task_id}/record", json={"result": "ok", "note": "已充电"}
    )
    assert r.status_code == 200 and r.json()["status"] == "done"
    assert r.json()["next_due_on"] == (maintenance.today() + timedelta(days=30)).isoformat()
    again = k.client.post(f"/api/v1/supplies/maintenance/tasks/{task_id}/record", json={"result": "ok"})
    assert again.status_code == 409
    # The overdue reminder falls due later and finds the check done: silence.
    clock.advance(timedelta(days=5))
    Worker(city.db, kinds=KINDS).run_until_idle()
    assert len(inbox(city.db, k.user_id, "supplies.maintenance")) == 1
    done = k.client.get(
        f"/api/v1/supplies/maintenance/tasks?status=done&warehouse_id={k.warehouse_id}"
    ).json()
    assert done["items"][0]["note"] == "已充电"


def test_a_keeper_records_checks_only_for_their_store(city, keeper_login, api):
    k = keeper_login(city.village_a, "village")
    with city.db.reading() as session:
        other = session.scalar(
            select(MaintenanceTask.id).where(
                MaintenanceTask.status == "open",
                MaintenanceTask.warehouse_id != k.warehouse_id,
                MaintenanceTask.jurisdiction_code.startswith(city.town_a),
            )
        )
    r = k.client.post(f"/api/v1/supplies/maintenance/tasks/{other}/record", json={"result": "ok"})
    assert r.status_code in (403, 404)


def test_stores_without_a_keeper_account_give_their_officials_one_digest_a_day(city, clock):
    """Thousands of village stores have keepers without accounts: their reminders must not bury the
    town's inbox, one message a day points at the list."""
    clock.freeze(datetime.now(UTC))
    with city.db.reading() as session:
        town_b = session.scalar(select(User.id).where(User.username == "town_b"))
        stores = session.scalars(
            select(Warehouse.id)
            .where(Warehouse.level == "village", Warehouse.jurisdiction_code.startswith(city.town_b))
            .where(exists().where(MaintenanceSchedule.warehouse_id == Warehouse.id))  # the demo's
            .order_by(Warehouse.id)
            .limit(3)
        ).all()
        assert len(stores) == 3 and not any(warehouses.keeper_user_ids(session, w) for w in stores)
    task_ids = []
    with city.db.writing(Actor.system("tests")) as session:
        for store in stores:
            warehouse = session.get(Warehouse, store)
            schedule = maintenance.schedules_of(session, warehouse)[0]
            task = MaintenanceTask(
                schedule_id=schedule.id,
                warehouse_id=store,
                due_on=maintenance.today() - timedelta(days=1000),  # a date no demo task has
                status="open",
                jurisdiction_code=warehouse.jurisdiction_code,
            )
            session.add(task)
            session.flush()
            task_ids.append(task.id)
    before = {m.id for m in inbox(city.db, town_b, "supplies.maintenance")}
    with city.db.writing(Actor.system("tests")) as session:
        for task_id in task_ids:
            maintenance.remind(session, task_id, "due")
            maintenance.remind(session, task_id, "overdue")
    messages = inbox(city.db, town_b, "supplies.maintenance")
    new = [m for m in messages if m.id not in before]
    # six reminders, one message (none if an earlier test's digest already went out today)
    assert len(new) <= 1
    today = maintenance.today().isoformat()
    digest = [
        m for m in messages if m.dedupe_key.startswith(f"supplies.maintenance.digest:{city.town_b}:{today}")
    ]
    assert len(digest) == 1 and "保管员未开通账号" in digest[0].subject
    assert digest[0].link == f"/supplies/maintenance?within={city.town_b}"
    clock.advance(timedelta(days=1))  # the next day, the next digest
    with city.db.writing(Actor.system("tests")) as session:
        maintenance.remind(session, task_ids[0], "overdue")
    tomorrow = f"supplies.maintenance.digest:{city.town_b}:{maintenance.today().isoformat()}"
    later = inbox(city.db, town_b, "supplies.maintenance")
    assert sum(m.dedupe_key.startswith(tomorrow) for m in later) == 1


def test_expiry_warnings_ahead_of_time_once(city, keeper_login, clock):
    clock.freeze(datetime.now(UTC))
    k = keeper_login(city.village_a, "village")
    soon = (maintenance.today() + timedelta(days=20)).isoformat()
    receive(
        city.db, k.warehouse_id, [{"item_code": "C09-01", "qty": 6, "expires_on": soon, "batch_no": "B-SOON"}]
    )
    with city.db.writing(Actor.system("tests")) as session:
        supply_jobs.warn_expiring(session)
    with city.db.writing(Actor.system("tests")) as session:
        supply_jobs.warn_expiring(session)
    messages = inbox(city.db, k.user_id, "supplies.expiry")
    assert len(messages) == 1 and "B-SOON" in messages[0].subject
    clock.advance(timedelta(days=25))  # now expired: one more, more urgent message
    with city.db.writing(Actor.system("tests")) as session:
        supply_jobs.warn_expiring(session)
    messages = inbox(city.db, k.user_id, "supplies.expiry")
    assert len(messages) == 2 and {m.severity for m in messages} == {"warning", "urgent"}
    assert supply_jobs.stage_of(100, [90, 30]) is None and supply_jobs.stage_of(31, [90, 30]) == 90


def test_the_demo_has_schedules_and_due_tasks(city):
    with city.db.reading() as session:
        assert session.scalar(select(func.count()).select_from(MaintenanceSchedule)) > 100
        assert session.scalar(select(func.count()).where(MaintenanceTask.status == "open")) > 10
