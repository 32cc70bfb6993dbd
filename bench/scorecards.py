"""Readiness scorecards for all of Guizhou: the province demo's organisation (1,510 towns with their
emergency committee, office and working groups with responsibility lists; 17,964 villages with their
service station; the three-level grid with its leaders) plus bulk-inserted synthetic rows so that the
items come out mixed: stores with stock, town brigades and village volunteer teams with members
(some under 10), town plans in force (some in draft), drills of this year, information officers,
quarterly HQ meetings, duty rosters, some grid leaders missing, confirmations by hand.

Figure: median seconds of ``yingji.readiness.scorecards.compute(session, "52")`` — every item of
every town's and village's scorecard from live data. Baseline: a plain COUNT over each table the
scorecards read, in the same run. Goal: ≤ 10 s on SQLite on this 2-core machine. ``handbook_s``:
``bench.handbook.handbook_seconds(db, "5206")`` when that module exists (the handbook domain's),
else null.

    python -m bench.scorecards --sqlite /tmp/prov-scorecards.db   # build there once, reuse afterwards
    python -m bench.scorecards --pg postgresql+psycopg://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import collections
import importlib.util
import json
import statistics
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import delete, func, insert, select

from bench.common import fresh_database
from yingji.config import Settings
from yingji.core import clock, migrate, schema
from yingji.core.db import Actor, open_database
from yingji.damage.models import DisasterOfficer
from yingji.demo import builder
from yingji.drills.models import Drill
from yingji.duty.models import Roster, Rotation
from yingji.forces.models import Team, TeamMember
from yingji.org.models import GridAssignment, GridCell, Jurisdiction, Position, Responsibility, Unit
from yingji.plans.models import Plan
from yingji.readiness import scorecards
from yingji.readiness.models import Confirmation, Meeting
from yingji.supplies.models import Balance, Batch, Item, Warehouse

CHUNK = 5000
TABLES = (
    Jurisdiction,
    Unit,
    Position,
    Responsibility,
    GridCell,
    GridAssignment,
    Team,
    TeamMember,
    Warehouse,
    Balance,
    Plan,
    Drill,
    DisasterOfficer,
    Meeting,
    Roster,
    Confirmation,
)


def _put(session, model, rows: list[dict]) -> None:
    for i in range(0, len(rows), CHUNK):
        session.execute(insert(model), rows[i : i + CHUNK])


def build(db) -> None:
    options = builder.DemoOptions(province=True)
    data = builder.generate(options)
    builder.write(db, data)
    related(db)


def related(db) -> None:
    rng = np.random.default_rng(14)
    today = clock.now().astimezone(clock.LOCAL_TZ).date()
    year, quarter = today.year, (today.month - 1) // 3 + 1
    now = clock.now()
    with db.reading() as s:
        towns = list(s.scalars(select(Jurisdiction.code).where(Jurisdiction.level == "town")))
        villages = list(s.scalars(select(Jurisdiction.code).where(Jurisdiction.level == "village")))
        committees = dict(
            s.execute(select(Unit.jurisdiction_code, Unit.id).where(Unit.kind == "emergency_committee")).all()
        )
        staff = collections.defaultdict(list)
        for code, pid in s.execute(
            select(Position.jurisdiction_code, Position.person_id).where(
                func.length(Position.jurisdiction_code) == 9
            )
        ):
            staff[code].append(pid)
        group_leaders = list(
            s.scalars(
                select(GridAssignment.id).where(
                    GridAssignment.role == "leader", func.length(GridAssignment.jurisdiction_code) == 15
                )
            )
        )
    with db.writing(Actor.system("bench")) as s:
        item = {
            "code": "B-RDY-1",
            "name": "折叠床",
            "category": "shelter",
            "unit": "张",
            "standard": True,
            "active": True,
        }
        item_id = s.execute(insert(Item).returning(Item.id), [item]).scalar_one()
        batch_id = s.execute(
            insert(Batch).returning(Batch.id),
            [
                {
                    "item_id": item_id,
                    "batch_no": "B1",
                    "owner_code": "52",
                    "jurisdiction_code": "52",
                    "created_at": now,
                }
            ],
        ).scalar_one()
        stores, places = [], []
        for code, share in [(t, 0.8) for t in towns] + [(v, 0.45) for v in villages]:
            if rng.random() < share:
                level = "town" if len(code) == 9 else "village"
                stores.append(
                    {
                        "code": f"BW{code}",
                        "name": "储备点",
                        "level": level,
                        "jurisdiction_code": code,
                        "active": True,
                        "created_at": now,
                        "updated_at": now,
                    }
                )
                places.append(code)
        _put(s, Warehouse, stores)
        ids = dict(
            s.execute(
                select(Warehouse.jurisdiction_code, Warehouse.id).where(Warehouse.code.like("BW%"))
            ).all()
        )
        balances = [
            {
                "warehouse_id": ids[c],
                "batch_id": batch_id,
                "item_id": item_id,
                "jurisdiction_code": c,
                "qty": 0 if rng.random() < 0.1 else int(rng.integers(1, 200)),
                "updated_at": now,
            }
            for c in places
        ]
        _put(s, Balance, balances)
        teams, sizes = [], []
        for t in towns:
            if rng.random() < 0.85:
                teams.append(("town_brigade", t))
                sizes.append(int(rng.integers(0, 40)))
        for v in villages:
            if rng.random() < 0.75:
                teams.append(("village_volunteer", v))
                sizes.append(int(rng.integers(4, 20)))
        _put(
            s,
            Team,
            [
                {
                    "code": f"BT-{kind}-{code}",
                    "name": "队伍",
                    "kind": kind,
                    "jurisdiction_code": code,
                    "capabilities": "",
                    "readiness": "on_call",
                    "readiness_since": now,
                    "member_count": n,
                    "active": True,
                    "created_at": now,
                    "updated_at": now,
                }
                for (kind, code), n in zip(teams, sizes, strict=True)
            ],
        )
        team_ids = dict(s.execute(select(Team.code, Team.id).where(Team.code.like("BT-%"))).all())
        members = []
        for (kind, code), n in zip(teams, sizes, strict=True):
            tid = team_ids[f"BT-{kind}-{code}"]
            members += [
                {
                    "team_id": tid,
                    "jurisdiction_code": code,
                    "name": "队员",
                    "mobile": f"1{tid:06d}{k:04d}",
                    "role": "member",
                    "available": True,
                    "created_at": now,
                    "updated_at": now,
                }
                for k in range(n)
            ]
        _put(s, TeamMember, members)
        _put(
            s,
            Plan,
            [
                {
                    "code": f"BP-{t}",
                    "title": "乡镇应急预案",
                    "kind": "township",
                    "jurisdiction_code": t,
                    "issuer": "镇政府",
                    "state": "issued" if rng.random() < 0.85 else "drafting",
                    "version_no": 1,
                    "event_categories": [],
                }
                for t in towns
                if rng.random() < 0.9
            ],
        )
        drills = [
            {
                "jurisdiction_code": c,
                "year": year,
                "title": "演练",
                "form": "live",
                "scope": "single",
                "purpose": "test",
                "notice_time": True,
                "notice_scenario": True,
                "state": "ended" if rng.random() < 0.8 else "planned",
                "created_at": now,
                "updated_at": now,
            }
            for c in towns + villages
            if rng.random() < (0.7 if len(c) == 9 else 0.35)
        ]
        _put(s, Drill, drills)
        _put(
            s,
            DisasterOfficer,
            [
                {
                    "name": "信息员",
                    "jurisdiction_code": v,
                    "level": "village",
                    "post": "A",
                    "active": True,
                    "created_at": now,
                    "updated_at": now,
                }
                for v in villages
                if rng.random() < 0.9
            ],
        )
        meetings = []
        for t in towns:
            if rng.random() < 0.6:
                for q in range(1, quarter + 1):
                    if rng.random() < 0.85:
                        held = min(date(year, 3 * q - 1, 10), today)
                        meetings.append(
                            {
                                "jurisdiction_code": t,
                                "held_on": held,
                                "year": year,
                                "quarter": q,
                                "title": "应急例会",
                                "attendees": "书记\n镇长",
                                "agenda": "研判形势",
                                "recorded_by": "bench",
                                "created_at": now,
                                "updated_at": now,
                            }
                        )
        _put(s, Meeting, meetings)
        rosters = []
        for t in towns:
            if rng.random() < 0.6 and t in committees and len(staff[t]) >= 2:
                rosters.append(
                    {
                        "unit_id": committees[t],
                        "jurisdiction_code": t,
                        "name": "值班表",
                        "shift_start_minute": 510,
                        "timezone": "Asia/Shanghai",
                        "gap_days": 7,
                        "active": True,
                        "created_at": now,
                        "updated_at": now,
                    }
                )
        _put(s, Roster, rosters)
        roster_ids = dict(s.execute(select(Roster.jurisdiction_code, Roster.id)).all())
        rotations = []
        for t, rid in roster_ids.items():
            people = staff[t]
            rotations.append(
                {
                    "roster_id": rid,
                    "role": "leader",
                    "starts_on": today - timedelta(days=30),
                    "members": people[:2],
                    "days_per_turn": 1,
                    "per_shift": 1,
                    "jurisdiction_code": t,
                }
            )
            if rng.random() < 0.8:  # the rest have no officer rotation: a gap every day
                rotations.append(
                    {
                        "roster_id": rid,
                        "role": "officer",
                        "starts_on": today - timedelta(days=30),
                        "members": people[2:5] or people[:1],
                        "days_per_turn": 1,
                        "per_shift": 1,
                        "jurisdiction_code": t,
                    }
                )
        _put(s, Rotation, rotations)
        dropped = [g for g in group_leaders if rng.random() < 0.01]
        for i in range(0, len(dropped), CHUNK):
            s.execute(delete(GridAssignment).where(GridAssignment.id.in_(dropped[i : i + CHUNK])))
        _put(
            s,
            Confirmation,
            [
                {
                    "jurisdiction_code": t,
                    "level": "town",
                    "item_ref": "town_863.net_publicity",
                    "note": "台账齐全",
                    "override": False,
                    "confirmed_by": "bench",
                    "confirmed_at": now,
                    "expires_on": date(year, 12, 31),
                }
                for t in towns
                if rng.random() < 0.5
            ],
        )


def baseline(session) -> None:
    for model in TABLES:
        session.scalar(select(func.count()).select_from(model))


def timed(fn, runs: int = 5) -> float:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return statistics.median(out)


def handbook(db) -> float | None:
    if importlib.util.find_spec("bench.handbook") is None:
        return None
    from bench.handbook import handbook_seconds

    return round(handbook_seconds(db, "5206"), 2)


def run(db) -> dict:
    with db.reading() as session:
        cards = scorecards.compute(session, "52")
        figure = timed(lambda: scorecards.compute(session, "52"))
        base = timed(lambda: baseline(session))
    towns = sum(1 for c in cards if c.place.level == "town")
    villages = len(cards) - towns
    met, total = sum(c.met for c in cards), sum(c.total for c in cards)
    full = sum(1 for c in cards if c.met == c.total)
    by_item = collections.Counter(r.item.ref for c in cards for r in c.items if r.met)
    print(f"towns {towns}, villages {villages}, items met {met} / {total}, full scorecards {full}")
    print("met per item:", ", ".join(f"{k} {v}" for k, v in sorted(by_item.items())))
    hb = handbook(db)
    if hb is None:
        print("handbook_s: null (bench/handbook.py is not in this branch)")
    return {
        "name": "scorecards",
        "figure": round(figure, 3),
        "unit": "s",
        "baseline": round(base, 4),
        "ratio": round(figure / base, 1) if base else None,
        "towns": towns,
        "villages": villages,
        "handbook_s": hb,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sqlite", help="a SQLite file to build the province in once and reuse")
    parser.add_argument("--pg", help="a PostgreSQL server URL (a fresh database is made and dropped)")
    args = parser.parse_args()
    if args.sqlite:
        path = Path(args.sqlite)
        fresh = not path.exists()
        db = open_database(
            Settings(
                database_url=f"sqlite:///{path}", secret_key="b", var_dir=path.parent, inprocess_worker=False
            )
        )
        migrate.upgrade(db.engine)
        # a kept database built while a later revision was still reserved (empty) lacks its tables
        schema.metadata.create_all(db.engine)
        if fresh:
            build(db)
        out = run(db)
        db.dispose()
    else:
        with fresh_database(args.pg, "scorecards") as db:
            build(db)
            out = run(db)
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
