"""Duty board and incident pages at province scale: Guizhou's organisation with 100,000 incidents
over 10 years.

Figure: the worst p95 over the duty board and the incident-list pages (first page, a later page,
a filtered list, the live inbox), each requested --requests times through the whole web stack
(routing, auth, scope, template) as a city and a province duty officer. Baseline, measured in the
same run: p95 of GET /healthz, a trivial endpoint. Goal: p95 < 150 ms per page on this 2-core machine.

    python -m bench.incident_pages                    # SQLite
    python -m bench.incident_pages --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import time

from fastapi.testclient import TestClient
from sqlalchemy import text

from bench.common import fresh_database, report
from yingji.app import create_app
from yingji.auth import service as auth_service
from yingji.auth.scope import Principal
from yingji.core.db import Actor
from yingji.demo import builder
from yingji.duty import demo as duty_demo
from yingji.incidents import demo as incident_demo

GOAL_MS = 150.0


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * 0.95) - 1)]


def build(db, incidents: int, years: float) -> dict:
    started = time.perf_counter()
    options = builder.DemoOptions(province=True)
    data = builder.generate(options)
    builder.write(db, data)
    builder.create_logins(db, data)
    duty_demo.build(db, data, options, builder._quiet)
    with db.writing(Actor.system("bench")) as session:
        auth_service.create_user(
            session,
            Principal.system(),
            username="prov_duty",
            password=builder.DEMO_PASSWORD,
            check_password=False,  # a demo login: the published demo password is its password
            display_name="省应急厅值班员",
            role="duty_officer",
            jurisdiction_code="52",
        )
    org_s = time.perf_counter() - started
    places = incident_demo._places(data, options)
    started = time.perf_counter()
    written = incident_demo.history(db, places, incidents, seed=2026, years=years)
    history_s = time.perf_counter() - started
    # Fresh bulk loads need planner statistics (autovacuum / PRAGMA optimize do this in production).
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE" if db.kind == "postgresql" else "ANALYZE"))
    return {"org_s": org_s, "history_s": history_s, "incidents": written, "places": len(places)}


def login(client: TestClient, username: str) -> None:
    client.get("/login")
    r = client.post(
        "/login",
        data={
            "username": username,
            "password": builder.DEMO_PASSWORD,
            "login_csrf": client.cookies.get("yingji_login_csrf"),
            "next": "/",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:300]


def second_page(client: TestClient) -> str:
    html = client.get("/incidents").text
    if 'rel="next"' not in html:
        return "/incidents"
    href = html.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    return "/incidents" + href if href.startswith("?") else href


def measure(client: TestClient, paths: dict[str, str], requests: int) -> dict[str, float]:
    out = {}
    for label, path in paths.items():
        client.get(path)  # warm
        times = []
        for _ in range(requests):
            t = time.perf_counter()
            r = client.get(path)
            times.append((time.perf_counter() - t) * 1000)
            assert r.status_code == 200, (path, r.status_code, r.text[:300])
        out[label] = p95(times)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None, help="PostgreSQL server to use (default SQLite)")
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--years", type=float, default=10.0)
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()
    with fresh_database(args.database_url, "pages") as db:
        built = build(db, args.incidents, args.years)
        app = create_app(db.settings, db, start_worker=False)
        results: dict[str, float] = {}
        with TestClient(app) as client:
            baseline = measure(client, {"healthz": "/healthz"}, args.requests * 2)["healthz"]
            for user in ("duty", "prov_duty"):
                login(client, user)
                pages = {
                    "duty board": "/duty",
                    "incident list": "/incidents",
                    "incident list, later page": second_page(client),
                    "incident list, filtered": "/incidents?status=closed&category=natural&grade=IV",
                    "report inbox": "/incidents/inbox",
                }
                for label, value in measure(client, pages, args.requests).items():
                    results[f"{user}: {label}"] = value
                client.cookies.clear()
        kind = db.kind
    worst_label = max(results, key=results.get)
    figure = results[worst_label]
    rows = [
        ("database", kind),
        ("organisation (Guizhou) built in", f"{built['org_s']:.1f} s"),
        (
            "incidents written",
            f"{built['incidents']:,} over {args.years:g} years in {built['history_s']:.1f} s",
        ),
        ("requests per page", str(args.requests)),
        ("baseline: GET /healthz p95", f"{baseline:.1f} ms"),
    ]
    rows += [(f"p95 {label}", f"{value:.1f} ms") for label, value in results.items()]
    rows += [
        ("worst page", worst_label),
        ("figure: worst p95", f"{figure:.1f} ms"),
        ("ratio worst / baseline", f"{figure / baseline:.1f}x"),
        ("goal", f"p95 < {GOAL_MS:.0f} ms  {'met' if figure < GOAL_MS else 'NOT MET'}"),
    ]
    report(
        f"incident_pages_{kind}",
        rows,
        {
            "figure": round(figure, 1),
            "unit": "ms",
            "baseline": round(baseline, 1),
            "ratio": round(figure / baseline, 2),
            "goal": GOAL_MS,
            "worst": worst_label,
            "incidents": built["incidents"],
            "database": kind,
        },
    )


if __name__ == "__main__":
    main()
