"""Overdue escalation through the job queue, with a moved clock: a reminder before the deadline,
the county told after it, a 重大 danger listed for supervision; a danger reported done in time, or
given a new deadline, does not escalate on the old one."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.risk.conftest import danger, enterprise, step, to_rectifying
from yingji.auth.models import User
from yingji.jobs.worker import Worker
from yingji.notify.models import InboxMessage
from yingji.risk import escalation


def run_jobs(db) -> int:
    return Worker(db, kinds=[escalation.REMIND, escalation.OVERDUE]).run_until_idle()


def inbox(db, username: str, danger_id: int) -> list[str]:
    with db.reading() as session:
        uid = session.scalar(select(User.id).where(User.username == username))
        return list(
            session.scalars(
                select(InboxMessage.subject)
                .where(InboxMessage.user_id == uid, InboxMessage.link == f"/risk/dangers/{danger_id}")
                .order_by(InboxMessage.id)
            )
        )


def test_an_overdue_danger_escalates(city, api, clock):
    clock.freeze(clock.now())
    town = api("town")
    d = danger(api("gridworker"))
    to_rectifying(town, d["id"], days=10)
    run_jobs(city.db)
    assert town.get(f"/api/v1/risk/dangers/{d['id']}").json()["escalation"] == 0

    clock.advance(timedelta(days=8))  # three days before the deadline, after 09:00
    run_jobs(city.db)
    assert town.get(f"/api/v1/risk/dangers/{d['id']}").json()["escalation"] == 1
    assert any("到期" in s or "due" in s for s in inbox(city.db, "town", d["id"]))

    clock.advance(timedelta(days=3))  # past the end of the deadline day
    run_jobs(city.db)
    got = town.get(f"/api/v1/risk/dangers/{d['id']}").json()
    assert got["escalation"] == 2 and got["overdue"] is True and got["listed"] is False
    assert inbox(city.db, "county", d["id"]), "the county is told"
    run_jobs(city.db)  # nothing more to do, and nothing twice
    assert len(inbox(city.db, "county", d["id"])) == 1
    overdue = town.get("/api/v1/risk/dangers", params={"overdue": "true", "size": 200}).json()["items"]
    assert d["id"] in [x["id"] for x in overdue]


def test_a_major_overdue_danger_is_listed(city, api, clock):
    clock.freeze(clock.now())
    town = api("town")
    e = enterprise(town, city.village_a)
    d = danger(town, enterprise_id=e["id"], category="hazchem")
    to_rectifying(town, d["id"], major=True, days=30)
    clock.advance(timedelta(days=32))
    run_jobs(city.db)
    got = town.get(f"/api/v1/risk/dangers/{d['id']}").json()
    assert got["listed"] is True and got["escalation"] == 3 and got["supervised_by"] == city.county_a
    assert [e["action"] for e in got["events"]][-2:] == ["overdue", "listed"]
    assert any("挂牌督办" in s or "listed" in s for s in inbox(city.db, "county", d["id"]))


def test_done_in_time_or_extended_does_not_escalate(city, api, clock):
    clock.freeze(clock.now())
    town = api("town")
    in_time = danger(api("gridworker"))
    extended = danger(api("gridworker"))
    to_rectifying(town, in_time["id"], days=5)
    to_rectifying(town, extended["id"], days=5)
    step(town, in_time["id"], "report_done", note="按期完成")
    step(
        town,
        extended["id"],
        "extend",
        note="材料未到",
        deadline=(clock.now() + timedelta(days=30)).date().isoformat(),
    )
    clock.advance(timedelta(days=7))
    run_jobs(city.db)
    for d in (in_time, extended):
        got = town.get(f"/api/v1/risk/dangers/{d['id']}").json()
        assert got["escalation"] == 0 and got["overdue"] is False, d["id"]
    assert inbox(city.db, "county", extended["id"]) == []
