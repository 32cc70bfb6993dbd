"""Forces pages render and their forms work: board, lists, team and member pages, one-tap readiness,
forms, checks, import/export, the dispatch panel, the map layer."""

from __future__ import annotations

import json
import re

from tests.factories import xlsx
from tests.forces.helpers import add_members, code, key, new_incident, new_team, place_point


def no_inline_script(html: str) -> None:
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script>"
    assert not re.search(r"\son[a-z]+=", html), "inline event handler"


def test_board_and_lists(browser_client, city):
    c = browser_client("town")
    page = c.get("/forces")
    assert page.status_code == 200 and "备勤看板" in page.text and "备勤队员" in page.text
    assert "救援力量" in page.text  # the nav section
    no_inline_script(page.text)
    assert c.get("/forces", params={"within": city.village_a, "group": "village"}).status_code == 200
    assert c.get("/forces", params={"within": city.town_b}).status_code == 404
    listed = c.get("/forces/teams", params={"readiness": "on_call", "group": "town"})
    assert listed.status_code == 200 and "综合应急救援大队" in listed.text
    assert c.get("/forces/teams", params={"readiness": "bogus"}).status_code == 404
    county = browser_client("county").get("/forces").text
    assert "碧江区" in county and "/forces?within=" in county


def test_team_page_and_one_tap_readiness(browser_client, api, city):
    team = new_team(api("town"), city.town_a, kind="town_brigade", name="页面测试大队")
    add_members(
        api("town"),
        team["id"],
        2,
        squad="medical",
        certificates=[{"name": "急救员证", "expires_on": "2020-01-01"}],
    )
    c = browser_client("town")
    page = c.get(f"/forces/teams/{team['id']}")
    assert page.status_code == 200 and "页面测试大队" in page.text and "医疗分队" in page.text
    assert 'class="cert expired"' in page.text
    no_inline_script(page.text)
    r = c.form(
        f"/forces/teams/{team['id']}/readiness",
        {"state": "resting", "client_key": key()},
        headers={"HX-Request": "true"},
    )
    assert r.status_code == 200 and 'id="readiness"' in r.text and "<html" not in r.text
    assert 'aria-pressed="true">休整' in r.text
    r = c.form(f"/forces/teams/{team['id']}/readiness", {"state": "on_call"}, follow_redirects=False)
    assert r.status_code == 303
    viewer = browser_client("viewer").get(f"/forces/teams/{team['id']}").text
    assert "readiness-taps" not in viewer and "139****" in viewer


def test_team_and_member_forms(browser_client, city):
    c = browser_client("town")
    assert c.get("/forces/teams/new").status_code == 200
    bad = c.form(
        "/forces/teams/new",
        {"code": "有空格", "name": "", "kind": "social", "jurisdiction_code": city.town_a},
    )
    assert bad.status_code == 422 and "field-error" in bad.text
    team_code = code("PG")
    r = c.form(
        "/forces/teams/new",
        {
            "code": team_code,
            "name": "表单队",
            "kind": "social",
            "jurisdiction_code": city.town_a,
            "capabilities": ["medical", "water_rescue"],
            "registration_no": "BA-9",
            "insurance_until": "2031-01-01",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    team_url = r.headers["location"]
    team_id = int(team_url.rsplit("/", 1)[1])
    page = c.get(team_url).text
    assert "水域救援" in page and "医疗救护" in page and "BA-9" in page
    assert c.get(f"{team_url}/edit").status_code == 200
    r = c.form(
        f"{team_url}/edit",
        {"name": "表单队改", "kind": "social", "capabilities": ["hazmat"]},
        follow_redirects=False,
    )
    assert r.status_code == 303 and "危化品处置" in c.get(team_url).text
    assert c.get(f"{team_url}/members/new").status_code == 200
    bad = c.form(f"{team_url}/members/new", {"name": "某", "mobile": "123", "certificates": "急救员证:明天"})
    assert bad.status_code == 422
    r = c.form(
        f"{team_url}/members/new",
        {
            "name": "表单队员",
            "mobile": "13722223333",
            "role": "leader",
            "available": "1",
            "certificates": "急救员证:2030-01-01",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    page = c.get(team_url).text
    member_id = int(re.search(r'/forces/members/(\d+)">表单队员', page).group(1))
    member = c.get(f"/forces/members/{member_id}")
    assert member.status_code == 200 and "2030-01-01" in member.text
    assert c.get(f"/forces/members/{member_id}/edit").status_code == 200
    r = c.form(
        f"/forces/members/{member_id}/edit",
        {"name": "表单队员", "mobile": "13722223333", "role": "member"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    r = c.form(
        f"{team_url}/equipment",
        {"category": "vehicle", "name": "运兵车", "quantity": "1", "plate": "贵D·12345"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and "运兵车" in c.get(team_url).text
    item = int(re.search(r"/forces/equipment/(\d+)/remove", c.get(team_url).text).group(1))
    assert c.form(f"/forces/equipment/{item}/remove", follow_redirects=False).status_code == 303
    assert c.form(f"/forces/members/{member_id}/remove", follow_redirects=False).status_code == 303
    assert "表单队员" not in c.get(team_url).text
    assert browser_client("town_b").get(team_url).status_code == 404
    assert team_id > 0


def test_checks_and_exchange_pages(browser_client, city):
    c = browser_client("town")
    page = c.get("/forces/checks", params={"days": 60})
    assert page.status_code == 200 and "不足 10 人的志愿队伍" in page.text
    no_inline_script(page.text)
    assert c.get("/forces/exchange").status_code == 200
    good = xlsx(
        ["队伍编码", "队伍名称", "队伍类型", "所属区划代码"],
        [[code("PX"), "页面导入队", "社会救援力量", city.town_a]],
    )
    r = c.post(
        "/forces/exchange/import",
        data={"csrf_token": c.csrf, "kind": "teams"},
        files={"file": ("t.xlsx", good, "application/octet-stream")},
    )
    assert r.status_code == 200 and "1 new" not in r.text and "alert-green" in r.text
    bad = xlsx(["队伍编码", "队伍名称", "队伍类型", "所属区划代码"], [["x", "坏", "空军", city.town_a]])
    r = c.post(
        "/forces/exchange/import",
        data={"csrf_token": c.csrf, "kind": "teams"},
        files={"file": ("t.xlsx", bad, "application/octet-stream")},
    )
    assert r.status_code == 422 and "未知的队伍类型" in r.text
    roads = json.dumps({"type": "FeatureCollection", "features": []}).encode()
    r = c.post(
        "/forces/exchange/roads",
        data={"csrf_token": c.csrf},
        files={"file": ("roads.geojson", roads, "application/geo+json")},
    )
    assert r.status_code == 403  # a town may not load the city's road network


def test_dispatch_panel_partial(browser_client, city):
    lon, lat = place_point(city.db, city.town_a)
    incident = new_incident(city.db, city.town_a, lon=lon, lat=lat, category="natural.flood_drought")
    c = browser_client("town")
    panel = c.get(f"/incidents/{incident}/dispatch/teams")
    assert panel.status_code == 200 and 'id="dispatch-teams"' in panel.text and "<html" not in panel.text
    no_inline_script(panel.text)
    first = int(re.search(r'name="team_ids" value="(\d+)"', panel.text).group(1))
    client_key = re.search(r'name="client_key" value="([0-9a-f]+)"', panel.text).group(1)
    assert "分钟" in panel.text and "备勤" in panel.text
    r = c.form(
        f"/incidents/{incident}/dispatch/teams", {"client_key": client_key}, headers={"HX-Request": "true"}
    )
    assert r.status_code == 422 and "请至少勾选一支队伍" in r.text
    r = c.form(
        f"/incidents/{incident}/dispatch/teams",
        {"client_key": client_key, "team_ids": [str(first)]},
        headers={"HX-Request": "true"},
    )
    assert r.status_code == 200 and "已调派 1 支队伍" in r.text and f"/forces/teams/{first}" in r.text
    narrowed = c.get(f"/incidents/{incident}/dispatch/teams", params={"capabilities": ["medical"]})
    assert 'value="medical" checked' in narrowed.text
    assert browser_client("town_b").get(f"/incidents/{incident}/dispatch/teams").status_code == 404


def test_team_leader_goes_to_their_team_and_the_map_layer(browser_client, api, city):
    leader = browser_client("teamleader")
    r = leader.get("/forces/mine", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/forces/teams/")
    assert "我的队伍" in leader.get("/forces").text
    own = leader.get(r.headers["location"])
    assert "readiness-taps" in own.text
    town = api("town")
    layer = town.get("/api/v1/map/teams", params={"bbox": "108,27,110,29"})
    assert layer.status_code == 200 and layer.headers["content-type"].startswith("application/geo+json")
    features = layer.json()["features"]
    assert features and {f["properties"]["readiness"] for f in features} <= {
        "on_call",
        "deployed",
        "resting",
        "unavailable",
    }
    everything = api("county").get("/api/v1/map/teams").json()["features"]
    assert len(everything) > len(features) >= 1
    assert town.get("/api/v1/map/teams", params={"bbox": "nonsense"}).status_code == 422


def test_pages_in_english(browser_client, city):
    c = browser_client("county")
    c.cookies.set("yingji_lang", "en")
    board = c.get("/forces").text
    assert "Readiness board" in board and "Members on call" in board
    teams = c.get("/forces/teams", params={"group": "town"}).text
    assert "Town comprehensive rescue brigade" in teams
    checks = c.get("/forces/checks").text
    assert "Volunteer teams with fewer than 10 members" in checks
