"""Readiness API: the table and one card in scope, confirmations by hand (who may, what is refused,
an override shown as such, a document needed where the item says so), the HQ meetings with their
follow-ups (closed by the owner or a manager), and the share for the assessment."""

from __future__ import annotations

import io
import uuid
from datetime import date

from PIL import Image

from yingji.core import clock
from yingji.readiness.demo import _PDF


def _item(card: dict, ref: str) -> dict:
    return next(i for i in card["items"] if i["ref"] == ref)


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buf, "PNG")
    return buf.getvalue()


def test_table_and_card_in_scope(city, api):
    county = api("county")
    r = county.get("/api/v1/readiness/scorecards", params={"level": "town", "sort": "-score", "size": 500})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total"] == len(body["items"]) > 0
    assert all(c["level"] == "town" and c["code"].startswith(city.county_a) for c in body["items"])
    scores = [c["score"] for c in body["items"]]
    assert scores == sorted(scores, reverse=True)
    lacking = next(c for c in body["items"] if c["missing"])
    assert all(isinstance(m, str) and m for m in lacking["missing"])
    card = county.get(f"/api/v1/readiness/scorecards/{city.town_a}").json()
    assert card["total"] == len(card["items"]) and card["met"] == sum(i["met"] for i in card["items"])
    assert all(i["source"].startswith(("临湘市", "铜仁市")) for i in card["items"])  # the seeds, named
    brigade = _item(card, "town_863.rescue_brigade")
    assert [r["key"] for r in brigade["rules"]] == ["town_brigade", "village_teams"]
    # outside the user's area: 404, for the card and for narrowing the table
    assert county.get(f"/api/v1/readiness/scorecards/{city.town_other_county}").status_code == 404
    assert county.get("/api/v1/readiness/scorecards", params={"within": city.county_b}).status_code == 404
    assert county.get("/api/v1/readiness/scorecards/52060").status_code in (404, 422)
    geo = county.get("/api/v1/readiness/map", params={"within": city.town_a}).json()
    assert geo["features"] and all(f["properties"]["code"].startswith(city.town_a) for f in geo["features"])
    models = county.get("/api/v1/readiness/models").json()
    assert {m["key"] for m in models} == {"town_863", "town_6you", "village_5you", "village_863"}


def test_confirm_by_hand_who_and_what(city, api):
    town, other, grid = api("town"), api("town_b"), api("gridleader")
    ref = "town_863.net_warning"
    body = {"jurisdiction_code": city.town_a, "item": ref, "note": "村村响广播全覆盖，村民微信群已建"}
    own = {"jurisdiction_code": city.village_a, "item": "village_5you.premises", "note": "村委会一楼"}
    assert grid.post("/api/v1/readiness/confirmations", json=own).status_code == 403  # no permission
    assert grid.post("/api/v1/readiness/confirmations", json=body).status_code == 404  # above their area
    assert other.post("/api/v1/readiness/confirmations", json=body).status_code in (403, 404)
    bad = town.post("/api/v1/readiness/confirmations", json=body | {"item": "village_5you.premises"})
    assert bad.status_code == 422
    r = town.post("/api/v1/readiness/confirmations", json=body)
    assert r.status_code == 201, r.text
    conf = r.json()
    year = clock.now().astimezone(clock.LOCAL_TZ).year
    assert conf["confirmed_by"] and conf["expires_on"] == f"{year}-12-31"
    item = _item(town.get(f"/api/v1/readiness/scorecards/{city.town_a}").json(), ref)
    assert item["state"] == "confirmed" and item["confirmation"]["id"] == conf["id"]
    # withdrawn: the item is missing again
    assert town.post(f"/api/v1/readiness/confirmations/{conf['id']}/withdraw").status_code == 200
    item = _item(town.get(f"/api/v1/readiness/scorecards/{city.town_a}").json(), ref)
    assert item["state"] == "missing" and item["missing"]


def test_computed_items_are_not_overridden_silently(city, api):
    county = api("county")
    card = county.get(f"/api/v1/readiness/scorecards/{city.town_a}").json()
    met = next(i for i in card["items"] if i["state"] == "met" and not i["hand"])
    r = county.post(
        "/api/v1/readiness/confirmations",
        json={"jurisdiction_code": city.town_a, "item": met["ref"], "note": "多余的确认"},
    )
    assert r.status_code == 409
    # a computed item the data say is not met: refused unless confirmed as an override, then shown so
    village_card = county.get(f"/api/v1/readiness/scorecards/{city.village_a}").json()
    unmet = next(
        (i for i in village_card["items"] if any(x["met"] is False for x in i["rules"])), None
    ) or next(i for i in card["items"] if any(x["met"] is False for x in i["rules"]))
    place = city.village_a if unmet in village_card["items"] else city.town_a
    body = {"jurisdiction_code": place, "item": unmet["ref"], "note": "县应急局现场核实：已整改"}
    assert county.post("/api/v1/readiness/confirmations", json=body).status_code == 409
    r = county.post("/api/v1/readiness/confirmations", json=body | {"override": True})
    assert r.status_code == 201 and r.json()["override"] is True
    item = _item(county.get(f"/api/v1/readiness/scorecards/{place}").json(), unmet["ref"])
    assert item["state"] == "override" and item["met"] is True
    county.post(f"/api/v1/readiness/confirmations/{r.json()['id']}/withdraw")


def test_document_needed_where_the_item_says(city, api):
    town = api("town")
    ref = "town_863.hq_document"
    r = town.post(
        "/api/v1/readiness/confirmations",
        json={"jurisdiction_code": city.town_a, "item": ref, "note": "镇党委发文〔2026〕1号"},
    )
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    item = _item(town.get(f"/api/v1/readiness/scorecards/{city.town_a}").json(), ref)
    assert item["state"] == "missing"  # no document yet
    url = f"/api/v1/readiness/confirmations/{cid}/evidence"
    bad = town.post(url, files={"file": ("x.pdf", b"not a pdf", "application/pdf")})
    assert bad.status_code == 422
    up = town.post(url, files={"file": ("通知.pdf", _PDF, "application/pdf")})
    assert up.status_code == 201, up.text
    assert town.get(up.json()["url"]).content == _PDF
    assert api("town_b").get(up.json()["url"]).status_code == 404
    item = _item(town.get(f"/api/v1/readiness/scorecards/{city.town_a}").json(), ref)
    assert item["state"] == "confirmed" and item["confirmation"]["evidence"] == 1


def _meeting(town: str, held: date, **extra) -> dict:
    return {
        "jurisdiction_code": town,
        "held_on": held.isoformat(),
        "title": f"第{(held.month - 1) // 3 + 1}季度应急例会",
        "attendees": "党委书记\n镇长",
        "agenda": "研判安全形势，部署重点工作",
        **extra,
    }


def test_meetings_make_the_quarterly_item_and_followups_close_by_owner(city, api):
    county, grid, town_b = api("county"), api("gridleader"), api("town_b")
    today = clock.now().astimezone(clock.LOCAL_TZ).date()
    current = (today.month - 1) // 3 + 1
    url = "/api/v1/readiness/meetings"
    assert town_b.post(url, json=_meeting(city.town_a, today)).status_code == 404
    assert grid.post(url, json=_meeting(city.town_a, today)).status_code in (403, 404)
    assert county.post(url, json=_meeting(city.village_a[:9] + "000", today)).status_code in (404, 422)
    assert county.post(url, json=_meeting(city.village_a, today)).status_code == 422
    future = date(today.year + 1, 1, 5)
    assert county.post("/api/v1/readiness/meetings", json=_meeting(city.town_b, future)).status_code == 422
    key = uuid.uuid4().hex
    first = None
    for q in range(1, current + 1):
        held = min(date(today.year, 3 * q - 1, 10), today)
        follow = [
            {"text": "排查", "owner_name": "村书记", "owner_username": "gridleader" if q == 1 else None},
            {"text": "补充物资", "owner_name": "副镇长", "due_on": "2000-01-01"},
        ]
        body = _meeting(city.town_a, held, followups=follow, client_key=f"{key}-{q}")
        r = county.post("/api/v1/readiness/meetings", json=body)
        assert r.status_code == 201, r.text
        again = county.post("/api/v1/readiness/meetings", json=body)
        assert again.json()["id"] == r.json()["id"]  # the same client key is the same meeting
        first = first or r.json()
    item = _item(county.get(f"/api/v1/readiness/scorecards/{city.town_a}").json(), "town_863.hq_meetings")
    assert item["state"] == "met"
    mine, theirs = first["followups"]
    assert theirs["overdue"] is True
    r = grid.post(f"/api/v1/readiness/followups/{mine['id']}/state", json={"state": "done", "note": "已完成"})
    assert r.status_code == 200 and r.json()["state"] == "done" and r.json()["closed_by"]
    move = f"/api/v1/readiness/followups/{theirs['id']}/state"
    assert grid.post(move, json={"state": "done"}).status_code == 404
    team = api("teamleader")  # in the town, but neither the owner nor a manager
    assert team.post(move, json={"state": "done"}).status_code == 403
    r = county.post(f"/api/v1/readiness/followups/{theirs['id']}/state", json={"state": "done"})
    assert r.status_code == 200
    listed = county.get("/api/v1/readiness/meetings", params={"within": city.town_a}).json()
    assert any(m["id"] == first["id"] for m in listed["items"])
    assert town_b.get(f"/api/v1/readiness/meetings/{first['id']}").status_code == 404
    files = {"file": ("签到.png", _png(), "image/png")}
    photo = county.post(f"/api/v1/readiness/meetings/{first['id']}/evidence", files=files)
    assert photo.status_code == 201, photo.text


def test_share_for_the_assessment(city, api):
    county = api("admin")
    r = county.get("/api/v1/readiness/share", params={"code": [city.county_a, city.town_a]})
    assert r.status_code == 200, r.text
    rows = {x["code"]: x for x in r.json()}
    assert 0 < rows[city.town_a]["total"] < rows[city.county_a]["total"]
    assert rows[city.town_a]["met"] <= rows[city.town_a]["total"]
    assert api("town").get("/api/v1/readiness/share", params={"code": [city.county_b]}).status_code == 404
