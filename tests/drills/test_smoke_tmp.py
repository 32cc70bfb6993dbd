from tests.drills.conftest import drill_body, held_drill, make_plan


def test_smoke(city, api):
    town = api("town")
    pid = make_plan(city, city.town_a, "township")
    r = town.post("/api/v1/drills", json=drill_body(city.town_a, plan_ids=[pid]))
    assert r.status_code == 201, r.text
    d = held_drill(town, city.town_a)
    print(d)
    r = town.get("/api/v1/drills")
    assert r.status_code == 200, r.text
    r = town.get("/api/v1/drills/compliance")
    assert r.status_code == 200, r.text
    print(r.json()["summary"])
    r = town.get("/api/v1/drills/report", params={"year": 2026})
    assert r.status_code == 200, r.text
    r = town.get("/api/v1/drills/report.docx", params={"year": 2026})
    assert r.status_code == 200, r.text
    r = town.get("/api/v1/drills/export")
    assert r.status_code == 200, r.text


def test_pages(city, api, browser_client):
    from tests.conftest import log_in
    town = api("town")
    pid = make_plan(city, city.town_a, "township")
    d = held_drill(town, city.town_a, plan_ids=[pid])
    c = browser_client("town") if callable(browser_client) else log_in(town.app, "town")
    for url in ["/drills", "/drills/new", f"/drills/{d['id']}", f"/drills/{d['id']}/evaluation", "/drills/calendar?year=2026&month=6",
                "/drills/programme?year=2026", "/drills/compliance", "/drills/compliance?all=true", "/drills/report?year=2026", "/rules/tables/drill_frequency"]:
        r = c.get(url)
        assert r.status_code == 200, (url, r.text[:3000])
