from __future__ import annotations

import pytest

from tests.browser.conftest import log_in
from tests.exercise.conftest import make_drill, run_injects

pytestmark = pytest.mark.browser
OUT = "/work/wt/shots/exercise"


def test_shots(browser, live_server, city, api):
    county = api("county")
    drill = make_drill(city.db, city.town_a, title="碧江区某镇防汛双盲演练")
    base = {"offset_minutes": 0, "place_code": city.village_a}
    county.post(f"/api/v1/drills/{drill}/injects", json=base | {"kind": "incident_report", "title": "第一幕：群众来电报告山洪", "category": "natural.flood_drought", "reporter_name": "村民王某", "figures": {"trapped": 3}})
    county.post(f"/api/v1/drills/{drill}/injects", json=base | {"kind": "upstream_warning", "offset_minutes": 20, "title": "第二幕：市气象台暴雨红色预警", "level": "red", "headline": "铜仁市气象台发布暴雨红色预警", "sender_name": "铜仁市气象台"})
    county.post(f"/api/v1/drills/{drill}/injects", json=base | {"offset_minutes": 45, "kind": "incident_report", "title": "第三幕：续报房屋倒塌", "category": "natural.geological", "figures": {"collapsed_rooms": 4}})
    county.post(f"/api/v1/drills/{drill}/exercise/start", json={})
    run_injects(city.db)
    iid = county.get(f"/api/v1/drills/{drill}/exercise").json()["injects"][0]["incident_id"]
    town = api("town")
    town.post(f"/api/v1/incidents/{iid}/acknowledge")
    town.post(f"/api/v1/incidents/{iid}/verify")
    town.post(f"/api/v1/incidents/{iid}/forward", json={})
    for w, h, tag in ((1600, 900, "desktop"), (390, 844, "phone")):
        ctx = browser.new_context(base_url=live_server.url, viewport={"width": w, "height": h})
        pg = ctx.new_page()
        log_in(pg, "county", next_path="/drills/exercise")
        pg.screenshot(path=f"{OUT}/exercise-index-{tag}.png", full_page=True)
        pg.goto(f"/drills/{drill}/exercise")
        pg.screenshot(path=f"{OUT}/exercise-control-{tag}.png", full_page=True)
        pg.goto(f"/drills/{drill}/exercise/results")
        pg.screenshot(path=f"{OUT}/exercise-results-{tag}.png", full_page=True)
        pg.goto(f"/incidents/{iid}")
        pg.screenshot(path=f"{OUT}/incident-badge-{tag}.png", full_page=False)
        pg.goto("/incidents")
        pg.screenshot(path=f"{OUT}/incident-list-badge-{tag}.png", full_page=False)
        ctx.close()
