"""Readiness pages: the table with its filters and map, a place's scorecard with the confirm form,
the meetings' list, form (refused input shown on the form) and page; Chinese by default."""

from __future__ import annotations

from datetime import date

from yingji.core import clock


def test_scorecard_pages(city, browser_client):
    c = browser_client("town")
    r = c.get("/readiness")
    assert r.status_code == 200 and "能力建设评分" in r.text and "缺项" in r.text
    r = c.get("/readiness", params={"level": "village", "sort": "-score", "missing": "village_5you.team"})
    assert r.status_code == 200
    r = c.get(f"/readiness/places/{city.town_a}")
    assert r.status_code == 200 and "一根指挥棒" in r.text and "六有" in r.text
    assert c.get(f"/readiness/places/{city.town_other_county}").status_code == 404
    r = c.form(
        f"/readiness/places/{city.town_a}/confirm",
        {"item": "town_863.net_rescue", "note": "村级先期处置流程已制定"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    r = c.form(f"/readiness/places/{city.town_a}/confirm", {"item": "town_863.net_rescue", "note": ""})
    assert r.status_code == 422 and 'role="alert"' in r.text
    r = c.get(f"/readiness/places/{city.village_a}")
    assert r.status_code == 200 and "五有" in r.text


def test_meeting_pages(city, browser_client):
    c = browser_client("town")
    assert c.get("/readiness/meetings").status_code == 200
    assert c.get("/readiness/meetings/new").status_code == 200
    today = clock.now().astimezone(clock.LOCAL_TZ).date()
    bad = c.form("/readiness/meetings", {"jurisdiction_code": city.town_a, "held_on": "", "title": "x"})
    assert bad.status_code == 422 and 'role="alert"' in bad.text
    r = c.form(
        "/readiness/meetings",
        {
            "jurisdiction_code": city.town_a,
            "held_on": date(today.year, today.month, 1).isoformat(),
            "title": "本季度应急例会",
            "attendees": "党委书记\n镇长",
            "agenda": "研判形势",
            "f0_text": "落实值班",
            "f0_owner": "应急办主任",
            "f0_due": today.isoformat(),
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:500]
    page = c.get(r.headers["location"])
    assert page.status_code == 200 and "落实值班" in page.text
    fid = page.text.split("/readiness/followups/", 1)[1].split("/", 1)[0]
    done = c.form(f"/readiness/followups/{fid}/state", {"state": "done"}, follow_redirects=False)
    assert done.status_code == 303
    grid = browser_client("gridleader")
    assert grid.get("/readiness").status_code == 200
    assert grid.get("/readiness/meetings/new").status_code == 403
