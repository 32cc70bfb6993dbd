"""Demo data of damage statistics (called from ``demo.builder.DEMO_EXTRAS``): disaster information
officers for most villages of the demo (post A everywhere, post B where hazard points make a village
prone; a few villages left without, so the coverage page has something to show), bulk-inserted; and
one open rainstorm-landslide process in the first demo county, built through the services: the
county's 初报 with per-town figures, a few village 续报, the daily zero report due, some damaged houses
and an empty casualty list."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
from sqlalchemy import func, insert, select

from yingji.auth import audit
from yingji.auth.scope import Principal
from yingji.core import clock
from yingji.core.db import Actor
from yingji.damage import processes, reports
from yingji.damage.models import DamagedHouse, DisasterEvent, DisasterOfficer
from yingji.damage.schemas import EventIn, FigureIn, ReportIn
from yingji.demo.names import NameMaker
from yingji.monitoring.models import HazardPoint
from yingji.org import codes as division_codes
from yingji.org.models import Jurisdiction

GAP_EVERY = 17  # every 17th village has no officer yet (the coverage page shows them)
B_GAP_EVERY = 5  # every 5th prone village lacks its B post


def _officers(session, top: str, seed: int) -> int:
    if session.scalar(select(func.count()).select_from(DisasterOfficer)):
        return 0
    low, high = division_codes.subtree_bounds(top)
    villages = session.execute(
        select(Jurisdiction.code, Jurisdiction.name)
        .where(Jurisdiction.level == "village", Jurisdiction.code >= low, Jurisdiction.code < high)
        .order_by(Jurisdiction.code)
    ).all()
    village_of = func.substr(HazardPoint.jurisdiction_code, 1, 12)
    prone = set(
        session.scalars(
            select(village_of)
            .where(HazardPoint.jurisdiction_code >= low, HazardPoint.jurisdiction_code < high)
            .distinct()
        )
    )
    rng = np.random.default_rng([seed, 13])
    names = NameMaker(rng)
    now = clock.now()
    rows, k = [], 0
    for i, (code, _name) in enumerate(villages):
        if i % GAP_EVERY == 5:
            continue
        posts = [("A", "村党支部书记")]
        if code in prone:
            k += 1
            if k % B_GAP_EVERY:
                posts.append(("B", "村两委委员"))
        for post, position in posts:
            name, _gender = names.person()
            rows.append(
                {
                    "name": name,
                    "jurisdiction_code": code,
                    "level": "village",
                    "post": post,
                    "position": position,
                    "mobile": "198" + f"{(len(rows) * 7919 + 1234) % 10**8:08d}",
                    "active": True,
                    "since": now.date().replace(month=1, day=1),
                    "created_at": now,
                    "updated_at": now,
                }
            )
    for i in range(0, len(rows), 5000):
        session.execute(insert(DisasterOfficer), rows[i : i + 5000])
    audit.record(
        session, "demo.build", "disaster_officers", top, after={"officers": len(rows)}, note="demo officers"
    )
    return len(rows)


def _event(session, county: str) -> None:
    if session.scalar(select(func.count()).select_from(DisasterEvent)):
        return
    system = Principal.system(what="demo")
    low, high = division_codes.subtree_bounds(county)
    towns = session.scalars(
        select(Jurisdiction.code)
        .where(Jurisdiction.level == "town", Jurisdiction.code >= low, Jurisdiction.code < high)
        .order_by(Jurisdiction.code)
        .limit(4)
    ).all()
    if not towns:
        return
    occurred = clock.now() - timedelta(hours=30)
    event = processes.open_event(
        session,
        system,
        EventIn(
            name="暴雨引发山体滑坡灾害过程",
            hazard="landslide",
            jurisdiction_code=county,
            occurred_at=occurred,
            note="持续强降雨引发多处山体滑坡 (演示数据)",
        ),
    )
    per_town = [
        {
            "affected_pop": 1860,
            "evacuated": 420,
            "relocated": (312, 140),
            "needing_aid": (260, 120),
            "collapsed_rooms": 9,
            "collapsed_households": 3,
            "severe_rooms": 21,
            "severe_households": 8,
            "general_rooms": 64,
            "crop_affected": 125.5,
            "direct_loss": 860.0,
        },
        {
            "affected_pop": 940,
            "evacuated": 150,
            "relocated": (96, 30),
            "needing_aid": (80, 25),
            "severe_rooms": 6,
            "severe_households": 2,
            "general_rooms": 18,
            "crop_affected": 48.0,
            "direct_loss": 215.0,
        },
        {
            "affected_pop": 420,
            "relocated": (35, 0),
            "general_rooms": 7,
            "crop_affected": 12.0,
            "direct_loss": 56.0,
        },
    ]

    def figures(place, spec):
        out = []
        for ind, v in spec.items():
            cum, cur = v if isinstance(v, tuple) else (v, None)
            out.append(FigureIn(jurisdiction_code=place, indicator=ind, cumulative=cum, current=cur))
        return out

    figs = []
    for town, spec in zip(towns, per_town, strict=False):
        figs += figures(town, spec)
    figs += figures(county, {"deaths": 0, "missing": 0, "injured": 2})
    initial, _ = reports.save(
        session,
        system,
        event.id,
        ReportIn(
            kind="initial",
            jurisdiction_code=county,
            figures=figs,
            submit=True,
            narrative={
                "situation": "受持续强降雨影响, 辖区多处发生山体滑坡, 部分房屋倒塌损坏。",
                "relief": "已紧急转移群众, 开放集中安置点, 发放救灾物资。",
            },
        ),
    )
    reports.decide(session, system, initial.id, True, None)
    first_town = towns[0]
    villages = session.scalars(
        select(Jurisdiction.code)
        .where(Jurisdiction.level == "village", Jurisdiction.code.like(first_town + "%"))
        .order_by(Jurisdiction.code)
        .limit(2)
    ).all()
    for n, village in enumerate(villages):
        r, _ = reports.save(
            session,
            system,
            event.id,
            ReportIn(
                kind="continued",
                jurisdiction_code=village,
                submit=True,
                figures=figures(
                    village,
                    {
                        "affected_pop": 300 + 40 * n,
                        "relocated": (60 + n * 5, 20),
                        "collapsed_rooms": 2 + n,
                        "collapsed_households": 1,
                        "general_rooms": 5,
                    },
                ),
            ),
        )
        if n == 0:
            reports.decide(session, system, r.id, True, None)
    processes.ensure_zero_reports(session, event)
    target = villages[0] if villages else first_town + "001"
    for i, (degree, rooms) in enumerate(
        [("collapsed", 3), ("collapsed", 2), ("severe", 4), ("severe", 2), ("general", 3)]
    ):
        session.add(
            DamagedHouse(
                event_id=event.id,
                jurisdiction_code=target,
                household=f"H{i + 1:03d}",
                head_name=["杨光明", "龙秀英", "吴德海", "田富贵", "石玉兰"][i],
                id_tail=f"{1203 + i * 7:04d}",
                degree=degree,
                rooms=rooms,
                structure="砖木",
            )
        )
    session.flush()


def build(db, data, options, progress) -> None:
    """Officers for most villages and one open process (idempotent: skipped when present)."""
    with db.writing(Actor.system("demo")) as session:
        n = _officers(session, data.top, getattr(options, "seed", 1))
        county = session.scalar(
            select(Jurisdiction.code).where(
                Jurisdiction.level == "county",
                Jurisdiction.code >= data.top,
                Jurisdiction.code.like(data.top + "%"),
                Jurisdiction.code.in_(["520602"]),
            )
        )
        if county is None:
            county = session.scalar(
                select(Jurisdiction.code)
                .where(Jurisdiction.level == "county", Jurisdiction.code.like(data.top + "%"))
                .order_by(Jurisdiction.code)
            )
        if county:
            _event(session, county)
    if progress:
        progress("damage", n, n)
