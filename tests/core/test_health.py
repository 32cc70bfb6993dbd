def test_healthz_reports_database_kind(app, city):
    from fastapi.testclient import TestClient

    with TestClient(app) as c:
        r = c.get("/healthz")
    assert r.status_code == 200
    assert r.json()["status"] == "ok"
    assert r.json()["database"] == city.db.kind


def test_security_headers_and_request_id(app):
    from fastapi.testclient import TestClient

    with TestClient(app) as c:
        r = c.get("/login")
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert "script-src 'self'" in r.headers["Content-Security-Policy"]
    assert len(r.headers["X-Request-ID"]) >= 16
