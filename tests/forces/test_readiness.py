"""Readiness: the state, its append-only history, idempotent taps, and concurrent taps on one team."""

from __future__ import annotations

import itertools
import threading

from sqlalchemy import func, select

from tests.forces.helpers import key, new_team
from yingji.auth.scope import Principal
from yingji.core.db import Actor
from yingji.forces import readiness
from yingji.forces.models import ReadinessChange, Team
from yingji.forces.schemas import ReadinessIn


def test_changes_are_recorded_in_order(api, city, clock):
    town = api("town")
    team = new_team(town, city.town_a)
    for state in ("resting", "unavailable", "on_call"):
        r = town.post(
            f"/api/v1/forces/teams/{team['id']}/readiness", json={"state": state, "note": f"到{state}"}
        )
        assert r.status_code == 200, r.text
        assert r.json()["team"]["readiness"] == state
    history = town.get(f"/api/v1/forces/teams/{team['id']}/readiness").json()
    assert [(h["from_state"], h["to_state"]) for h in history] == [
        ("unavailable", "on_call"),
        ("resting", "unavailable"),
        ("on_call", "resting"),
        (None, "on_call"),
    ]
    assert history[0]["actor"] == "town"
    # Setting the state it already has adds nothing.
    assert (
        town.post(f"/api/v1/forces/teams/{team['id']}/readiness", json={"state": "on_call"}).status_code
        == 200
    )
    assert len(town.get(f"/api/v1/forces/teams/{team['id']}/readiness").json()) == 4


def test_a_retried_tap_lands_once(api, city):
    town = api("town")
    team = new_team(town, city.town_a)
    tap = {"state": "resting", "client_key": key()}
    first = town.post(f"/api/v1/forces/teams/{team['id']}/readiness", json=tap).json()
    town.post(f"/api/v1/forces/teams/{team['id']}/readiness", json={"state": "on_call"})
    again = town.post(f"/api/v1/forces/teams/{team['id']}/readiness", json=tap).json()
    assert again["change"]["id"] == first["change"]["id"]
    assert again["team"]["readiness"] == "on_call"  # the retry did not move the team back
    other = new_team(town, city.town_a)
    r = town.post(f"/api/v1/forces/teams/{other['id']}/readiness", json=tap)
    assert r.status_code == 409
    r = town.post(f"/api/v1/forces/teams/{team['id']}/readiness", json={"state": "sleeping"})
    assert r.status_code == 422


def test_readiness_is_scoped(api, city):
    team = new_team(api("town"), city.town_a)
    assert (
        api("town_b")
        .post(f"/api/v1/forces/teams/{team['id']}/readiness", json={"state": "resting"})
        .status_code
        == 404
    )
    assert (
        api("viewer")
        .post(f"/api/v1/forces/teams/{team['id']}/readiness", json={"state": "resting"})
        .status_code
        == 403
    )
    assert api("town_b").get(f"/api/v1/forces/teams/{team['id']}/readiness").status_code == 404


def test_concurrent_taps_leave_a_consistent_history(api, city):
    """Many threads tapping one team: every change is a history row chained to the one before."""
    team_id = new_team(api("town"), city.town_a)["id"]
    principal = Principal.system(city.town_a)
    states = ["resting", "on_call", "unavailable", "on_call"] * 5
    keys = [key() for _ in states]
    errors: list[BaseException] = []

    def tap(i: int) -> None:
        try:
            for _ in range(2):  # every tap is retried once: the retry must change nothing
                with city.db.writing(Actor.system("tests")) as session:
                    readiness.change(
                        session, principal, team_id, ReadinessIn(state=states[i], client_key=keys[i])
                    )
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=tap, args=(i,)) for i in range(len(states))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with city.db.reading() as session:
        rows = session.scalars(
            select(ReadinessChange).where(ReadinessChange.team_id == team_id).order_by(ReadinessChange.id)
        ).all()
        team = session.get(Team, team_id)
        keyed = session.scalar(
            select(func.count()).select_from(ReadinessChange).where(ReadinessChange.client_key.in_(keys))
        )
    for before, after in itertools.pairwise(rows):
        assert after.from_state == before.to_state  # no lost update: each change saw the previous one
    assert rows[-1].to_state == team.readiness
    assert keyed == len(rows) - 1  # one row per distinct key that changed something, none twice
