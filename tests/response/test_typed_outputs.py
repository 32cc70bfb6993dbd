"""The response API's typed answers are the bytes the untyped routes sent (times "+00:00", frozen
policies and escalation steps key for key)."""

from __future__ import annotations

from sqlalchemy import select

from tests.forces.typed_outputs import same_bytes
from yingji.response import api as response_api
from yingji.response.models import ResponseActivation, ResponseTask


def test_response_answers_keep_their_bytes(app, tokens, city):
    with city.db.reading() as session:
        incidents = session.scalars(select(ResponseActivation.incident_id).limit(3)).all()
        tasks = session.scalars(select(ResponseTask.id).limit(3)).all()
    assert incidents and tasks, "the demo city has responses"
    urls = [
        *[f"/api/v1/incidents/{i}/response" for i in incidents],
        *[f"/api/v1/tasks/{t}" for t in tasks],
        "/api/v1/tasks?all=true",
        "/api/v1/tasks/overdue",
        f"/api/v1/escalation-policies/{city.county_a}",
        "/api/v1/stats/incidents",
    ]
    same_bytes(app, response_api.router, tokens["duty"], urls)
