"""A flood of refused requests cannot fill the disk (issue 10, item 10).

    python bench/security_flood.py [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test]

The real app and database. (1) One user probes a record outside their jurisdiction N times in a
minute; (2) M addresses send forged API tokens, R rounds a minute for T minutes (time simulated with the
platform clock, the requests are real). Counted: security_events rows written, and the time a refused
request takes. Baseline: one row per refusal (what an audit row per refusal would cost); the rows a
minute stay at most ``NEW_ROWS_PER_MINUTE`` + 1 per kind and process however many addresses flood.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from bench.common import fresh_database, report
from yingji.app import create_app
from yingji.auth import service
from yingji.auth.models import SecurityEvent
from yingji.auth.scope import Principal
from yingji.core.clock import clock
from yingji.core.db import Actor
from yingji.org.models import Jurisdiction


def rows(db) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(SecurityEvent)) or 0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pg", default=None)
    ap.add_argument("--probes", type=int, default=2000)
    ap.add_argument("--addresses", type=int, default=1000)
    ap.add_argument("--minutes", type=int, default=2)
    args = ap.parse_args()
    with fresh_database(args.pg, "flood") as db:
        clock.freeze(datetime(2031, 1, 1, 8, 0, tzinfo=UTC))  # a minute of its own for the counts
        with db.writing(Actor.system("bench")) as session:
            for code, name, level, parent in [
                ("52", "贵州省", "province", None),
                ("5206", "铜仁市", "city", "52"),
                ("5201", "贵阳市", "city", "52"),
            ]:
                session.add(Jurisdiction(code=code, name=name, level=level, parent_code=parent))
            session.flush()
            user = service.create_user(
                session,
                Principal.system(),
                username="prober",
                password="Tongren#Flood2026",
                display_name="prober",
                role="county_officer",
                jurisdiction_code="5206",
            )
            secret, _ = service.create_token(session, Principal.system(), user, "bench")
        app = create_app(db.settings, db, start_worker=False)

        c = TestClient(app, raise_server_exceptions=False, headers={"Authorization": f"Bearer {secret}"})
        started = time.perf_counter()
        for _ in range(args.probes):
            assert c.get("/api/v1/jurisdictions/5201").status_code == 404
        probe_ms = (time.perf_counter() - started) / args.probes * 1000
        after_probes = rows(db)
        started = time.perf_counter()
        for _ in range(200):
            assert c.get("/api/v1/jurisdictions/5206").status_code == 200
        allowed_ms = (time.perf_counter() - started) / 200 * 1000

        bots = [
            TestClient(app, raise_server_exceptions=False, client=(f"10.7.{n // 256}.{n % 256}", 1))
            for n in range(args.addresses)
        ]
        sent = 0
        started = time.perf_counter()
        for minute in range(args.minutes):
            clock.freeze(datetime(2031, 1, 1, 9, minute, tzinfo=UTC))
            for n, bot in enumerate(bots):
                r = bot.get("/api/v1/me", headers={"Authorization": f"Bearer yj_forged{minute}x{n}"})
                assert r.status_code == 401
                sent += 1
        forged_ms = (time.perf_counter() - started) / sent * 1000
        flood_rows = rows(db) - after_probes
        clock.reset()
    per_minute = flood_rows / args.minutes
    report(
        "security_flood",
        [
            (f"{args.probes} probes by one user in a minute", f"{after_probes} row(s)"),
            ("a refused probe (404, event recorded)", f"{probe_ms:.1f} ms"),
            ("an allowed read of the same kind (200)", f"{allowed_ms:.1f} ms"),
            (
                f"{sent} forged tokens from {args.addresses} addresses, {args.minutes} min",
                f"{flood_rows} rows",
            ),
            ("a refused token (401, event recorded)", f"{forged_ms:.1f} ms"),
            ("rows a minute under that flood", f"{per_minute:.0f} (one row per refusal: {args.addresses})"),
        ],
        {
            "figure": round(per_minute, 1),
            "unit": f"security_events rows a minute, {args.addresses} addresses refused once a minute",
            "baseline": args.addresses,
            "ratio": round(per_minute / args.addresses, 4),
            "database": db.kind,
            "probe_rows": after_probes,
            "probes": args.probes,
            "probe_ms": round(probe_ms, 2),
            "allowed_ms": round(allowed_ms, 2),
            "forged_requests": sent,
            "forged_rows": flood_rows,
            "forged_ms": round(forged_ms, 2),
        },
    )


if __name__ == "__main__":
    main()
