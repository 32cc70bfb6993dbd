"""Teams, members and equipment through the API: validation, scope, the team leader's own team, audit."""

from __future__ import annotations

from sqlalchemy import select

from tests.forces.helpers import add_members, code, new_team
from yingji.auth.models import AuditEntry, User
from yingji.forces.models import Team, TeamMember


def test_register_a_team_with_defaults_and_audit(api, city):
    town = api("town")
    team = new_team(town, city.village_a, name="测试村应急救援队")
    assert team["readiness"] == "on_call" and team["member_count"] == 0
    assert team["capabilities"] == ["flood_rescue", "forest_fire", "evacuation"]  # the kind's, in code order
    assert team["lon"] is not None  # placed at the village's label point
    assert team["kind_label"] == "村级应急救援队"
    history = town.get(f"/api/v1/forces/teams/{team['id']}/readiness").json()
    assert [h["to_state"] for h in history] == ["on_call"]
    with city.db.reading() as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.entity == "teams", AuditEntry.entity_id == str(team["id"]))
        ).all()
    assert [e.action for e in entries] == ["create"] and entries[0].actor == "town"


def test_bad_input_and_duplicates_are_clear_errors(api, city):
    town = api("town")
    r = town.post(
        "/api/v1/forces/teams",
        json={
            "code": "x y",
            "name": "",
            "kind": "army",
            "jurisdiction_code": "12",
            "capabilities": ["flying"],
        },
    )
    assert r.status_code == 422
    fields = {d["field"] for d in r.json()["error"]["details"]}
    assert {"code", "name", "kind", "capabilities"} <= fields
    team = new_team(town, city.town_a)
    r = town.post(
        "/api/v1/forces/teams",
        json={"code": team["code"], "name": "重复", "kind": "social", "jurisdiction_code": city.town_a},
    )
    assert r.status_code == 409 and r.json()["error"]["message"].startswith("队伍编码")


def test_scope_hides_and_forbids(api, city):
    team = new_team(api("town"), city.town_a)
    other = api("town_b")
    assert other.get(f"/api/v1/forces/teams/{team['id']}").status_code == 404
    assert other.patch(f"/api/v1/forces/teams/{team['id']}", json={"name": "改"}).status_code == 404
    r = other.post(
        "/api/v1/forces/teams",
        json={"code": code(), "name": "越界", "kind": "social", "jurisdiction_code": city.town_a},
    )
    assert r.status_code == 403 and r.json()["error"]["code"] == "out_of_jurisdiction"
    assert api("viewer").patch(f"/api/v1/forces/teams/{team['id']}", json={"name": "改"}).status_code == 403
    listed = other.get("/api/v1/forces/teams", params={"q": team["code"]}).json()
    assert listed["total"] == 0
    assert api("county").get("/api/v1/forces/teams", params={"q": team["code"]}).json()["total"] == 1
    assert other.get("/api/v1/forces/teams", params={"within": city.town_a}).status_code == 404


def test_members_keep_the_count_and_one_leader(api, city):
    town = api("town")
    team = new_team(town, city.town_a, kind="town_brigade")
    first, second = add_members(town, team["id"], 2)
    r = town.post(
        f"/api/v1/forces/teams/{team['id']}/members",
        json={
            "name": "李队长",
            "mobile": "13900001111",
            "role": "leader",
            "squad": "flood",
            "certificates": [{"name": "急救员证", "expires_on": "2030-01-01"}],
        },
    )
    assert r.status_code == 201, r.text
    leader = r.json()
    assert leader["certificates"][0]["name"] == "急救员证"
    r = town.post(
        f"/api/v1/forces/teams/{team['id']}/members", json={"name": "重号", "mobile": "13900001111"}
    )
    assert r.status_code == 409
    assert town.patch(f"/api/v1/forces/members/{first['id']}", json={"role": "leader"}).status_code == 200
    body = town.get(f"/api/v1/forces/teams/{team['id']}").json()
    assert body["member_count"] == 3 and body["leader"]["id"] == first["id"]
    assert [m["role"] for m in body["members"]].count("leader") == 1
    assert town.delete(f"/api/v1/forces/members/{second['id']}").status_code == 204
    assert town.get(f"/api/v1/forces/teams/{team['id']}").json()["member_count"] == 2
    r = town.patch(f"/api/v1/forces/members/{leader['id']}", json={"certificates": []})
    assert r.status_code == 200 and r.json()["certificates"] == []
    r = town.post(f"/api/v1/forces/teams/{team['id']}/members", json={"name": "错", "squad": "navy"})
    assert r.status_code == 422


def test_phone_numbers_are_masked_for_viewers(api, city):
    team = new_team(api("town"), city.town_a)
    add_members(api("town"), team["id"], 1, mobile="13912345678")
    seen = api("viewer").get(f"/api/v1/forces/teams/{team['id']}").json()
    assert seen["members"][0]["mobile"] == "139****5678"
    assert (
        api("county").get(f"/api/v1/forces/teams/{team['id']}").json()["members"][0]["mobile"]
        == "13912345678"
    )


def test_a_team_leader_manages_only_their_own_team(api, city):
    with city.db.reading() as session:
        person = session.scalar(select(User.person_id).where(User.username == "teamleader"))
        own = session.scalar(
            select(TeamMember.team_id).where(TeamMember.person_id == person, TeamMember.role == "leader")
        )
        assert own is not None  # the demo ties the login to their town's brigade
    leader = api("teamleader")
    r = leader.post(
        f"/api/v1/forces/teams/{own}/equipment",
        json={"category": "equipment", "name": "冲锋舟", "quantity": 2},
    )
    assert r.status_code == 201
    item = r.json()
    changed = {"category": "equipment", "name": "冲锋舟", "quantity": 3, "state": "repair"}
    assert leader.put(f"/api/v1/forces/equipment/{item['id']}", json=changed).json()["quantity"] == 3
    assert leader.delete(f"/api/v1/forces/equipment/{item['id']}").status_code == 204
    neighbour = new_team(api("town"), city.town_a)
    assert leader.get(f"/api/v1/forces/teams/{neighbour['id']}").status_code == 200  # may see it
    r = leader.patch(f"/api/v1/forces/teams/{neighbour['id']}", json={"name": "改名"})
    assert r.status_code == 403
    r = leader.post(
        "/api/v1/forces/teams",
        json={"code": code(), "name": "自建", "kind": "social", "jurisdiction_code": city.town_a},
    )
    assert r.status_code == 403
    assert leader.patch(f"/api/v1/forces/teams/{own}", json={"note": "队长更新"}).status_code == 200


def test_search_filters(api, city):
    town = api("town")
    team = new_team(town, city.village_a, kind="social", name="筛选蓝天救援队", capabilities=["hazmat"])
    found = town.get(
        "/api/v1/forces/teams",
        params={"q": "筛选蓝天", "group": "social", "capability": "hazmat", "readiness": "on_call"},
    ).json()
    assert [t["id"] for t in found["items"]] == [team["id"]]
    assert town.get("/api/v1/forces/teams", params={"readiness": "asleep"}).status_code == 422
    assert town.get("/api/v1/forces/teams", params={"capability": "teleport"}).status_code == 422
    fire = new_team(town, city.village_a, kind="social", name="筛选林火队", capabilities=["forest_fire"])
    found = town.get("/api/v1/forces/teams", params={"q": "筛选林火", "capability": "fire"}).json()
    assert fire["id"] not in [t["id"] for t in found["items"]]  # "fire" is not "forest_fire"
    with city.db.reading() as session:
        assert session.get(Team, team["id"]).capabilities == "hazmat"


def test_concurrent_member_additions_keep_the_count_right(api, city):
    import threading

    from yingji.auth.scope import Principal
    from yingji.core.db import Actor
    from yingji.forces import members
    from yingji.forces.schemas import MemberIn

    team_id = new_team(api("town"), city.town_a)["id"]
    principal = Principal.system(city.town_a)
    errors: list[BaseException] = []

    def add(i: int) -> None:
        try:
            with city.db.writing(Actor.system("tests")) as session:
                members.add(session, principal, team_id, MemberIn(name=f"并发{i}", mobile=f"1350000{i:04d}"))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=add, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with city.db.reading() as session:
        team = session.get(Team, team_id)
        rows = session.scalars(select(TeamMember.id).where(TeamMember.team_id == team_id)).all()
    assert team.member_count == len(rows) == 12
