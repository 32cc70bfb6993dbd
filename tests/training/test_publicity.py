"""Publicity events: targets and days from the rule data, idempotent entry, statistics, calendar,
scope, and the pages in Chinese."""

from __future__ import annotations

import io

from PIL import Image

from yingji.core import clock


def _event(client, place, **extra):
    body = {
        "title": "防灾减灾日宣传进社区",
        "target": "community",
        "day": "disaster_reduction_day",
        "held_on": clock.now().date().isoformat(),
        "jurisdiction_code": place,
        "audience": 120,
        "materials": 300,
    } | extra
    return client.post("/api/v1/publicity/events", json=body)


def test_events_stats_and_scope(city, api):
    town = api("town")
    year = clock.now().year
    before = town.get(f"/api/v1/publicity/stats?year={year}").json()
    r = _event(town, city.town_a, client_key="pub-key-0001")
    assert r.status_code == 201, r.text
    again = _event(town, city.town_a, client_key="pub-key-0001")
    assert again.status_code == 200 and again.json()["id"] == r.json()["id"]
    e = r.json()
    assert e["target_label"] == "进社区" and e["day_label"] == "全国防灾减灾日"
    after = town.get(f"/api/v1/publicity/stats?year={year}").json()
    assert after["events"] == before["events"] + 1 and after["audience"] == before["audience"] + 120
    community = next(x for x in after["by_target"] if x["key"] == "community")
    assert community["label"] == "进社区"
    assert _event(town, city.town_a, target="moon").status_code == 422
    assert _event(town, city.town_a, target="office").status_code == 422  # 七进 off by default
    assert _event(town, city.town_a, day="christmas").status_code == 422
    assert _event(town, city.town_a, audience=-1).status_code == 422
    assert _event(town, city.town_b).status_code == 403
    assert api("town_b").get(f"/api/v1/publicity/events/{e['id']}").status_code == 404
    cal = town.get("/api/v1/publicity/calendar").json()
    assert cal and all(d["days_left"] >= 0 for d in cal)
    assert {d["code"] for d in cal} >= {"fire_day", "disaster_reduction_day"}
    # a photo, kept once
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 10, 10)).save(buf, "JPEG")
    up = town.post(
        f"/api/v1/publicity/events/{e['id']}/photos", files={"file": ("a.jpg", buf.getvalue(), "image/jpeg")}
    )
    assert up.status_code == 201, up.text
    assert town.get(f"/api/v1/publicity/events/{e['id']}").json()["photos"] == [up.json()["id"]]
    assert town.get(f"/api/v1/publicity/events/{e['id']}/photos/{up.json()['id']}").status_code == 200
    x = town.get("/api/v1/publicity/events/export")
    assert x.status_code == 200 and x.content[:2] == b"PK"


def test_pages_in_chinese(city, browser_client, api):
    c = browser_client("county")
    for url in ("/training", "/training/courses", "/training/coverage", "/publicity"):
        r = c.get(url)
        assert r.status_code == 200, (url, r.text[:300])
    assert "人次" in c.get("/training/coverage").text
    assert "全国消防日" in c.get("/publicity").text or "国际减灾日" in c.get("/publicity").text
    sid = api("county").get("/api/v1/training/sessions?state=held").json()["items"][0]["id"]
    assert c.get(f"/training/sessions/{sid}").status_code == 200
    page = c.get(f"/training/sessions/{sid}/sign-in")
    assert page.status_code == 200 and "签到" in page.text
    r = c.form(
        f"/training/sessions/{sid}/sign-in",
        {"mobile": "13900002222", "name": "手机签到人", "client_key": "phone-key-001"},
    )
    assert r.status_code == 200 and "手机签到人" in r.text
    r = c.form(f"/training/sessions/{sid}/sign-in", {"mobile": "12"})
    assert r.status_code == 422
    eid = api("county").get("/api/v1/publicity/events").json()["items"][0]["id"]
    assert c.get(f"/publicity/{eid}").status_code == 200
