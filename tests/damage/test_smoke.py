def test_demo_event_and_rollup(city, api):
    county = api("county")
    r = county.get("/api/v1/damage/events")
    assert r.status_code == 200, r.text
    ev = r.json()["items"][0]
    r = county.get(f"/api/v1/damage/events/{ev['id']}/rollup")
    assert r.status_code == 200, r.text
    print(r.json()["total"], r.json()["grade"])
    r = county.get(f"/api/v1/damage/events/{ev['id']}/reports")
    assert r.status_code == 200, r.text
    print([(x["kind"], x["state"], x["due_at"], x["overdue"]) for x in r.json()])
    r = county.get("/api/v1/damage/officers/coverage")
    assert r.status_code == 200, r.text
    print(r.json()["villages"], r.json()["covered"], len(r.json()["prone_without_ab"]))
    r = county.get(f"/api/v1/damage/events/{ev['id']}/export")
    assert r.status_code == 200, r.text
