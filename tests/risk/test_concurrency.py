"""Two requests at once: the same client key gives one hidden danger, the same step is taken once
(row lock), and two first generations of a plan make one plan."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from tests.risk.conftest import key
from yingji.auth.models import User
from yingji.auth.scope import Principal
from yingji.core.errors import YingjiError
from yingji.risk import dangers, enforcement, steps
from yingji.risk.danger_models import Danger, DangerEvent
from yingji.risk.dangers import today
from yingji.risk.models import EnforcementPlan
from yingji.risk.schemas import DangerIn


def principal(db, username: str) -> Principal:
    with db.reading() as session:
        return Principal.of(session.scalar(select(User).where(User.username == username)))


def at_once(n: int, work) -> list:
    """Run ``work(i)`` in n threads released together; results or exceptions, in order."""
    barrier, out = threading.Barrier(n), [None] * n

    def run(i: int) -> None:
        barrier.wait()
        try:
            out[i] = work(i)
        except Exception as exc:  # collected for the assertions
            out[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return out


def test_the_same_client_key_at_once_is_one_danger(city):
    worker = principal(city.db, "gridworker")
    same = key()

    def report(_i: int) -> int:
        with city.db.writing(worker.as_actor()) as session:
            return dangers.create(session, worker, DangerIn(title="同时提交", client_key=same)).id

    ids = at_once(4, report)
    assert all(isinstance(i, int) for i in ids), ids
    assert len(set(ids)) == 1
    with city.db.reading() as session:
        assert session.scalar(select(func.count()).where(Danger.client_key == same)) == 1


def test_the_same_step_at_once_is_taken_once(city):
    worker, town = principal(city.db, "gridworker"), principal(city.db, "town")
    with city.db.writing(worker.as_actor()) as session:
        danger_id = dangers.create(session, worker, DangerIn(title="同时登记", client_key=key())).id

    def register(_i: int):
        with city.db.writing(town.as_actor()) as session:
            return steps.act(session, town, danger_id, "register", None).status

    results = at_once(3, register)
    assert results.count("registered") == 1, results
    assert all(isinstance(r, YingjiError) and r.status_code == 409 for r in results if r != "registered")
    with city.db.reading() as session:
        count = session.scalar(
            select(func.count()).where(DangerEvent.danger_id == danger_id, DangerEvent.action == "register")
        )
    assert count == 1


def test_two_first_generations_make_one_plan(city):
    county = principal(city.db, "county")
    year = today().year + 7

    def generate(_i: int):
        with city.db.writing(county.as_actor()) as session:
            return enforcement.generate(session, county, city.county_a, year)[0].id

    results = at_once(2, generate)
    winners = [r for r in results if isinstance(r, int)]
    assert winners and all(isinstance(r, int) or r.status_code == 409 for r in results), results
    with city.db.reading() as session:
        plans = session.scalar(
            select(func.count()).where(
                EnforcementPlan.year == year, EnforcementPlan.jurisdiction_code == city.county_a
            )
        )
    assert plans == 1
