"""Demo forces for Tongren at the seed-003 scale: town brigades, village teams, professional teams,
school volunteer teams and social forces, their members, certificates, equipment and readiness.

Rows are generated in memory (``demo_rows``) and bulk-inserted; the demo team-leader login is tied to
the leader of their town's brigade so that "my team" works out of the box.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from sqlalchemy import func, insert, select, text

from yingji.auth import audit
from yingji.auth.models import User
from yingji.core import clock
from yingji.core.db import Actor, Database
from yingji.core.models import Base
from yingji.forces import demo_rows
from yingji.forces.checks import local_today
from yingji.forces.demo_rows import ForcesMaker, allocate
from yingji.forces.models import Team, bump_index_version

TABLES = ["teams", "team_members", "member_certificates", "team_equipment", "team_readiness_log"]
CHUNK = 5000


def _quiet(step: str, done: int, total: int) -> None:
    pass


def _located(rows: list[dict], level: str) -> list[dict]:
    return sorted((r for r in rows if r["level"] == level and r["lon"] is not None), key=lambda r: r["code"])


def generate(data, options, start_ids: dict[str, int]) -> demo_rows.Rows:
    """All rows of the forces demo, deterministic for the options' seed."""
    jurisdictions = data.tables["jurisdictions"]
    towns = _located(jurisdictions, "town")
    villages = _located(jurisdictions, "village")
    counties = [
        r for r in _located(jurisdictions, "county") if not options.counties or r["code"] in options.counties
    ]
    cities = _located(jurisdictions, "city")
    people = data.tables.get("people", [])
    town_leaders = {p["jurisdiction_code"]: p for p in people if p["title"] == "武装部长"}
    village_leaders = {p["jurisdiction_code"]: p for p in people if p["title"] == "村(居)委会主任"}

    maker = ForcesMaker(options.seed, clock.now(), local_today(), start_ids)
    rng = maker.rng
    town_total = round(demo_rows.TOWN_MEMBERS * len(towns) / demo_rows.TOWNS)
    town_members = allocate(town_total, rng.uniform(0.6, 1.4, len(towns)), floor=15)
    maker.town_brigades(towns, town_members, town_leaders)

    # 2,889 of the 2,947 villages have a team (seed 003); the choice is by a seeded draw.
    keep = round(len(villages) * demo_rows.VILLAGE_TEAMS / demo_rows.VILLAGES)
    draw = rng.random(len(villages))
    chosen = sorted(np.argsort(-draw, kind="stable")[:keep])
    with_team = [villages[i] for i in chosen]
    village_total = round(demo_rows.VILLAGE_MEMBERS * keep / demo_rows.VILLAGE_TEAMS)
    village_members = allocate(
        village_total, rng.gamma(4.0, 1.0, len(with_team)), floor=demo_rows.MIN_DEMO_MEMBERS
    )
    maker.village_teams(with_team, village_members, village_leaders)

    maker.schools(towns)
    for city in cities:
        maker.professional(city, demo_rows.CITY_PRO, city["name"])
        maker.social(city, 3)
    for county in counties:
        plan = demo_rows.COUNTY_PRO + demo_rows.COUNTY_EXTRA.get(county["code"], [])
        maker.professional(county, plan, county["name"])
        maker.social(county, 2)
    return maker.rows


def _start_ids(session) -> dict[str, int]:
    tables = Base.metadata.tables
    return {name: (session.scalar(select(func.max(tables[name].c.id))) or 0) + 1 for name in TABLES}


def _link_team_leader_login(session, rows: demo_rows.Rows) -> None:
    """The demo ``teamleader`` user becomes the person who leads their town's brigade."""
    user = session.scalar(select(User).where(User.username == "teamleader"))
    if user is None or user.person_id is not None:
        return
    for m in rows.team_members:
        if m["role"] == "leader" and m["person_id"] and m["jurisdiction_code"] == user.jurisdiction_code:
            user.person_id = m["person_id"]
            return


def build(db: Database, data, options, progress: Callable[[str, int, int], None] = _quiet) -> None:
    """Write the forces demo into a database where the organisation demo is already built."""
    actor = Actor.system("demo")
    with db.reading() as session:
        if session.scalar(select(func.count()).select_from(Team)):
            return  # already built
        start = _start_ids(session)
    rows = generate(data, options, start)
    tables = Base.metadata.tables
    total = sum(len(getattr(rows, name)) for name in TABLES)
    done = 0
    for name in TABLES:
        items = getattr(rows, name)
        for i in range(0, len(items), CHUNK):
            part = items[i : i + CHUNK]
            with db.writing(actor) as session:
                session.execute(insert(tables[name]), part)
            done += len(part)
            progress("forces", done, total)
    with db.writing(actor) as session:
        if db.kind == "postgresql":
            for name in TABLES:
                session.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                        f"COALESCE((SELECT MAX(id) FROM {name}), 0) + 1, false)"
                    )
                )
        bump_index_version(session)
        _link_team_leader_login(session, rows)
        audit.record(
            session,
            "demo.build",
            "teams",
            None,
            jurisdiction_code=data.top,
            after={name: len(getattr(rows, name)) for name in TABLES},
            note="forces demo (seed 003 scale)",
        )
