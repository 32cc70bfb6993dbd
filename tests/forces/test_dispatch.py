"""Team dispatch: nearest capable on-call teams (hand-placed in a fresh database), reasons, commit,
the incident timeline, idempotency, return from the scene, scope; and the same through the API."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.forces.helpers import key, new_incident
from yingji.auth.roles import permissions_of
from yingji.auth.scope import Principal
from yingji.core.db import Actor
from yingji.core.errors import Conflict, Forbidden, NotFound
from yingji.forces import index, members, readiness, team_dispatch, teams
from yingji.forces.models import ReadinessChange, Team, TeamDispatch
from yingji.forces.schemas import DispatchIn, MemberIn, ReadinessIn, TeamIn
from yingji.incidents.models import Incident, TimelineEvent
from yingji.org.models import Jurisdiction

LON, LAT = 108.00, 27.00
KM_LON = 1 / 98.9  # degrees of longitude per km at 27°N


@pytest.fixture(scope="module")
def small(databases):
    """A fresh database: one county with two towns, and hand-placed teams east of the incident."""
    db = databases.make("dispatch")
    system = Principal.system()
    with db.writing(Actor.system("tests")) as session:
        for code, name, level, parent in [
            ("5206", "测试市", "city", None),
            ("520602", "测试区", "county", "5206"),
            ("520602001", "甲镇", "town", "520602"),
            ("520602002", "乙镇", "town", "520602"),
        ]:
            session.add(Jurisdiction(code=code, name=name, level=level, parent_code=parent, lon=LON, lat=LAT))
        session.flush()
        plan = {
            "fire_1km": (1, ["forest_fire"], "520602001", 4),
            "flood_5km": (5, ["flood_rescue"], "520602001", 18),
            "water_10km": (10, ["water_rescue", "flood_rescue"], "520602001", 9),
            "resting_3km": (3, ["flood_rescue"], "520602001", 12),
            "other_town_2km": (2, ["flood_rescue"], "520602002", 7),
        }
        ids = {}
        for name, (km, caps, town, n) in plan.items():
            team = teams.create(
                session,
                system,
                TeamIn(
                    code=f"D-{name}",
                    name=name,
                    kind="social",
                    jurisdiction_code=town,
                    lon=LON + km * KM_LON,
                    lat=LAT,
                    capabilities=caps,
                ),
            )
            for i in range(n):
                members.add(
                    session,
                    system,
                    team.id,
                    MemberIn(name=f"{name}{i}", mobile=f"1380000{team.id:02d}{i:02d}"),
                )
            ids[name] = team.id
        readiness.change(session, system, ids["resting_3km"], ReadinessIn(state="resting"))
    incident = new_incident(db, "520602001", lon=LON, lat=LAT, category="natural.flood_drought")
    return db, ids, incident


def town_officer(code: str) -> Principal:
    return Principal(None, "t", "t", "town_officer", code, permissions_of("town_officer"))


def test_nearest_capable_on_call_teams_come_first_with_reasons(small):
    db, _ids, incident = small
    with db.reading() as session:
        _, needs, recs = team_dispatch.recommend(session, Principal.system("520602"), incident)
    assert needs == ["flood_rescue", "water_rescue", "evacuation"]  # from the incident's category
    names = [r.candidate.name for r in recs]
    assert names == ["other_town_2km", "flood_5km", "water_10km"]  # not the resting one, not the fire team
    minutes = [r.candidate.minutes for r in recs]
    assert minutes == sorted(minutes)
    assert minutes[1] == pytest.approx(5 * 1.4 / 40 * 60, rel=0.02)  # straight line × 1.4 at 40 km/h
    flood = recs[1]
    assert flood.reason == "防汛抢险 · 备勤 · 约 11 分钟 · 18 人"
    assert recs[2].candidate.matched == ("flood_rescue", "water_rescue")
    with db.reading() as session:
        _, _, fire = team_dispatch.recommend(
            session, Principal.system(), incident, capabilities=["forest_fire"]
        )
    assert [r.candidate.name for r in fire] == ["fire_1km"]


def test_scope_narrows_the_recommendations(small):
    db, _ids, incident = small
    with db.reading() as session:
        _, _, recs = team_dispatch.recommend(session, town_officer("520602001"), incident)
        assert "other_town_2km" not in [r.candidate.name for r in recs]
        with pytest.raises(NotFound):
            team_dispatch.recommend(session, town_officer("520602002"), incident)


def test_commit_deploys_writes_the_timeline_and_is_idempotent(small):
    db, ids, incident = small
    batch = DispatchIn(team_ids=[ids["flood_5km"], ids["water_10km"]], client_key=key())
    with db.writing(Actor.system("tests")) as session:
        rows = team_dispatch.commit(session, Principal.system(), incident, batch)
        first_ids = [r.id for r in rows]
    with db.writing(Actor.system("tests")) as session:
        again = team_dispatch.commit(session, Principal.system(), incident, batch)
        assert [r.id for r in again] == first_ids
    with db.reading() as session:
        deployed = session.get(Team, ids["flood_5km"])
        assert deployed.readiness == "deployed" and deployed.deployed_incident_id == incident
        last = session.scalar(
            select(ReadinessChange)
            .where(ReadinessChange.team_id == ids["flood_5km"])
            .order_by(ReadinessChange.id.desc())
        )
        assert (last.from_state, last.to_state, last.incident_id) == ("on_call", "deployed", incident)
        events = session.scalars(
            select(TimelineEvent).where(TimelineEvent.incident_id == incident, TimelineEvent.kind == "forces")
        ).all()
        assert len(events) == 1 and "flood_5km" in events[0].summary and "water_10km" in events[0].summary
        assert events[0].summary.startswith("调派救援队伍")
        _, _, recs = team_dispatch.recommend(session, Principal.system(), incident)
        assert [r.candidate.name for r in recs] == ["other_town_2km"]  # the index saw the change
    with db.writing(Actor.system("tests")) as session, pytest.raises(Conflict):
        team_dispatch.commit(
            session, Principal.system(), incident, DispatchIn(team_ids=[ids["flood_5km"]], client_key=key())
        )
    # Back from the scene: the dispatch closes and the timeline says so.
    with db.writing(Actor.system("tests")) as session:
        readiness.change(session, Principal.system(), ids["flood_5km"], ReadinessIn(state="resting"))
    with db.reading() as session:
        closed = session.scalar(select(TeamDispatch).where(TeamDispatch.id == first_ids[0]))
        assert closed.state == "returned" and closed.returned_at is not None
        assert session.get(Team, ids["flood_5km"]).deployed_incident_id is None
        kinds = session.scalars(
            select(TimelineEvent.summary).where(
                TimelineEvent.incident_id == incident, TimelineEvent.kind == "forces"
            )
        ).all()
        assert any("已从现场返回" in s for s in kinds)


def test_commit_checks_permission_and_scope(small):
    db, ids, incident = small
    viewer = Principal(None, "v", "v", "viewer", "520602", permissions_of("viewer"))
    with db.writing(Actor.system("tests")) as session:
        with pytest.raises(Forbidden):
            team_dispatch.commit(
                session, viewer, incident, DispatchIn(team_ids=[ids["fire_1km"]], client_key=key())
            )
        with pytest.raises(NotFound):  # a team of another town
            team_dispatch.commit(
                session,
                town_officer("520602001"),
                incident,
                DispatchIn(team_ids=[ids["other_town_2km"]], client_key=key()),
            )
    with db.reading() as session:
        assert session.get(Team, ids["other_town_2km"]).readiness == "on_call"


def test_dispatch_through_the_api_on_the_demo_city(api, city):
    from tests.forces.helpers import place_point

    lon, lat = place_point(city.db, city.town_a)
    incident = new_incident(city.db, city.town_a, lon=lon, lat=lat, category="natural.forest_fire")
    town = api("town")
    body = town.get(f"/api/v1/incidents/{incident}/dispatch/teams").json()
    assert body["capabilities"] == ["forest_fire"]
    recs = body["recommendations"]
    assert recs and all("forest_fire" in r["capabilities"] for r in recs)
    assert all(r["jurisdiction_code"].startswith(city.town_a) for r in recs)
    assert [r["minutes"] for r in recs] == sorted(r["minutes"] for r in recs)
    chosen = recs[0]["team_id"]
    commit = {"team_ids": [chosen], "client_key": key()}
    r = town.post(f"/api/v1/incidents/{incident}/dispatch/teams", json=commit)
    assert r.status_code == 201, r.text
    assert r.json()["dispatched"][0]["reason"].startswith("森林灭火")
    assert town.post(f"/api/v1/incidents/{incident}/dispatch/teams", json=commit).status_code == 201
    body = town.get(f"/api/v1/incidents/{incident}/dispatch/teams").json()
    assert [d["team_id"] for d in body["dispatched"]] == [chosen]
    assert chosen not in [x["team_id"] for x in body["recommendations"]]
    assert (
        api("viewer")
        .post(f"/api/v1/incidents/{incident}/dispatch/teams", json=commit | {"client_key": key()})
        .status_code
        == 403
    )
    assert api("town_b").get(f"/api/v1/incidents/{incident}/dispatch/teams").status_code == 404
    r = town.get(f"/api/v1/incidents/{incident}/dispatch/teams", params={"capabilities": "teleport"})
    assert r.status_code == 422
    near = town.get(
        "/api/v1/forces/nearest", params={"lon": lon, "lat": lat, "capabilities": "medical"}
    ).json()
    assert all("medical" in t["capabilities"] for t in near["teams"])


def test_two_dispatchers_racing_for_one_team_only_one_wins(small):
    import threading

    db, ids, incident = small
    with db.writing(Actor.system("tests")) as session:  # make sure the team is on call again
        team = session.get(Team, ids["fire_1km"])
        if team.readiness != "on_call":
            readiness.change(session, Principal.system(), team.id, ReadinessIn(state="on_call"))
    results: list[str] = []

    def send() -> None:
        try:
            with db.writing(Actor.system("tests")) as session:
                team_dispatch.commit(
                    session,
                    Principal.system(),
                    incident,
                    DispatchIn(team_ids=[ids["fire_1km"]], client_key=key()),
                )
            results.append("sent")
        except Conflict:
            results.append("conflict")

    threads = [threading.Thread(target=send) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["conflict"] * 5 + ["sent"]
    with db.reading() as session:
        sent = session.scalars(
            select(TeamDispatch).where(
                TeamDispatch.team_id == ids["fire_1km"], TeamDispatch.state == "dispatched"
            )
        ).all()
    assert len(sent) == 1


def test_reasons_follow_the_language_and_closed_incidents_take_no_teams(small):
    db, ids, _ = small
    team = index.Candidate(
        1, "x", "social", "520602001", "on_call", 20.6, 9.8, True, 9, ("flood_rescue", "water_rescue")
    )
    assert (
        team_dispatch.reason_text(team, "en")
        == "Flood fighting, Water rescue · On call · about 21 min by road · 9 people"
    )
    assert team_dispatch.reason_text(team, "zh_CN") == "防汛抢险、水域救援 · 备勤 · 沿路约 21 分钟 · 9 人"
    closed = new_incident(db, "520602001", lon=LON, lat=LAT, status="closed")
    with db.writing(Actor.system("tests")) as session, pytest.raises(Conflict):
        team_dispatch.commit(
            session, Principal.system(), closed, DispatchIn(team_ids=[ids["fire_1km"]], client_key=key())
        )
    nowhere = new_incident(db, "520602001", lon=None, lat=None)
    with db.reading() as session:  # no coordinates: the label point of its place
        assert team_dispatch.incident_point(session, session.get(Incident, nowhere)) == (LON, LAT)
