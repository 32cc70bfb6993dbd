"""The situation overview at province scale: Guizhou's demo (`yingji demo --province`) plus 100,000
incidents, 10,000 open alarms and 50 warnings in force (with their dispatches, cells and deliveries),
bulk-inserted here.

Figure: p95 of GET /api/v1/overview (every tile and the trends) as the province commander, through
the whole web stack (routing, auth, scope, serialisation), each request computing its figures (the
2-second per-scope cache is emptied before every request, as after an event; its effect is shown
beside) — except the supply gaps, which the overview keeps five minutes by design (they move with
stock documents only); their cold cost is shown as the "supplies" tile median. Also the city
commander's p95, the home page, and each tile's median for the province (no cache at all).
Baseline, measured in the same run: p95 of GET /healthz.
Goal: province p95 <= 150 ms on this 2-core machine.

    python -m bench.overview                                   # SQLite, a fresh province (slow)
    python -m bench.overview --sqlite /tmp/prov.db             # build there once, reuse afterwards
    python -m bench.overview --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import func, insert, select, text

from bench.common import fresh_database, report
from yingji.app import create_app
from yingji.auth import service as auth_service
from yingji.auth.models import User
from yingji.auth.scope import Principal
from yingji.config import Settings
from yingji.core import clock, migrate
from yingji.core.db import Actor, open_database
from yingji.delivery.models import Delivery, Dispatch, DispatchCell
from yingji.demo import builder
from yingji.incidents.models import Incident, IncidentReport, ReportingDeadline
from yingji.monitoring.models import Alarm, HazardPoint, Sensor
from yingji.org.models import Jurisdiction
from yingji.overview import service
from yingji.overview.schemas import EXTRAS, TILES
from yingji.warnings.models import Warning

GOAL_MS = 150.0
MARK = "BENCH-OV"  # numbers and codes of the rows this bench adds (so a reused database gets them once)
CATEGORIES = [
    "natural.geological",
    "natural.flood",
    "accident.road_traffic",
    "accident.production",
    "accident.fire",
    "health.food",
    "social.mass",
]


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * 0.95) - 1)]


@contextmanager
def sqlite_at(path: str):
    """A SQLite database kept at ``path`` (built once, reused by later runs)."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    db = open_database(
        Settings(database_url=f"sqlite:///{p}", secret_key="b", var_dir=p.parent, inprocess_worker=False)
    )
    migrate.upgrade(db.engine)
    try:
        yield db
    finally:
        db.dispose()


def _bulk(db, table, rows: list[dict], chunk: int = 5000) -> None:
    with db.engine.begin() as conn:
        for i in range(0, len(rows), chunk):
            conn.execute(insert(table), rows[i : i + chunk])


def _next_id(db, model) -> int:
    with db.engine.connect() as conn:
        return (conn.scalar(select(func.max(model.id))) or 0) + 1


def add_load(db, incidents: int, alarms: int, warnings: int, years: float, seed: int = 2026) -> dict:
    """The bench's rows, once: incidents over ``years`` (a few hundred open, with reports and
    deadlines), open alarms on hazard points, warnings in force with dispatches over grid cells."""
    with db.engine.connect() as conn:
        if conn.scalar(select(func.count()).select_from(Incident).where(Incident.number.startswith(MARK))):
            return {"added": False}
        groups = (
            conn.execute(
                select(Jurisdiction.code).where(Jurisdiction.level == "group").order_by(Jurisdiction.code)
            )
            .scalars()
            .all()
        )
        villages = (
            conn.execute(
                select(Jurisdiction.code).where(Jurisdiction.level == "village").order_by(Jurisdiction.code)
            )
            .scalars()
            .all()
        )
        counties = (
            conn.execute(
                select(Jurisdiction.code).where(Jurisdiction.level == "county").order_by(Jurisdiction.code)
            )
            .scalars()
            .all()
        )
    rng = random.Random(seed)
    now = clock.now()
    started = time.perf_counter()
    # Incidents: uniform over the years, the last 300 open (in the last two days), each with its first
    # report; the open ones with a county deadline, a third of them already past due.
    first_id, report_id = _next_id(db, Incident), _next_id(db, IncidentReport)
    inc_rows, rep_rows, dl_rows = [], [], []
    for n in range(incidents):
        is_open = n >= incidents - 300
        age = (
            timedelta(hours=rng.uniform(0.5, 48)) if is_open else timedelta(days=rng.uniform(2, 365 * years))
        )
        at = now - age
        code = rng.choice(groups)
        iid = first_id + n
        inc_rows.append(
            {
                "id": iid,
                "number": f"{MARK}-{n:07d}",
                "title": "压测事件",
                "category": rng.choice(CATEGORIES),
                "jurisdiction_code": code,
                "occurred_at": at,
                "received_at": at + timedelta(minutes=10),
                "status": rng.choice(["reported", "verified", "responding"]) if is_open else "closed",
                "grade": rng.choice(["I", "II", "III", "IV", "IV", "IV", None]),
                "created_at": at,
                "updated_at": at,
            }
        )
        rep_rows.append(
            {
                "id": report_id + n,
                "incident_id": iid,
                "seq": 1,
                "kind": "first",
                "received_at": at + timedelta(minutes=10),
                "jurisdiction_code": code,
                "source": "chain",
            }
        )
        if is_open:
            dl_rows.append(
                {
                    "incident_id": iid,
                    "jurisdiction_code": code,
                    "to_level": "county",
                    "to_code": code[:6],
                    "channel": "report",
                    "due_at": at + timedelta(hours=rng.choice([1, 1, 24])),
                    "basis": "bench",
                    "state": "open",
                    "created_at": at,
                }
            )
    _bulk(db, Incident.__table__, inc_rows)
    _bulk(db, IncidentReport.__table__, rep_rows)
    _bulk(db, ReportingDeadline.__table__, dl_rows)
    # Alarms: 5 sensors on each of alarms/5 hazard points, one open alarm per sensor.
    point_id, sensor_id, alarm_id = _next_id(db, HazardPoint), _next_id(db, Sensor), _next_id(db, Alarm)
    points, sensors, alarm_rows = [], [], []
    for i in range(alarms // 5):
        code = rng.choice(villages)
        points.append(
            {
                "id": point_id + i,
                "code": f"{MARK}-P{i}",
                "name": "压测隐患点",
                "kind": "geological",
                "jurisdiction_code": code,
                "status": "active",
                "threatened_households": 0,
                "threatened_people": 0,
                "created_at": now,
                "updated_at": now,
            }
        )
        for k in range(5):
            sid = sensor_id + i * 5 + k
            sensors.append(
                {
                    "id": sid,
                    "code": f"{MARK}-S{i}-{k}",
                    "name": "雨量计",
                    "kind": "rain_gauge",
                    "unit": "mm",
                    "hazard_point_id": point_id + i,
                    "jurisdiction_code": code,
                    "active": True,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            alarm_rows.append(
                {
                    "id": alarm_id + i * 5 + k,
                    "rule_key": "default:bench",
                    "sensor_id": sid,
                    "hazard_point_id": point_id + i,
                    "jurisdiction_code": code,
                    "metric": "sum_1h",
                    "direction": "above",
                    "level": rng.choice(["red", "orange", "yellow", "blue"]),
                    "action": "notify",
                    "raise_at": 30.0,
                    "clear_at": 20.0,
                    "state": rng.choice(["open", "open", "acknowledged"]),
                    "raised_at": now - timedelta(minutes=rng.uniform(1, 600)),
                    "created_at": now,
                    "value": 35.0,
                    "peak_value": 40.0,
                    "last_value": 33.0,
                }
            )
    _bulk(db, HazardPoint.__table__, points)
    _bulk(db, Sensor.__table__, sensors)
    _bulk(db, Alarm.__table__, alarm_rows)
    # Warnings in force: each a county's, its dispatch over 300 of the county's grid cells (60 %
    # acknowledged), three deliveries per cell (80 % delivered).
    by_county: dict[str, list[str]] = {}
    for g in groups:
        by_county.setdefault(g[:6], []).append(g)
    warning_id, dispatch_id = _next_id(db, Warning), _next_id(db, Dispatch)
    w_rows, d_rows, c_rows, del_rows = [], [], [], []
    for i in range(warnings):
        county = rng.choice(counties)
        level = rng.choice(["red", "orange", "yellow", "blue"])
        w_rows.append(
            {
                "id": warning_id + i,
                "sender": "bench",
                "status": "published",
                "level": level,
                "jurisdiction_code": county,
                "identifier": f"{MARK}-W{i}",
                "headline": "压测预警",
                "sent": now,
                "expires": now + timedelta(days=1),
                "created_at": now,
                "updated_at": now,
                "cap_status": "Actual",
                "msg_type": "Alert",
                "scope": "Public",
                "origin": "local",
                "relay": True,
                "revision": 1,
            }
        )
        d_rows.append(
            {
                "id": dispatch_id + i,
                "warning_id": warning_id + i,
                "root_warning_id": warning_id + i,
                "event": "published",
                "identifier": f"{MARK}-W{i}",
                "level": level,
                "headline": "压测预警",
                "jurisdiction_code": county,
                "ack_code": f"B{i:04d}",
                "state": "active",
                "policy": {},
                "content": {},
                "targeting": {},
                "created_at": now,
            }
        )
        for j, cell in enumerate(by_county.get(county, [])[:300]):
            c_rows.append(
                {
                    "dispatch_id": dispatch_id + i,
                    "grid_cell_id": j,
                    "cell_code": cell,
                    "acknowledged_at": now if rng.random() < 0.6 else None,
                    "escalated": 0,
                }
            )
            for k in range(3):
                del_rows.append(
                    {
                        "dispatch_id": dispatch_id + i,
                        "channel": "sms",
                        "recipient_kind": "person",
                        "recipient_id": j * 3 + k,
                        "purpose": "warning",
                        "role": "grid_worker",
                        "tier": 0,
                        "cell_code": cell,
                        "state": "delivered" if rng.random() < 0.8 else "sent",
                        "round": 1,
                        "attempts": 1,
                    }
                )
    _bulk(db, Warning.__table__, w_rows)
    _bulk(db, Dispatch.__table__, d_rows)
    _bulk(db, DispatchCell.__table__, c_rows)
    _bulk(db, Delivery.__table__, del_rows)
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE" if db.kind == "postgresql" else "ANALYZE"))
    return {
        "added": True,
        "seconds": time.perf_counter() - started,
        "cells": len(c_rows),
        "deliveries": len(del_rows),
    }


def ensure_users(db) -> None:
    with db.writing(Actor.system("bench")) as session:
        if session.scalar(select(User.id).where(User.username == "prov_commander")) is None:
            auth_service.create_user(
                session,
                Principal.system(),
                username="prov_commander",
                password=builder.DEMO_PASSWORD,
                check_password=False,  # a demo login: the published demo password is its password
                display_name="省应急厅指挥长",
                role="commander",
                jurisdiction_code="52",
            )


def login(client: TestClient, username: str) -> None:
    client.cookies.clear()
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


def measure(client: TestClient, path: str, requests: int, *, cached: bool) -> list[float]:
    times = []
    client.get(path)  # warm
    for _ in range(requests):
        if not cached:
            service.invalidate()
        t = time.perf_counter()
        r = client.get(path)
        times.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200, (path, r.status_code, r.text[:300])
    return times


def tile_medians(db, username: str, rounds: int = 5) -> dict[str, float]:
    with db.reading() as session:
        user = session.scalars(select(User).where(User.username == username)).one()
        principal = Principal.of(user)
        out: dict[str, list[float]] = {}
        for _ in range(rounds):
            for tile in (*TILES, *EXTRAS):
                t = time.perf_counter()
                service.overview(session, principal, tiles=[tile], use_cache=False)
                out.setdefault(tile, []).append((time.perf_counter() - t) * 1000)
    return {k: statistics.median(v) for k, v in out.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None, help="PostgreSQL server to use (default SQLite)")
    parser.add_argument("--sqlite", default=None, help="a SQLite file to build once and reuse")
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--alarms", type=int, default=10_000)
    parser.add_argument("--warnings", type=int, default=50)
    parser.add_argument("--years", type=float, default=2.0)
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()
    where = sqlite_at(args.sqlite) if args.sqlite else fresh_database(args.database_url, "overview")
    with where as db:
        started = time.perf_counter()
        built_now = not builder.is_built(db)
        if built_now:
            builder.build(db, builder.DemoOptions(province=True))
        demo_s = time.perf_counter() - started
        added = add_load(db, args.incidents, args.alarms, args.warnings, args.years)
        ensure_users(db)
        app = create_app(db.settings, db, start_worker=False)
        results: dict[str, float] = {}
        with TestClient(app) as client:
            baseline = p95(measure(client, "/healthz", args.requests * 2, cached=True))
            for user, label in (("commander", "city"), ("prov_commander", "province")):
                login(client, user)
                results[f"{label} p95"] = p95(
                    measure(client, "/api/v1/overview", args.requests, cached=False)
                )
                results[f"{label} p95, cached"] = p95(
                    measure(client, "/api/v1/overview", args.requests, cached=True)
                )
                results[f"{label} page p95"] = p95(
                    measure(client, "/", max(10, args.requests // 2), cached=False)
                )
        tiles = tile_medians(db, "prov_commander")
        with db.reading() as session:
            counts = {
                "incidents": session.scalar(select(func.count()).select_from(Incident)),
                "open alarms": session.scalar(
                    select(func.count()).select_from(Alarm).where(Alarm.state != "cleared")
                ),
                "warnings in force": session.scalar(
                    select(func.count())
                    .select_from(Warning)
                    .where(Warning.status == "published", Warning.expires > clock.now())
                ),
            }
        kind = db.kind
    figure = results["province p95"]
    rows = [
        ("database", kind),
        ("province demo", f"built in {demo_s:.0f} s" if built_now else "reused"),
        ("bench rows", f"added in {added['seconds']:.0f} s" if added.get("added") else "already there"),
        *[(k, f"{v:,}") for k, v in counts.items()],
        ("requests per figure", str(args.requests)),
        ("baseline: GET /healthz p95", f"{baseline:.1f} ms"),
        *[(k, f"{v:.1f} ms") for k, v in results.items()],
        *[(f"province tile {k} (median)", f"{v:.1f} ms") for k, v in tiles.items()],
        ("figure: province overview p95 (uncached)", f"{figure:.1f} ms"),
        ("ratio / baseline", f"{figure / baseline:.1f}x"),
        ("goal", f"p95 <= {GOAL_MS:.0f} ms  {'met' if figure <= GOAL_MS else 'NOT MET'}"),
    ]
    report(
        f"overview_{kind}",
        rows,
        {
            "figure": round(figure, 1),
            "unit": "ms",
            "baseline": round(baseline, 1),
            "ratio": round(figure / baseline, 2),
            "goal": GOAL_MS,
            "city_p95": round(results["city p95"], 1),
            "province_p95_cached": round(results["province p95, cached"], 1),
            "incidents": counts["incidents"],
            "database": kind,
        },
    )


if __name__ == "__main__":
    main()
