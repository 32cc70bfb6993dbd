"""Response levels: activation, adjustment and end move the incident through the transition table,
and every change is in the timeline and the audit log."""

from __future__ import annotations

from sqlalchemy import select

from tests.response.conftest import new_incident
from yingji.auth.models import AuditEntry
from yingji.core.db import Actor
from yingji.incidents.models import Incident, TimelineEvent

ACTIVATE = {
    "level": 4,
    "plan_name": "碧江区生产安全事故应急预案",
    "plan_number": "碧府办发〔2024〕8号",
    "decided_by": "区长 王某",
}


def _incident(city, client, **kw):
    return new_incident(city.db, city.town_a, **kw)


def test_activate_adjust_end_walk_the_transition_table(city, api):
    iid = new_incident(city.db, city.town_a)
    town = api("town")
    r = town.post(f"/api/v1/incidents/{iid}/response/activate", json=ACTIVATE)
    assert r.status_code == 201, r.text
    assert r.json()["level"] == 4
    again = town.post(f"/api/v1/incidents/{iid}/response/activate", json=ACTIVATE)
    assert again.status_code == 409
    r = town.post(
        f"/api/v1/incidents/{iid}/response/adjust",
        json={"level": 3, "decided_by": "区长 王某", "reason": "死亡人数上升"},
    )
    assert r.status_code == 201 and r.json()["level"] == 3
    same = town.post(
        f"/api/v1/incidents/{iid}/response/adjust", json={"level": 3, "decided_by": "x", "reason": "y"}
    )
    assert same.status_code == 409
    with city.db.reading() as s:
        inc = s.get(Incident, iid)
        assert (inc.status, inc.response_level) == ("responding", 3)
    r = town.post(
        f"/api/v1/incidents/{iid}/response/end", json={"decided_by": "区长 王某", "reason": "险情消除"}
    )
    assert r.status_code == 200, r.text
    body = town.get(f"/api/v1/incidents/{iid}/response").json()
    assert body["status"] == "stabilised" and body["response_level"] is None and body["active"] is None
    assert [(h["level"], h["ended_how"]) for h in body["history"]] == [(4, "adjusted"), (3, "ended")]
    with city.db.reading() as s:
        kinds = s.scalars(select(TimelineEvent.kind).where(TimelineEvent.incident_id == iid)).all()
        assert kinds.count("status") == 2 and kinds.count("response") == 3
        summaries = s.scalars(select(TimelineEvent.summary).where(TimelineEvent.incident_id == iid)).all()
        assert any("四级" in x and "王某" in x for x in summaries)
        audited = s.scalars(
            select(AuditEntry.action).where(AuditEntry.entity == "response_activations")
        ).all()
        assert "create" in audited and "update" in audited


def test_a_reported_incident_cannot_jump_to_responding(city, api):
    iid = new_incident(city.db, city.town_a, status="reported")
    r = api("town").post(f"/api/v1/incidents/{iid}/response/activate", json=ACTIVATE)
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "conflict"
    with city.db.reading() as s:
        assert s.get(Incident, iid).status == "reported"


def test_a_stabilised_incident_flares_up_again(city, api):
    iid = new_incident(city.db, city.town_a, status="stabilised")
    r = api("town").post(f"/api/v1/incidents/{iid}/response/activate", json=ACTIVATE | {"level": 2})
    assert r.status_code == 201
    with city.db.reading() as s:
        assert s.get(Incident, iid).status == "responding"


def test_closed_incidents_take_no_response(city, api):
    iid = new_incident(city.db, city.town_a, status="closed")
    assert api("town").post(f"/api/v1/incidents/{iid}/response/activate", json=ACTIVATE).status_code == 409


def test_bad_input_is_a_clear_error(city, api):
    iid = new_incident(city.db, city.town_a)
    r = api("town").post(f"/api/v1/incidents/{iid}/response/activate", json=ACTIVATE | {"level": 5})
    assert r.status_code == 422 and r.json()["error"]["code"] == "validation_failed"
    with city.db.writing(Actor.system("tests")):
        pass
