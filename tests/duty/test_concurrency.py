"""Concurrent submissions: one routine report per period, retries of one client key land once,
and two superiors cannot both decide a leave."""

from __future__ import annotations

import threading
import uuid

from sqlalchemy import func, select

from tests.duty.conftest import local
from yingji.auth.scope import Principal
from yingji.core.db import Actor
from yingji.core.errors import Conflict, YingjiError
from yingji.duty import leave, routine
from yingji.duty.models import Leave, RoutineReport
from yingji.duty.schemas import LeaveDecision, LeaveIn, RoutineReportIn

N = 10


def _parallel(fn) -> list:
    results: list = [None] * N
    start = threading.Barrier(N)

    def work(i):
        start.wait()
        try:
            results[i] = fn(i)
        except YingjiError as exc:
            results[i] = exc

    threads = [threading.Thread(target=work, args=(i,)) for i in range(N)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_parallel_retries_and_rival_reports_give_one_report(city, clock):
    clock.freeze(local(2036, 5, 5, 9, 0))
    county = Principal.system(city.county_a, what="tests")
    key = uuid.uuid4().hex

    def retry(i):
        with city.db.writing(Actor.system("tests")) as session:
            report, _ = routine.submit(
                session, county, RoutineReportIn(kind="zero", jurisdiction_code=city.town_a, client_key=key)
            )
            return report.id

    ids = _parallel(retry)
    assert len(set(ids)) == 1 and all(isinstance(i, int) for i in ids)

    def rival(i):
        with city.db.writing(Actor.system("tests")) as session:
            data = RoutineReportIn(
                kind="zero", jurisdiction_code=city.town_b, report_date="2036-05-05", slot=0
            )
            return routine.submit(session, county, data)[0].id

    outcomes = _parallel(rival)
    assert sum(isinstance(o, int) for o in outcomes) == 1
    assert all(isinstance(o, Conflict) for o in outcomes if not isinstance(o, int))
    with city.db.reading() as session:
        n = session.scalar(
            select(func.count())
            .select_from(RoutineReport)
            .where(
                RoutineReport.report_date == local(2036, 5, 5).date(),
                RoutineReport.jurisdiction_code.in_([city.town_a, city.town_b]),
            )
        )
    assert n == 2


def test_two_superiors_deciding_at_once_decide_once(city, crew_factory):
    crew = crew_factory()
    system = Principal.system(what="tests")
    with city.db.writing(Actor.system("tests")) as session:
        lv, _ = leave.report(
            session,
            system,
            LeaveIn(
                person_id=crew.leaders[0][0],
                unit_id=crew.unit_id,
                starts_at=local(2036, 6, 1, 9),
                ends_at=local(2036, 6, 2, 9),
                destination="省城",
            ),
        )
        leave_id = lv.id

    def decide(i):
        with city.db.writing(Actor.system(f"tests-{i}")) as session:
            return leave.decide(session, system, leave_id, LeaveDecision(approve=i % 2 == 0)).status

    outcomes = _parallel(decide)
    decided = [o for o in outcomes if isinstance(o, str)]
    assert len(decided) == 1 and all(isinstance(o, Conflict) for o in outcomes if not isinstance(o, str))
    with city.db.reading() as session:
        assert session.get(Leave, leave_id).status == decided[0]
