"""Reports into a process: bad figures refused with bilingual errors, idempotent by client key, sent
up and decided by the level above only, accepted figures in force with a revision for each change,
drops only with an explanation, verification with a required note, scope."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from tests.damage.helpers import accepted, fig, open_event, report
from yingji.damage.models import DamageRevision, DamageValue


def test_bad_figures_are_refused_in_both_languages(city, api):
    ev = open_event(api, city.county_a)
    town = api("town")
    r = report(town, ev["id"], "continued", city.town_a, [fig(city.town_a, "no_such_thing", 3)])
    assert r.status_code == 422
    assert "未知" in r.json()["error"]["details"][0]["message"] or "no_such_thing" in r.text
    r = report(town, ev["id"], "continued", city.town_a, [fig(city.town_a, "relocated", 10, 20)])
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["details"][0]["field"] == "figures[0].cumulative"
    assert "紧急转移安置人口" in err["details"][0]["message"]
    r = town.post(
        f"/api/v1/damage/events/{ev['id']}/reports",
        json={
            "kind": "continued",
            "jurisdiction_code": city.town_a,
            "figures": [fig(city.town_a, "deaths", 1, 1)],
        },
    )
    assert r.status_code == 422  # 因灾死亡人口 has no 实时 value
    r = report(town, ev["id"], "continued", city.town_a, [fig(city.town_b, "deaths", 1)])
    assert r.status_code == 422  # a figure of another town
    r = report(town, ev["id"], "continued", city.town_a, [fig(city.town_a, "deaths", -1)])
    assert r.status_code == 422
    r = report(api("town_b"), ev["id"], "continued", city.town_a, [])
    assert r.status_code == 403
    en = town.post(
        f"/api/v1/damage/events/{ev['id']}/reports",
        headers={"Accept-Language": "en"},
        json={
            "kind": "continued",
            "jurisdiction_code": city.town_a,
            "figures": [fig(city.town_a, "relocated", 10, 20)],
        },
    )
    assert en.status_code == 422 and en.json()["error"]["message_en"]


def test_client_key_makes_a_phone_retry_the_same_report(city, api):
    ev = open_event(api, city.county_a)
    key = uuid.uuid4().hex
    body = [fig(city.village_a, "affected_pop", 120), fig(city.village_a, "relocated", 30, 12)]
    first = report(
        api("gridleader"), ev["id"], "continued", city.village_a, body, client_key=key, submit=True
    )
    again = report(
        api("gridleader"), ev["id"], "continued", city.village_a, body, client_key=key, submit=True
    )
    assert first.status_code == 201, first.text
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert first.json()["state"] == "submitted"


def test_level_above_accepts_figures_come_into_force_with_history(city, api):
    ev = open_event(api, city.county_a)
    r = report(
        api("gridleader"),
        ev["id"],
        "continued",
        city.village_a,
        [fig(city.village_a, "affected_pop", 200), fig(city.village_a, "relocated", 50, 40)],
        submit=True,
    )
    rid = r.json()["id"]
    # The village itself, another town and a viewer cannot decide; the town above can.
    assert (
        api("gridleader").post(f"/api/v1/damage/reports/{rid}/decision", json={"accept": True}).status_code
        == 403
    )
    assert (
        api("town_b").post(f"/api/v1/damage/reports/{rid}/decision", json={"accept": True}).status_code == 404
    )
    back = api("town").post(f"/api/v1/damage/reports/{rid}/decision", json={"accept": False})
    assert back.status_code == 422  # a return needs its reason
    ok = api("town").post(f"/api/v1/damage/reports/{rid}/decision", json={"accept": True})
    assert ok.status_code == 200 and ok.json()["state"] == "accepted"
    again = api("town").post(f"/api/v1/damage/reports/{rid}/decision", json={"accept": True})
    assert again.status_code == 409
    with city.db.reading() as session:
        values = {
            v.indicator: v
            for v in session.scalars(select(DamageValue).where(DamageValue.event_id == ev["id"]))
        }
        revs = session.scalars(select(DamageRevision).where(DamageRevision.event_id == ev["id"])).all()
    assert values["affected_pop"].cumulative == 200 and values["relocated"].current == 40
    assert len(revs) == 2 and all(r.report_id == rid for r in revs)

    # A drop without an explanation is refused at sending; with one it goes through, and is kept.
    drop = [fig(city.village_a, "affected_pop", 150)]
    r = report(api("gridleader"), ev["id"], "continued", city.village_a, drop, submit=True)
    assert r.status_code == 422
    assert "150" in r.json()["error"]["details"][0]["message"]
    accepted(api, ev["id"], "continued", city.village_a, drop, decider="town", explanation="重复统计已剔除")
    hist = api("county").get(f"/api/v1/damage/events/{ev['id']}/history?indicator=affected_pop").json()
    assert [(h["old_cumulative"], h["new_cumulative"]) for h in hist] == [(200, 150), (None, 200)]
    assert hist[0]["note"] == "重复统计已剔除"
    # The 实时 value may fall without a note (people go home).
    accepted(
        api, ev["id"], "continued", city.village_a, [fig(city.village_a, "relocated", 50, 5)], decider="town"
    )


def test_verification_needs_a_note_and_the_permission(city, api):
    ev = open_event(api, city.county_a)
    accepted(api, ev["id"], "initial", city.county_a, [fig(city.town_a, "collapsed_rooms", 12)])
    url = f"/api/v1/damage/events/{ev['id']}/verify"
    body = {"jurisdiction_code": city.town_a, "indicator": "collapsed_rooms", "cumulative": 9}
    assert api("county").post(url, json=body).status_code == 422  # no note
    assert api("town").post(url, json=body | {"note": "核查"}).status_code == 403
    r = api("county").post(url, json=body | {"note": "入户核查, 3 间为重复统计"})
    assert r.status_code == 200, r.text
    assert r.json()["verification"] and r.json()["old_cumulative"] == 12 and r.json()["new_cumulative"] == 9
    bad = api("county").post(
        url,
        json={
            "jurisdiction_code": city.town_a,
            "indicator": "relocated",
            "cumulative": 1,
            "current": 5,
            "note": "核查",
        },
    )
    assert bad.status_code == 422


def test_process_scope_and_state_moves(city, api):
    ev = open_event(api, city.county_a)
    assert api("town").get(f"/api/v1/damage/events/{ev['id']}").status_code == 200  # inside the county
    other = api("county").post(
        "/api/v1/damage/events",
        json={
            "name": "x",
            "hazard": "landslide",
            "jurisdiction_code": city.county_b,
            "occurred_at": "2026-01-01T00:00:00+08:00",
        },
    )
    assert other.status_code == 403
    assert (
        api("county")
        .post(
            "/api/v1/damage/events",
            json={
                "name": "x",
                "hazard": "volcano",
                "jurisdiction_code": city.county_a,
                "occurred_at": "2026-01-01T00:00:00+08:00",
            },
        )
        .status_code
        == 422
    )
    assert (
        api("county")
        .post(
            "/api/v1/damage/events",
            json={
                "name": "x",
                "hazard": "flood",
                "jurisdiction_code": city.town_a,
                "occurred_at": "2026-01-01T00:00:00+08:00",
            },
        )
        .status_code
        == 422
    )
    s = api("county").post(f"/api/v1/damage/events/{ev['id']}/state", json={"state": "stable"})
    assert s.status_code == 200 and s.json()["state"] == "stable"
    finals = [
        r
        for r in api("county").get(f"/api/v1/damage/events/{ev['id']}/reports").json()
        if r["kind"] == "final"
    ]
    assert finals and finals[0]["due_at"]
    assert (
        api("county").post(f"/api/v1/damage/events/{ev['id']}/state", json={"state": "closed"}).status_code
        == 409
    )


def test_named_lists(city, api):
    ev = open_event(api, city.county_a)
    url = f"/api/v1/damage/events/{ev['id']}/houses"
    body = {
        "jurisdiction_code": city.village_a,
        "household": "H1",
        "head_name": "杨某",
        "degree": "collapsed",
        "rooms": 3,
    }
    assert api("gridleader").post(url, json=body).status_code == 201
    assert api("gridleader").post(url, json=body).status_code == 409
    assert api("gridleader").post(url, json=body | {"household": "H2", "degree": "gone"}).status_code == 422
    assert api("town_b").post(url, json=body | {"household": "H3"}).status_code == 403
    rows = api("county").get(url).json()
    assert rows[0]["degree_label"] == "倒塌"
    c = api("gridleader").post(
        f"/api/v1/damage/events/{ev['id']}/casualties",
        json={"kind": "missing", "name": "龙某", "jurisdiction_code": city.village_a},
    )
    assert c.status_code == 201
    assert api("town_b").get(f"/api/v1/damage/events/{ev['id']}/casualties").status_code == 200
    assert api("town_b").get(f"/api/v1/damage/events/{ev['id']}/casualties").json() == []


def _png(seed: int) -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (seed * 40 % 256, 80, 120)).save(buf, "PNG")
    return buf.getvalue()


def test_photos_required_when_a_response_was_launched(city, api):
    ev = open_event(api, city.county_a, response_launched=True)
    county = api("county")
    r = report(county, ev["id"], "initial", city.county_a, [fig(city.town_a, "affected_pop", 10)])
    assert r.status_code == 201 and r.json()["state"] == "draft"
    rid = r.json()["id"]
    refused = county.post(f"/api/v1/damage/reports/{rid}/submit")
    assert refused.status_code == 422 and "3" in refused.json()["error"]["details"][0]["message"]
    bad = county.post(f"/api/v1/damage/reports/{rid}/photos", files={"file": ("x.png", b"not an image")})
    assert bad.status_code == 422
    for i in range(3):
        up = county.post(f"/api/v1/damage/reports/{rid}/photos", files={"file": (f"{i}.png", _png(i))})
        assert up.status_code == 201, up.text
    same = county.post(f"/api/v1/damage/reports/{rid}/photos", files={"file": ("0.png", _png(0))})
    assert same.status_code == 201 and same.json()["id"] == up.json()["id"] - 2  # the same photo is one row
    assert (
        api("town_b")
        .post(f"/api/v1/damage/reports/{rid}/photos", files={"file": ("y.png", _png(7))})
        .status_code
        == 403
    )
    ok = county.post(f"/api/v1/damage/reports/{rid}/submit")
    assert ok.status_code == 200 and ok.json()["photos"] == 3
    photo = county.get(f"/api/v1/damage/photos/{up.json()['id']}")
    assert photo.status_code == 200 and photo.headers["content-type"] == "image/png"
