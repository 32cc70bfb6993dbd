"""Gap detection: a shift with nobody (or only people on leave) → one inbox warning per gap,
sent by the periodic job through the worker; running it again sends nothing new."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from tests.duty.conftest import local
from yingji.auth.models import User
from yingji.auth.scope import Principal
from yingji.core.db import Actor
from yingji.duty import leave as leave_service
from yingji.duty import rosters
from yingji.duty.schemas import LeaveDecision, LeaveIn, RosterPatch
from yingji.jobs import queue
from yingji.jobs.worker import Worker
from yingji.notify.models import InboxMessage


def _run_gap_job(city, slot: str) -> None:
    with city.db.writing(Actor.system("tests")) as session:
        queue.enqueue(session, "duty.check_gaps", {}, dedupe_key=f"test-gaps-{slot}")
    Worker(city.db, kinds=["duty.check_gaps"]).run_until_idle()


def _warnings(city, roster_id: int) -> list[InboxMessage]:
    with city.db.reading() as session:
        return list(
            session.scalars(
                select(InboxMessage).where(InboxMessage.dedupe_key.like(f"duty.gap:{roster_id}:%"))
            )
        )


def test_each_gap_is_warned_once_to_the_units_duty_managers(city, crew_factory, clock):
    # No leader rotation at all, and the only officer away on the 3rd: gaps, 5 days ahead.
    crew = crew_factory(starts_on=date(2032, 1, 1), leaders=0, officers=1, backups=0)
    system = Principal.system(what="tests")
    with city.db.writing(Actor.system("tests")) as session:
        rosters.update(session, system, crew.roster_id, RosterPatch(gap_days=5))
        lv, _ = leave_service.report(
            session,
            system,
            LeaveIn(
                person_id=crew.officers[0][0],
                unit_id=crew.unit_id,
                starts_at=local(2032, 1, 3, 10),
                ends_at=local(2032, 1, 3, 12),
                destination="县城",
            ),
        )
        leave_service.decide(session, system, lv.id, LeaveDecision(approve=True))
    clock.freeze(local(2032, 1, 1, 9, 0))
    _run_gap_job(city, "a")
    found = _warnings(city, crew.roster_id)
    with city.db.reading() as session:
        town_user = session.scalar(select(User.id).where(User.username == "town"))
        town_b_user = session.scalar(select(User.id).where(User.username == "town_b"))
    mine = [m for m in found if m.user_id == town_user]
    keys = sorted(m.dedupe_key.rsplit(":", 1)[0] for m in mine)
    expected = [f"duty.gap:{crew.roster_id}:2032-01-0{d}:leader" for d in range(1, 6)]
    expected.append(f"duty.gap:{crew.roster_id}:2032-01-03:officer")
    assert keys == sorted(expected)
    assert all(m.category == "duty.gap" and m.severity == "warning" for m in mine)
    subjects = {m.dedupe_key.rsplit(":", 1)[0]: m.subject for m in mine}
    assert "班次无值班员" in subjects[expected[-1]] and "班次无带班领导" in subjects[expected[0]]
    # The town_b officer (another place) is not told; a rerun adds nothing. (Other tests may add
    # duty managers to the same town: they are told too.)
    assert town_user in {m.user_id for m in found} and town_b_user not in {m.user_id for m in found}
    _run_gap_job(city, "b")
    assert len(_warnings(city, crew.roster_id)) == len(found)


def test_a_covered_roster_raises_no_warning(city, crew_factory, clock):
    crew = crew_factory(starts_on=date(2032, 2, 1))
    clock.freeze(local(2032, 2, 1, 9, 0))
    _run_gap_job(city, "c")
    assert _warnings(city, crew.roster_id) == []
