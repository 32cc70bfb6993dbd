"""The forces API's typed answers are the bytes the untyped routes sent (times "+00:00", floats and
nulls as they were, keys in order)."""

from __future__ import annotations

from tests.forces.helpers import new_team
from tests.forces.typed_outputs import same_bytes
from yingji.forces import api as forces_api


def test_forces_answers_keep_their_bytes(app, api, tokens, city):
    town = api("town")
    team = new_team(town, city.town_a)
    town.post(f"/api/v1/forces/teams/{team['id']}/readiness", json={"state": "resting", "note": "轮休"})
    urls = [
        "/api/v1/forces/teams",
        f"/api/v1/forces/teams/{team['id']}",
        f"/api/v1/forces/teams/{team['id']}/readiness",
        "/api/v1/forces/board",
        "/api/v1/forces/checks",
        "/api/v1/forces/nearest?lon=109.19&lat=27.73",
        "/api/v1/forces/roads",
    ]
    same_bytes(app, forces_api.router, tokens["town"], urls)
