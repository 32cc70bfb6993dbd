"""Programmes: created in scope by their managers, moved only along PROGRAMME_MOVES (409 else), the
winter–spring survey deadline from the rules and its overdue mark; the survey by the village, the
verification by the town, removal with the reason; ID numbers never kept whole."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from tests.aid.helpers import new_programme, survey
from yingji.aid import labels
from yingji.aid.models import AidProgramme, AidRecipient
from yingji.auth.models import AuditEntry
from yingji.core.db import Actor


def test_create_in_scope_with_survey_due_from_the_rule(city, api):
    p = new_programme(api, city)
    assert p["state"] == "survey" and p["state_label"] == "需求调查"
    assert p["survey_due"] == "2026-10-31" and p["kind_label"] == "冬春生活救助"
    assert set(p["moves"]) == {"listing"}
    assert labels.rules()["winter_spring_survey"]["article"] == "第二十一条"
    # a town officer makes one for their own town, not for the county; a viewer not at all
    r = api("town").post(
        "/api/v1/aid/programmes",
        json={"title": "x", "kind": "emergency", "jurisdiction_code": city.county_a},
    )
    assert r.status_code == 403
    r = api("town").post(
        "/api/v1/aid/programmes",
        json={"title": "乡镇应急生活救助", "kind": "emergency", "jurisdiction_code": city.town_a},
    )
    assert r.status_code == 201 and r.json()["survey_due"] is None
    town_programme = r.json()["id"]
    assert (
        api("viewer")
        .post(
            "/api/v1/aid/programmes",
            json={"title": "x", "kind": "emergency", "jurisdiction_code": city.town_a},
        )
        .status_code
        == 403
    )
    # a village is not a programme's place; a neighbouring town's officer does not see it
    r = api("county").post(
        "/api/v1/aid/programmes", json={"title": "x", "kind": "drought", "jurisdiction_code": city.village_a}
    )
    assert r.status_code == 422 and r.json()["error"]["message"]
    assert api("town_b").get(f"/api/v1/aid/programmes/{town_programme}").status_code == 404
    # the county's programme is seen from its towns and villages (each works on its own households)
    assert api("town_b").get(f"/api/v1/aid/programmes/{p['id']}").status_code == 200
    assert api("gridleader").get(f"/api/v1/aid/programmes/{p['id']}").status_code == 200


def test_overdue_survey_is_shown(city, api, clock):
    p = new_programme(api, city, season="2020-2021")
    assert p["survey_due"] == "2020-10-31" and p["survey_overdue"] is True
    listed = api("county").get("/api/v1/aid/programmes?kind=winter_spring").json()["items"]
    assert any(x["id"] == p["id"] and x["survey_overdue"] for x in listed)


def test_moves_follow_the_table(city, api):
    p = new_programme(api, city)
    county = api("county")
    for bad in ("approved", "distributing", "closed", "notice"):
        r = county.post(f"/api/v1/aid/programmes/{p['id']}/move", json={"to": bad})
        assert r.status_code == 409, (bad, r.text)
        assert r.json()["error"]["message"] and r.json()["error"]["message_en"]
    assert county.post(f"/api/v1/aid/programmes/{p['id']}/move", json={"to": "listing"}).status_code == 200
    # nothing listed: no notice
    r = county.post(f"/api/v1/aid/programmes/{p['id']}/move", json={"to": "notice"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "nothing_listed"
    assert county.post(f"/api/v1/aid/programmes/{p['id']}/move", json={"to": "survey"}).status_code == 200
    # the village cannot move a programme
    r = api("gridleader").post(f"/api/v1/aid/programmes/{p['id']}/move", json={"to": "listing"})
    assert r.status_code == 403


def test_village_surveys_town_verifies_removal_needs_reason(city, api):
    p = new_programme(api, city)
    leader = api("gridleader")
    r = survey(leader, p["id"], city.village_a, id_number="52060219800101103X")
    assert r["state"] == "surveyed" and r["head_id_tail"] == "103X" and r["needs_label"] == "口粮、取暖"
    with city.db.reading() as session:
        row = session.get(AidRecipient, r["id"])
        assert row.head_id_hash and len(row.head_id_hash) == 64 and "1980" not in row.head_id_hash
        entries = session.scalars(select(AuditEntry.after).where(AuditEntry.entity == "aid_recipients")).all()
        assert not any("52060219800101103X" in str(a) for a in entries)
    # the same person again (same ID number) is refused
    again = leader.post(
        f"/api/v1/aid/programmes/{p['id']}/recipients",
        json={"jurisdiction_code": city.village_a, "head_name": "别名", "id_number": "52060219800101103x"},
    )
    assert again.status_code == 409
    # a grid worker has no part in aid; a village outside one's own is 403
    assert api("gridworker").post(
        f"/api/v1/aid/programmes/{p['id']}/recipients",
        json={"jurisdiction_code": city.village_a, "head_name": "某某"},
    ).status_code in (403, 404)
    # a bad family type or need is a bilingual 422
    bad = leader.post(
        f"/api/v1/aid/programmes/{p['id']}/recipients",
        json={"jurisdiction_code": city.village_a, "head_name": "某某", "needs": {"yachts": "1"}},
    )
    assert bad.status_code == 422
    # the village cannot verify; the town can
    assert (
        leader.post(f"/api/v1/aid/programmes/{p['id']}/verify", json={"recipient_ids": [r["id"]]}).status_code
        == 403
    )
    v = api("town").post(f"/api/v1/aid/programmes/{p['id']}/verify", json={"village": city.village_a})
    assert v.status_code == 200 and v.json()["verified"] >= 1
    gone = api("town").post(f"/api/v1/aid/recipients/{r['id']}/remove", json={"reason": "家庭收入已超过标准"})
    assert (
        gone.status_code == 200
        and gone.json()["state"] == "removed"
        and gone.json()["state_label"] == "已移出"
    )
    assert (
        api("town").post(f"/api/v1/aid/recipients/{r['id']}/remove", json={"reason": ""}).status_code == 422
    )


def test_household_from_the_resident_registry(city, api):
    from yingji.residents.models import Resident

    with city.db.reading() as session:
        resident = session.scalar(
            select(Resident)
            .where(Resident.village_code == city.village_a, Resident.active.is_(True))
            .limit(1)
        )
    if resident is None:
        return
    p = new_programme(api, city)
    r = api("gridleader").post(
        f"/api/v1/aid/programmes/{p['id']}/recipients", json={"resident_id": resident.id, "people_in_need": 1}
    )
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["household"] == resident.household and out["jurisdiction_code"] == resident.jurisdiction_code
    assert out["family_size"] >= 1
    dup = api("gridleader").post(
        f"/api/v1/aid/programmes/{p['id']}/recipients", json={"resident_id": resident.id}
    )
    assert dup.status_code == 409


def test_programme_state_is_audited(city, api):
    p = new_programme(api, city)
    api("county").post(f"/api/v1/aid/programmes/{p['id']}/move", json={"to": "listing"})
    with city.db.reading() as session:
        actions = session.scalars(
            select(AuditEntry.action).where(
                AuditEntry.entity == "aid_programmes", AuditEntry.entity_id == str(p["id"])
            )
        ).all()
    assert "create" in actions and "move" in actions
    with city.db.writing(Actor.system("tests")) as session:
        assert session.get(AidProgramme, p["id"]).survey_due == date(2026, 10, 31)
