"""Push: 1,000 SSE subscribers on a real ``yingji serve``; time from a committed report to its event
at every subscriber.

A small city (3 counties × 3 towns × 1 village) with one viewer per place; ``--subscribers`` streams
of ``/api/v1/events/stream`` are opened with those viewers' API tokens, spread over the levels (a
tenth on the city, three tenths on the counties, the rest on the towns). First reports (首报) are
then filed through the API, one at a time, each at a village chosen in turn. For each report event,
the delay is the time the event arrived at a subscriber minus the time its row was committed
(``event_log.created_at``, written at commit, on the same machine's clock); every subscriber whose
place covers the report's village must get it (``expected``), and no subscriber may see an event of
another place (``leaked``, goal 0).

Baseline, in the same run and against the same server: the same delivery time with one subscriber
(on the city) before the others connect. Headline figure: the p99 delay in ms with all subscribers
(goal ≤ 1,000); ratio = that p99 / the one-subscriber p99.

    python -m bench.push
    python -m bench.push --subscribers 1000 --reports 20
    python -m bench.push --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test

On PostgreSQL two ``yingji serve`` processes share the database: half the subscribers listen to
each, and the reports go to the two in turn, so every other event crosses processes (LISTEN/NOTIFY).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import select

from bench.common import fresh_database, report
from bench.resilience_stock import Server
from yingji.auth import service as auth_service
from yingji.auth.scope import Principal
from yingji.core.db import Actor, Database
from yingji.events.models import EventLog
from yingji.org.models import Jurisdiction

SYSTEM = Principal.system()
COUNTIES = ("520602", "520603", "520621")


def places() -> list[tuple[str, str, str, str | None]]:
    rows = [("52", "贵州省", "province", None), ("5206", "铜仁市", "city", "52")]
    for c, county in enumerate(COUNTIES):
        rows.append((county, f"测试县{c + 1}", "county", "5206"))
        for t in range(1, 4):
            town = f"{county}{t:03d}"
            rows.append((town, f"测试镇{c + 1}-{t}", "town", county))
            rows.append((f"{town}001", f"测试村{c + 1}-{t}", "village", town))
    return rows


def setup(db: Database) -> tuple[dict[str, str], str, list[str]]:
    """The places, a viewer's token per city/county/town, a reporter's token; the villages."""
    tokens: dict[str, str] = {}
    with db.writing(Actor.system("bench")) as session:
        for code, name, level, parent in places():
            session.add(
                Jurisdiction(code=code, name=name, level=level, parent_code=parent, lon=109.2, lat=27.7)
            )
        session.flush()
        password = secrets.token_urlsafe(18) + "-7a"
        for code, _, level, _ in places():
            if level not in ("city", "county", "town"):
                continue
            user = auth_service.create_user(
                session, SYSTEM, username=f"v{code}", password=password, display_name=f"值守{code}",
                role="viewer", jurisdiction_code=code, check_password=False,
            )  # fmt: skip
            tokens[code], _ = auth_service.create_token(session, SYSTEM, user, "bench")
        reporter = auth_service.create_user(
            session, SYSTEM, username="reporter", password=password, display_name="市值班员",
            role="duty_officer", jurisdiction_code="5206", check_password=False,
        )  # fmt: skip
        reporter_token, _ = auth_service.create_token(session, SYSTEM, reporter, "bench")
    villages = [code for code, _, level, _ in places() if level == "village"]
    return tokens, reporter_token, villages


def spread(n: int) -> list[str]:
    """A tenth of the subscribers on the city, three tenths on the counties, the rest on the towns."""
    towns = [c for c, _, level, _ in places() if level == "town"]
    out = []
    for i in range(n):
        share = i % 10
        if share == 0:
            out.append("5206")
        elif share <= 3:
            out.append(COUNTIES[i % len(COUNTIES)])
        else:
            out.append(towns[i % len(towns)])
    return out


@dataclass
class Subscriber:
    scope: str
    url: str
    token: str
    arrivals: dict[int, float] = field(default_factory=dict)  # event id → wall-clock arrival
    leaked: int = 0
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    error: str | None = None

    async def run(self, client: httpx.AsyncClient) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        try:
            async with client.stream("GET", self.url + "/api/v1/events/stream", headers=headers) as r:
                if r.status_code != 200:
                    self.error = f"HTTP {r.status_code}"
                    self.ready.set()
                    return
                buf = b""
                async for chunk in r.aiter_raw():
                    now = time.time()
                    buf += chunk
                    *blocks, buf = buf.split(b"\n\n")
                    for block in blocks:
                        self._block(block, now)
        except (httpx.HTTPError, asyncio.CancelledError) as exc:
            if not isinstance(exc, asyncio.CancelledError):
                self.error = type(exc).__name__
            self.ready.set()

    def _block(self, block: bytes, now: float) -> None:
        if b": connected" in block:
            self.ready.set()
        for line in block.split(b"\n"):
            if line.startswith(b"data: "):
                ev = json.loads(line[6:])
                if not ev["jurisdiction_code"].startswith(self.scope):
                    self.leaked += 1
                self.arrivals.setdefault(ev["id"], now)


async def connect(subs: list[Subscriber], client: httpx.AsyncClient, at_once: int = 50) -> list[asyncio.Task]:
    """Open the streams, ``at_once`` at a time (as browsers arrive, not all in one instant)."""
    tasks = []
    for i in range(0, len(subs), at_once):
        batch = subs[i : i + at_once]
        tasks += [asyncio.create_task(s.run(client)) for s in batch]
        await asyncio.wait_for(asyncio.gather(*(s.ready.wait() for s in batch)), 120)
    return tasks


async def file_reports(
    servers: list[str], token: str, villages: list[str], n: int, gap_s: float
) -> list[int]:
    """First reports through the API, one at a time; returns the incident ids."""
    ids = []
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(timeout=60, headers=headers) as client:
        for i in range(n):
            body = {"category": "natural.geological", "jurisdiction_code": villages[i % len(villages)]}
            body["title"] = f"推送压测 {i + 1}"
            r = await client.post(servers[i % len(servers)] + "/api/v1/incidents", json=body)
            r.raise_for_status()
            ids.append(r.json()["id"])
            await asyncio.sleep(gap_s)
    await asyncio.sleep(2.0)  # the last events arrive
    return ids


def report_events(db: Database, incident_ids: list[int]) -> dict[int, tuple[str, float]]:
    """Event id → (place, commit time) of the reports' report.new events."""
    wanted = set(incident_ids)
    with db.reading() as session:
        rows = session.scalars(select(EventLog).where(EventLog.kind == "report.new")).all()
    return {
        r.id: (r.jurisdiction_code, r.created_at.timestamp())
        for r in rows
        if r.payload.get("incident_id") in wanted
    }


def delays(subs: list[Subscriber], events: dict[int, tuple[str, float]]) -> tuple[list[float], int, int]:
    """Delays in ms of every (subscriber, event) that should meet, received and expected counts."""
    out, received, expected = [], 0, 0
    for s in subs:
        for eid, (code, committed) in events.items():
            if not code.startswith(s.scope):
                continue
            expected += 1
            if eid in s.arrivals:
                received += 1
                out.append((s.arrivals[eid] - committed) * 1000)
    return out, received, expected


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


async def phase(
    servers: list[str],
    tokens: dict,
    reporter: str,
    villages: list[str],
    scopes: list[str],
    n: int,
    gap_s: float,
    db,
) -> dict:
    subs = [Subscriber(scope, servers[i % len(servers)], tokens[scope]) for i, scope in enumerate(scopes)]
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=None)
    async with httpx.AsyncClient(timeout=httpx.Timeout(60, read=None), limits=limits) as client:
        started = time.perf_counter()
        tasks = await connect(subs, client)
        connect_s = time.perf_counter() - started
        failed = [s.error for s in subs if s.error]
        incident_ids = await file_reports(servers, reporter, villages, n, gap_s)
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    events = report_events(db, incident_ids)
    ms, received, expected = delays(subs, events)
    return {
        "subscribers": len(subs),
        "connect_s": round(connect_s, 1),
        "refused": len(failed),
        "events": len(events),
        "received": received,
        "expected": expected,
        "leaked": sum(s.leaked for s in subs),
        "p50_ms": round(pct(ms, 0.5), 1),
        "p95_ms": round(pct(ms, 0.95), 1),
        "p99_ms": round(pct(ms, 0.99), 1),
        "max_ms": round(max(ms), 1) if ms else None,
    }


def measure(database_url: str | None, subscribers: int, reports: int, gap_s: float) -> dict:
    with fresh_database(database_url, "push") as db, tempfile.TemporaryDirectory() as tmp:
        tokens, reporter, villages = setup(db)
        url = db.engine.url.render_as_string(hide_password=False)
        count = 2 if db.kind == "postgresql" else 1
        servers = []
        try:
            for i in range(count):
                work = Path(tmp) / f"serve{i}"
                work.mkdir()
                servers.append(Server(url, work))
            urls = [s.url for s in servers]
            one = asyncio.run(phase(urls[:1], tokens, reporter, villages, ["5206"], reports, gap_s, db))
            many = asyncio.run(
                phase(urls, tokens, reporter, villages, spread(subscribers), reports, gap_s, db)
            )
        finally:
            for s in servers:
                s.stop()
        return {"database": db.kind, "servers": count, "one": one, "many": many}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--reports", type=int, default=20)
    parser.add_argument("--gap", type=float, default=0.5, help="seconds between two reports")
    parser.add_argument("--database-url", default=None, help="PostgreSQL server to use (default SQLite)")
    args = parser.parse_args()
    r = measure(args.database_url, args.subscribers, args.reports, args.gap)
    one, many = r["one"], r["many"]
    rows = [("database", f"{r['database']} ({r['servers']} serve process{'es' if r['servers'] > 1 else ''})")]
    for label, p in (("1 subscriber (baseline)", one), (f"{many['subscribers']} subscribers", many)):
        rows += [
            (f"{label}: connected in", f"{p['connect_s']} s, refused {p['refused']}"),
            (f"{label}: received / expected", f"{p['received']} / {p['expected']} ({p['events']} reports)"),
            (f"{label}: leaked", str(p["leaked"])),
            (
                f"{label}: p50 / p95 / p99 / max ms",
                f"{p['p50_ms']} / {p['p95_ms']} / {p['p99_ms']} / {p['max_ms']}",
            ),
        ]
    figure, baseline = many["p99_ms"], one["p99_ms"]
    report(
        f"push_{r['database']}",
        rows,
        {
            "figure": figure,
            "unit": "ms",
            "baseline": baseline,
            "baseline_is": "p99 commit-to-arrival with 1 subscriber, same run, same server",
            "ratio": round(figure / baseline, 2) if baseline else None,
            "goal_ms": 1000,
            "subscribers": many["subscribers"],
            "servers": r["servers"],
            "received": many["received"],
            "expected": many["expected"],
            "leaked": many["leaked"] + one["leaked"],
            "p50_ms": many["p50_ms"],
            "p95_ms": many["p95_ms"],
            "median_of": "one run",
        },
    )


if __name__ == "__main__":
    main()
