"""Hand-over rules: only the owner (or a manager of the place, recorded as such) hands over, only to a
named person who may act on the item; the new owner sees it at once; everything audited; nobody sees
or changes another jurisdiction's items."""

from __future__ import annotations

from sqlalchemy import select

from tests.incidents.conftest import point_in
from tests.ownership.conftest import handovers_of, owned_rows, user_id
from yingji.auth.models import AuditEntry
from yingji.notify.models import InboxMessage


def _town_incident(city, api) -> tuple[int, int]:
    lon, lat = point_in(city.db, city.village_a)
    r = api("town").post("/api/v1/incidents", json={"category": "accident.fire", "lon": lon, "lat": lat})
    assert r.status_code == 201, r.text
    return r.json()["id"], r.json()["owner"]["id"]


def test_only_the_owner_hands_over_to_a_named_person_who_may_act_on_it(city, api, people):
    incident_id, owned_id = _town_incident(city, api)
    town, colleague = api("town"), api(people["colleague"])
    colleague_id, town_id = user_id(city.db, people["colleague"]), user_id(city.db, "town")
    url = f"/api/v1/ownership/owned/{owned_id}/handover"

    # a colleague of the same desk is not the owner and no manager
    r = colleague.post(url, json={"to_user_id": colleague_id})
    assert r.status_code == 403 and r.json()["error"]["code"] == "not_owner"
    assert "只有" in r.json()["error"]["message"] and "owner" in r.json()["error"]["message_en"]
    # to someone outside the place, or without the permission to handle incidents
    r = town.post(url, json={"to_user_id": user_id(city.db, "town_b")})
    assert r.status_code == 403 and r.json()["error"]["code"] == "owner_target_not_eligible"
    r = town.post(url, json={"to_user_id": user_id(city.db, people["town_viewer"])})
    assert r.status_code == 403 and r.json()["error"]["code"] == "owner_target_not_eligible"
    assert town.post(url, json={"to_user_id": 10**9}).status_code == 422  # nobody
    assert town.post(url, json={"to_user_id": town_id}).status_code == 409  # already theirs
    assert (
        town.post(url, json={"to_user_id": colleague_id, "expected_owner_id": colleague_id}).status_code
        == 409
    )
    assert handovers_of(city.db, owned_id) == []

    # the candidates the form offers: the desk's people who may take it
    names = {c["id"] for c in town.get(f"/api/v1/ownership/owned/{owned_id}/candidates").json()}
    assert (
        colleague_id in names
        and town_id not in names
        and user_id(city.db, people["town_viewer"]) not in names
    )

    r = town.post(url, json={"to_user_id": colleague_id, "note": "夜班接手", "expected_owner_id": town_id})
    assert r.status_code == 201, r.text
    entry = r.json()
    assert (entry["from_name"], entry["to_user_id"], entry["as_manager"]) == (
        owned_rows(city.db, "incident", incident_id)[0].first_name,
        colleague_id,
        False,
    )
    row = owned_rows(city.db, "incident", incident_id)[0]
    assert row.owner_user_id == colleague_id and row.first_user_id == town_id and row.handovers == 1
    # the new owner sees it at once: in their list (not yet accepted), in their inbox, on the incident
    mine = colleague.get("/api/v1/ownership/mine").json()
    assert owned_id in [i["id"] for i in mine["items"]] and entry["id"] in [p["id"] for p in mine["pending"]]
    assert owned_id not in [i["id"] for i in town.get("/api/v1/ownership/mine").json()["items"]]
    assert town.get(f"/api/v1/incidents/{incident_id}").json()["owner"]["owner_user_id"] == colleague_id
    with city.db.reading() as session:
        assert session.scalar(
            select(InboxMessage.id).where(
                InboxMessage.user_id == colleague_id,
                InboxMessage.dedupe_key == f"owner-handover:{entry['id']}",
            )
        )
        audited = session.scalars(
            select(AuditEntry.entity)
            .where(AuditEntry.entity.in_(["owner_handovers", "owned_items"]))
            .where(AuditEntry.entity_id.in_([str(entry["id"]), str(owned_id)]))
        ).all()
        assert {"owner_handovers", "owned_items"} <= set(audited)
    # the old owner may no longer hand it on; only the addressee accepts
    assert town.post(url, json={"to_user_id": town_id}).status_code == 403
    accept = f"/api/v1/ownership/handovers/{entry['id']}/accept"
    assert town.post(accept).status_code == 403
    assert colleague.post(accept).json()["accepted_at"] is not None
    assert colleague.get("/api/v1/ownership/mine").json()["pending"] == []
    history = town.get(f"/api/v1/ownership/incident/{incident_id}").json()
    assert [h["to_user_id"] for h in history[0]["history"]] == [colleague_id]


def test_a_manager_of_the_place_may_hand_over_and_is_recorded_as_such(city, api, people):
    _incident_id, owned_id = _town_incident(city, api)
    county = api("county")  # a county officer holds OWNER_REASSIGN over the town
    r = county.post(
        f"/api/v1/ownership/owned/{owned_id}/handover",
        json={"to_user_id": user_id(city.db, people["colleague"])},
    )
    assert r.status_code == 201, r.text
    assert r.json()["as_manager"] is True and r.json()["from_name"] != r.json()["by_name"]
    with city.db.reading() as session:
        notes = session.scalars(
            select(AuditEntry.note).where(
                AuditEntry.action == "reassign",
                AuditEntry.entity == "owned_items",
                AuditEntry.entity_id == str(owned_id),
            )
        ).all()
    assert notes and "manager" in notes[0]


def test_other_jurisdictions_neither_see_nor_change_an_owner(city, api, people):
    incident_id, owned_id = _town_incident(city, api)
    other = api("town_b")
    assert other.get(f"/api/v1/ownership/incident/{incident_id}").status_code == 404
    assert other.get(f"/api/v1/ownership/owned/{owned_id}/candidates").status_code == 404
    r = other.post(
        f"/api/v1/ownership/owned/{owned_id}/handover", json={"to_user_id": user_id(city.db, "town_b")}
    )
    assert r.status_code == 404
    assert owned_id not in [i["id"] for i in other.get("/api/v1/ownership/mine").json()["items"]]
    assert api("town").get(f"/api/v1/ownership/incident/{incident_id}").status_code == 200
    assert api("town").get("/api/v1/ownership/nosuchkind/1").status_code == 404
    assert handovers_of(city.db, owned_id) == []


def test_a_closed_item_keeps_its_owner_and_is_not_handed_over(city, api, people):
    duty = api("duty")
    call = duty.post("/api/v1/duty/calls", json={"summary": "咨询", "outcome": "advised"}).json()
    assert call["owner"]["owner_user_id"] == user_id(city.db, "duty")  # settled at once, still owned
    r = duty.post(
        f"/api/v1/ownership/owned/{call['owner']['id']}/handover",
        json={"to_user_id": user_id(city.db, people["duty2"])},
    )
    assert r.status_code == 409 and r.json()["error"]["code"] == "owner_item_closed"
