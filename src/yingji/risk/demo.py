"""Demo data of dual prevention at Tongren's scale (seed 003): 71,163 enterprises on the risk map,
most of them small shops and eateries, some with hazardous chemicals and major hazard sources; risk
points with LEC assessments and the public places' risk points (LS); this year's enforcement plan
of each county with the visits made so far; a year of hidden dangers (35,051: "累计排查整治风险隐患
35051起") in every state of the loop; the monthly village risk meetings.

With ``options.counties`` only those counties are built, and the numbers shrink with the share of
Tongren's 181 towns they hold. A province build puts the register in Tongren only. Rows are made
in memory (``demo_rows``, ``demo_loop``) and bulk-inserted; one audit entry records the build."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from sqlalchemy import func, select, text

from yingji.auth import audit
from yingji.core import clock
from yingji.core.db import Actor, Database
from yingji.core.models import Base
from yingji.demo.geometry import TONGREN
from yingji.risk import bulk, clearing, demo_loop
from yingji.risk.demo_rows import RiskDemo, Weighted

ENTERPRISES, DANGERS, TOWNS = 71_163, 35_051, 181  # seed 003: the whole of Tongren
TABLES = [
    "risk_enterprises",
    "risk_points",
    "risk_assessments",
    "risk_enforcement_plans",
    "risk_inspections",
    "risk_plan_items",
    "risk_dangers",
    "risk_danger_plans",
    "risk_meetings",
    "risk_meeting_dangers",
    "jobs",
]
CHUNK = 20_000
SOURCE = Weighted([s for s, _ in demo_loop.SOURCES], [p for _, p in demo_loop.SOURCES])


def _places(data) -> tuple[list[dict], dict[str, list[dict]], dict[str, dict]]:
    rows = [r for r in data.tables.get("jurisdictions", []) if r["code"].startswith(TONGREN)]
    towns = sorted(
        (r for r in rows if r["level"] == "town" and r["lon"] is not None), key=lambda r: r["code"]
    )
    villages: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        if r["level"] == "village" and r["lon"] is not None:
            villages[r["code"][:9]].append(r)
    counties = {r["code"]: r for r in rows if r["level"] == "county"}
    return towns, villages, counties


def generate(data, seed: int, start: dict[str, int]) -> RiskDemo:
    """All the rows (pure: no database)."""
    demo = RiskDemo(seed, clock.now(), start)
    towns, villages, counties = _places(data)
    if not towns:
        return demo
    cells = {c["code"]: c["id"] for c in data.tables.get("grid_cells", []) if len(c["code"]) in (9, 12)}
    for town in towns:
        for v in villages[town["code"]]:
            v["cell"] = cells.get(v["code"])
    share = len(towns) / TOWNS
    counts = _apportion(round(ENTERPRISES * share), [len(villages[t["code"]]) + 3 for t in towns])
    for town, count in zip(towns, counts, strict=True):
        county = counties.get(town["code"][:6], {"name": ""})
        demo.enterprises(town, villages[town["code"]], county["name"], cells, count)
        demo.public_places(town)
    by_county: dict[str, list[dict]] = defaultdict(list)
    for e in demo.rows["risk_enterprises"]:
        by_county[e["jurisdiction_code"][:6]].append(e)
    visits = []
    for code in sorted(by_county):
        if code in counties:
            visits += demo_loop.plan(demo, counties[code], by_county[code], demo.today.year)
    _dangers(demo, towns, villages, visits, round(DANGERS * share))
    months = clearing.months_back(12)
    for town in towns:
        for village in villages[town["code"]]:
            demo_loop.meetings(demo, village, months)
    return demo


def _apportion(total: int, weights: list[int]) -> list[int]:
    """``total`` split by ``weights`` in whole numbers that add up (largest remainders)."""
    shares = [total * w / sum(weights) for w in weights]
    counts = [int(s) for s in shares]
    for i in sorted(range(len(shares)), key=lambda i: counts[i] - shares[i])[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _dangers(demo: RiskDemo, towns, villages, visits, total: int) -> None:
    """``total`` dangers over the past year: those found on this year's visits, the rest reported by
    grid workers, enterprises and the public (more in the flood season, April to September)."""
    rng, now = demo.rng, demo.now
    for e, visit in visits:
        for _ in range(min(3, int(rng.expovariate(1 / demo_loop.INSPECTION_DANGERS)))):
            demo_loop.danger(
                demo,
                {"code": e["jurisdiction_code"], "name": ""},
                visit["inspected_at"],
                "inspection",
                e,
                visit,
            )
    left = max(0, total - len(demo.rows["risk_dangers"]))
    homes = [(v, t) for t in towns for v in villages[t["code"]]] or [(t, t) for t in towns]
    for _ in range(left):
        village, _town = rng.choice(homes)
        days = rng.random() * 365
        found = now - timedelta(days=days, hours=rng.random() * 10)
        local_month = (found + timedelta(hours=8)).month
        if not 4 <= local_month <= 9 and rng.random() < 0.3:
            found = now - timedelta(days=rng.random() * 365)
        source = SOURCE(rng)
        shops = demo.by_village.get(village["code"], [])
        e = rng.choice(shops) if shops and (source == "enterprise" or rng.random() < 0.4) else None
        demo_loop.danger(demo, village, found, source if e or source != "enterprise" else "grid", e, None)


def _start(db: Database) -> dict[str, int]:
    with db.reading() as session:
        return {
            name: (session.scalar(select(func.max(Base.metadata.tables[name].c.id))) or 0) + 1
            for name in TABLES
        }


def build(db: Database, data, options, progress) -> None:
    """Generate and bulk-insert the dual-prevention demo."""
    demo = generate(data, options.seed, _start(db))
    tables = Base.metadata.tables
    total = sum(len(demo.rows[name]) for name in TABLES)
    done = 0
    actor = Actor.system("demo")
    for name in TABLES:
        rows = demo.rows[name]
        for i in range(0, len(rows), CHUNK):
            with db.writing(actor) as session:
                bulk.insert(session, tables[name], rows[i : i + CHUNK])
            done += len(rows[i : i + CHUNK])
            progress("risk", done, total)
    with db.writing(actor) as session:
        if db.kind == "postgresql":
            for name in TABLES:
                session.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                        f"COALESCE((SELECT MAX(id) FROM {name}), 0) + 1, false)"
                    )
                )
        audit.record(
            session,
            "demo.build",
            "risk_enterprises",
            None,
            jurisdiction_code=TONGREN,
            after={name: len(demo.rows[name]) for name in TABLES},
            note="dual-prevention demo data generated by yingji demo",
        )
