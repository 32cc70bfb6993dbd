"""The grid worker's app: home by role, short menu, warnings in full, ticks per household landing
once per client key, the installable parts (manifest, service worker), name and phone filled in."""

from __future__ import annotations

import re
import uuid

from tests.field.conftest import visits_with


def test_home_is_the_app_for_grid_roles(city, browser_client, job):
    worker = browser_client("gridworker")
    r = worker.get("/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/field"
    html = worker.get("/field").text
    assert job.headline in html and f"/field/warnings/{job.dispatch_id}" in html
    assert f"/field/tasks/{job.task_id}" in html and "/incidents/phone" in html
    assert 'rel="manifest"' in html and "js/field.js" in html
    # The short menu: the app, evacuation, patrols, quick report, the directory; no duty board.
    menu = re.findall(r'data-nav="([^"]+)"', html)
    assert menu[0] == "field" and len(menu) <= 7 and "duty" not in menu and "incidents" not in menu
    assert 'data-nav="duty-board"' not in html and "/duty" not in re.findall(r'href="([^"]+)"', html)
    # Officers keep their full menu and home.
    town = browser_client("town")
    assert town.get("/", follow_redirects=False).status_code == 200
    assert len(re.findall(r'data-nav="', town.get("/").text)) > 20


def test_warning_reads_in_full_with_the_measures(city, browser_client, job):
    worker = browser_client("gridworker")
    page = worker.get(f"/field/warnings/{job.dispatch_id}")
    assert page.status_code == 200
    assert "请立即转移危险区域群众。" in page.text and "预计未来3小时有强降雨。" in page.text
    assert "需转告的措施" in page.text or "Measures to pass on" in page.text
    assert worker.get("/field/warnings/999999999").status_code == 404
    assert browser_client("town_b").get(f"/field/warnings/{job.dispatch_id}").status_code == 404


def test_ticks_land_once_per_key(city, api, browser_client, job):
    assert job.households, "the demo group has residents"
    c = api("gridworker")
    prefix = uuid.uuid4().hex[:12]
    body = {"task_id": job.task_id, "household": job.households[0], "client_key": prefix + "-a"}
    first, again = c.post("/api/v1/field/visits", json=body), c.post("/api/v1/field/visits", json=body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert (
        first.json()["created"] and not again.json()["created"] and first.json()["id"] == again.json()["id"]
    )
    assert first.json()["visitor_name"]  # the worker's name, filled in by the server
    assert visits_with(city.db, prefix) == 1
    state = c.get(f"/api/v1/field/tasks/{job.task_id}/households").json()
    assert (
        state["reached"] == 1
        and [h["household"] for h in state["households"] if h["reached"]] == job.households[:1]
    )
    flags = [h["vulnerable"] for h in state["households"]]
    assert flags == sorted(flags, reverse=True)  # vulnerable households first
    # Untick: the last tick counts.
    c.post("/api/v1/field/visits", json=body | {"client_key": prefix + "-b", "reached": False})
    assert c.get(f"/api/v1/field/tasks/{job.task_id}/households").json()["reached"] == 0
    # The task page shows a tick per household and fills the close form with the count.
    html = browser_client("gridworker").get(f"/field/tasks/{job.task_id}").text
    assert html.count('class="fa-tick"') == len(state["households"]) and "data-reached-input" in html
    # Outside the area: not found; bad input: 422; another role without the permission: 403.
    assert (
        api("town_b").post("/api/v1/field/visits", json=body | {"client_key": prefix + "-c"}).status_code
        == 404
    )
    assert c.post("/api/v1/field/visits", json=body | {"client_key": "short"}).status_code == 422
    assert c.post("/api/v1/field/visits", json=body | {"household": ""}).status_code == 422
    assert api("keeper").post(
        "/api/v1/field/visits", json=body | {"client_key": prefix + "-d"}
    ).status_code in (
        403,
        404,
    )
    assert visits_with(city.db, prefix) == 2


def test_tick_without_script(city, browser_client, job):
    worker = browser_client("gridworker")
    r = worker.form(
        f"/field/tasks/{job.task_id}/visits",
        {"household": job.households[-1], "reached": "1"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert "is-reached" in worker.get(f"/field/tasks/{job.task_id}").text


def test_installable_parts(browser_client, app):
    worker = browser_client("gridworker")
    sw = worker.get("/field/sw.js")
    assert sw.status_code == 200 and "javascript" in sw.headers["content-type"]
    assert sw.headers["service-worker-allowed"] == "/field" and sw.headers["cache-control"] == "no-cache"
    m = worker.get("/field/manifest.webmanifest")
    assert m.headers["content-type"].startswith("application/manifest+json")
    data = m.json()
    assert data["start_url"] == "/field" and data["display"] == "standalone"
    assert re.search(r"[\u4e00-\u9fff]", data["name"])  # a Chinese name
    sizes = {i["sizes"] for i in data["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in data["icons"]:
        assert worker.get(icon["src"]).status_code == 200
    shell = worker.get("/field/offline")
    assert shell.status_code == 200 and "data-offline-shell" in shell.text


def test_quick_report_has_name_and_phone(city, browser_client):
    html = browser_client("gridworker").get("/incidents/phone").text
    name = re.search(r'name="reporter_name"[^>]*value="([^"]*)"', html).group(1)
    assert name and name != "gridworker"
    assert re.search(r'name="reporter_phone"[^>]*value="1\d{10}"', html)
