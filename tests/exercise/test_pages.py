"""The exercise pages in Chinese: the controller's script and run page, the results, and the 演练
badge on the players' pages (incident, incident list, duty board panel, map popup)."""

from __future__ import annotations

from tests.exercise.conftest import drill_incidents, make_drill


def test_controller_scripts_starts_fires_and_ends_from_the_pages(city, browser_client):
    county = browser_client("county")
    drill = make_drill(city.db, city.town_a, title="碧江区防汛双盲演练")
    index = county.get("/drills/exercise")
    assert index.status_code == 200 and "碧江区防汛双盲演练" in index.text and "双盲" in index.text
    page = county.get(f"/drills/{drill}/exercise")
    assert page.status_code == 200 and "导调" in page.text and "Exercise" not in page.text

    form = {
        "kind": "incident_report",
        "offset_minutes": "0",
        "title": "第一幕：群众来电",
        "place_code": city.town_other_county,  # outside the drill's county
        "category": "natural.flood_drought",
        "reporter_name": "村民王某",
        "trapped": "2",
        "headline": "ignored: another kind's field",
    }
    bad = county.form(f"/drills/{drill}/exercise/injects", form)
    assert bad.status_code == 422 and "地点必须在演练的辖区内" in bad.text
    ok = county.form(
        f"/drills/{drill}/exercise/injects", form | {"place_code": city.village_a}, follow_redirects=False
    )
    assert ok.status_code == 303
    assert county.form(f"/drills/{drill}/exercise/start", {"starts_at": "not a time"}).status_code == 422
    assert (
        county.form(f"/drills/{drill}/exercise/start", {"starts_at": ""}, follow_redirects=False).status_code
        == 303
    )
    page = county.get(f"/drills/{drill}/exercise")
    assert 'data-drill-state="running"' in page.text
    inject_id = page.text.split('data-fire="', 1)[1].split('"', 1)[0]
    assert (
        county.form(f"/drills/{drill}/exercise/injects/{inject_id}/fire", follow_redirects=False).status_code
        == 303
    )
    [incident] = drill_incidents(city.db, drill)
    assert incident.trapped == 2

    # the players see it with its badge: incident page, list, duty board panel, map popup
    town = browser_client("town")
    assert "badge-drill" in town.get(f"/incidents/{incident.id}").text
    assert "badge-drill" in town.get("/incidents").text
    assert "badge-drill" not in town.get("/incidents?drill=real").text  # the overview's tiles link so
    only = town.get("/api/v1/incidents?drill=drill").json()["items"]
    assert only and all(i["drill_id"] is not None for i in only)
    assert town.get("/api/v1/incidents?drill=maybe").status_code == 422
    assert "badge-drill" in town.get("/incidents/panel/inbox").text
    feature = [
        f
        for f in town.get("/api/v1/map/incidents").json()["features"]
        if f["properties"]["id"] == incident.id
    ]
    assert (
        feature
        and feature[0]["properties"]["title"].startswith("【演练】")
        and feature[0]["properties"]["drill"]
    )
    # the players cannot open the script, nor the results while the drill runs
    assert town.get(f"/drills/{drill}/exercise").status_code == 403
    assert town.get(f"/drills/{drill}/exercise/results").status_code == 409

    assert (
        county.form(f"/drills/{drill}/exercise/end", {"note": "结束"}, follow_redirects=False).status_code
        == 303
    )
    results = town.get(f"/drills/{drill}/exercise/results")
    assert results.status_code == 200 and "接报签收用时" in results.text and "首报上报用时" in results.text
    again = county.form(f"/drills/{drill}/exercise/end", {})
    assert again.status_code == 409 and "演练未在进行中" in again.text
