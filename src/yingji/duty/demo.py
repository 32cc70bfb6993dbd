"""Demo data of duty: rosters for the city's and each county's command centre (应急指挥中心) and
each town's emergency office, from the people the organisation demo posted there; the routine
report settings and two special periods; a few days of reports (some late, some missing); a few
handovers with open items; two leader leaves. Bulk inserts, deterministic for a seed."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from yingji.auth import audit
from yingji.core import clock
from yingji.core.db import Actor, Database
from yingji.duty import rotation
from yingji.duty.deadlines import DEFAULTS, Rules
from yingji.duty.models import (
    Handover,
    HandoverItem,
    Leave,
    ReportSetting,
    Roster,
    Rotation,
    RoutineReport,
    SpecialPeriod,
)
from yingji.org.models import Jurisdiction, Position, Unit

ROTATION_START = date(2026, 1, 1)
REPORT_DAYS = 4  # today and the three days before
SUMMARIES = [
    "辖区内无突发事件发生,值班值守正常。",
    "辖区内发生一起轻微道路交通事故,无人员伤亡,已处置完毕。",
    "持续降雨,已安排专人巡查地质灾害隐患点,未发现异常。",
    "开展森林防火巡查,未发现火情。",
]
OPEN_ITEMS = [
    "跟踪某镇山体滑坡隐患点监测情况",
    "督促未报送零报告的乡镇补报",
    "核实群众来电反映的道路积水情况",
]


def _duty_units(session: Session) -> list[Unit]:
    """The city's and counties' command centres and the towns' emergency offices."""
    return list(
        session.scalars(
            select(Unit)
            .where((Unit.code.like("%-YJJ-D02")) | (Unit.kind == "committee_office"))
            .order_by(Unit.jurisdiction_code, Unit.id)
        )
    )


def _posts(session: Session, unit_ids: list[int]) -> dict[int, list[Position]]:
    out: dict[int, list[Position]] = defaultdict(list)
    for p in session.scalars(
        select(Position).where(Position.unit_id.in_(unit_ids)).order_by(Position.sort, Position.id)
    ):
        out[p.unit_id].append(p)
    return out


def _plan(unit: Unit, posts: dict[int, list[Position]], committee: dict[str, int]) -> dict[str, tuple]:
    """Rotations of a unit: (members, days_per_turn, per_shift) by role."""
    mine = posts[unit.id]
    officers = [p.person_id for p in mine if p.role == "duty_officer"]
    if unit.kind == "committee_office":
        leaders = [
            p.person_id
            for p in posts[committee.get(unit.jurisdiction_code, -1)]
            if p.role in ("chief", "deputy")
        ]
        backups = [p.person_id for p in mine if p.role == "director"]
        return {"leader": (leaders, 1, 1), "officer": (officers, 1, 1), "backup": (backups, 1, 1)}
    leaders = [p.person_id for p in mine if p.role == "duty_leader"]
    backups = [p.person_id for p in mine if p.role in ("chief", "member")]
    return {"leader": (leaders, 1, 1), "officer": (officers, 1, 2), "backup": (backups, 1, 1)}


def build(db: Database, data, options, progress) -> None:
    """Rosters, settings, reports, handovers and leaves for the demo city."""
    rng = random.Random(options.seed * 31 + 3)
    now = clock.now()
    today = rotation.local_today(now, clock.LOCAL_TZ)
    top = data.top
    with db.writing(Actor.system("demo")) as session:
        units = _duty_units(session)
        committees = {
            u.jurisdiction_code: u.id
            for u in session.scalars(select(Unit).where(Unit.kind == "emergency_committee"))
        }
        posts = _posts(session, [u.id for u in units] + list(committees.values()))
        session.execute(
            insert(Roster),
            [
                {
                    "unit_id": u.id,
                    "jurisdiction_code": u.jurisdiction_code,
                    "name": f"{u.name}值班表",
                    "shift_start_minute": 510,
                    "timezone": "Asia/Shanghai",
                    "gap_days": 7,
                    "active": True,
                    "created_at": now,
                    "updated_at": now,
                }
                for u in units
            ],
        )
        roster_of = dict(session.execute(select(Roster.unit_id, Roster.id)).all())
        rotations = []
        for u in units:
            for role, (members, days, per_shift) in _plan(u, posts, committees).items():
                if members:
                    rotations.append(
                        {
                            "roster_id": roster_of[u.id],
                            "role": role,
                            "starts_on": ROTATION_START,
                            "members": members,
                            "days_per_turn": days,
                            "per_shift": per_shift,
                            "jurisdiction_code": u.jurisdiction_code,
                            "created_at": now,
                            "updated_at": now,
                        }
                    )
        session.execute(insert(Rotation), rotations)
        _settings(session, top, today, now)
        reports = _reports(session, rng, top, today, now)
        handovers = _handovers(session, units, roster_of, today, now)
        leaves = _leaves(session, units, posts, now)
        audit.record(
            session,
            "demo.build",
            "duty",
            top,
            after={"rosters": len(units), "rotations": len(rotations), "reports": reports}
            | {"handovers": handovers, "leaves": leaves},
            note="duty demo data generated by yingji demo",
        )
    progress("duty", 1, 1)


def _settings(session: Session, top: str, today: date, now) -> None:
    session.execute(
        insert(ReportSetting),
        [
            {
                "jurisdiction_code": top,
                "level": level,
                "deadline_minute": d.deadline_minute,
                "remind_minutes": d.remind_minutes,
                "active": True,
                "note": "默认:乡镇16:00前、县区17:00前报送(可调整)",
                "created_at": now,
                "updated_at": now,
            }
            for level, d in DEFAULTS.items()
        ],
    )
    twice = {"town": [9 * 60, 16 * 60], "county": [10 * 60, 17 * 60]}
    year = today.year
    session.execute(
        insert(SpecialPeriod),
        [
            {
                "jurisdiction_code": top,
                "name": f"{year}年主汛期",
                "kind": "flood_season",
                "starts_on": date(year, 6, 1),
                "ends_on": date(year, 8, 31),
                "deadlines": twice,
                "note": "主汛期每日两次报送",
                "created_at": now,
                "updated_at": now,
            },
            {
                "jurisdiction_code": top,
                "name": f"{year}年国庆假期",
                "kind": "holiday",
                "starts_on": date(year, 10, 1),
                "ends_on": date(year, 10, 7),
                "deadlines": twice,
                "note": "节假日每日两次报送",
                "created_at": now,
                "updated_at": now,
            },
        ],
    )


def _reports(session: Session, rng: random.Random, top: str, today: date, now) -> int:
    """Past days: most on time, some late, a few missing; today: about half sent so far."""
    rules = Rules.load(session)
    places = session.scalars(
        select(Jurisdiction)
        .where(Jurisdiction.level.in_(("county", "town")), Jurisdiction.code.startswith(top))
        .order_by(Jurisdiction.code)
    ).all()
    rows = []
    for place in places:
        for back in range(REPORT_DAYS - 1, -1, -1):
            day = today - timedelta(days=back)
            for slot in rules.slots(place.code, place.level, day):
                roll = rng.random()
                if slot.deadline_at > now and roll < 0.5:
                    continue
                if roll < 0.05:
                    continue  # missing
                late = roll < 0.15
                sent = (
                    slot.deadline_at + timedelta(minutes=rng.randint(5, 150))
                    if late
                    else (slot.deadline_at - timedelta(minutes=rng.randint(10, 300)))
                )
                if sent > now:
                    continue
                daily = rng.random() < 0.3
                rows.append(
                    {
                        "jurisdiction_code": place.code,
                        "level": place.level,
                        "report_date": day,
                        "slot": slot.slot,
                        "kind": "daily" if daily else "zero",
                        "summary": rng.choice(SUMMARIES[1:]) if daily else SUMMARIES[0],
                        "deadline_at": slot.deadline_at,
                        "submitted_at": sent,
                        "late": late,
                        "submitted_by": f"{place.name}值班员",
                    }
                )
    if rows:
        session.execute(insert(RoutineReport), rows)
    return len(rows)


def _handovers(session: Session, units: list[Unit], roster_of: dict, today: date, now) -> int:
    """The command centres' last three handovers, with open items carried over."""
    centres = [u for u in units if u.kind != "committee_office"][:3]
    count = 0
    for u in centres:
        rid = roster_of[u.id]
        for back in (3, 2, 1):
            day = today - timedelta(days=back)
            _start, end = rotation.shift_window(day, 510, clock.LOCAL_TZ)
            written = min(end - timedelta(minutes=10), now)
            hid = session.execute(
                insert(Handover)
                .values(
                    roster_id=rid,
                    shift_date=day,
                    jurisdiction_code=u.jurisdiction_code,
                    summary=SUMMARIES[back % len(SUMMARIES)],
                    written_by=f"{u.name}值班员",
                    written_at=written,
                    confirmed_by=f"{u.name}值班员" if back > 1 else None,
                    confirmed_at=written + timedelta(minutes=15) if back > 1 else None,
                )
                .returning(Handover.id)
            ).scalar_one()
            if back in (3, 2):
                session.execute(
                    insert(HandoverItem),
                    [
                        {
                            "roster_id": rid,
                            "jurisdiction_code": u.jurisdiction_code,
                            "text": OPEN_ITEMS[back - 2],
                            "opened_handover_id": hid,
                            "opened_at": written,
                        }
                    ],
                )
            count += 1
    return count


def _leaves(session: Session, units: list[Unit], posts: dict[int, list[Position]], now) -> int:
    """A county leader away today (approved, a deputy acting) and one awaiting approval."""
    counties = [u for u in units if u.kind != "committee_office" and len(u.jurisdiction_code) == 6][:2]
    rows = []
    for i, u in enumerate(counties):
        leaders = [p.person_id for p in posts[u.id] if p.role == "duty_leader"]
        if len(leaders) < 2:
            continue
        approved = i == 0
        rows.append(
            {
                "person_id": leaders[1],
                "unit_id": u.id,
                "jurisdiction_code": u.jurisdiction_code,
                "starts_at": now - timedelta(hours=6) if approved else now + timedelta(days=2),
                "ends_at": now + timedelta(days=2) if approved else now + timedelta(days=4),
                "destination": "贵阳市(参加全省应急管理工作会议)" if approved else "北京市(培训)",
                "reason": "公务外出",
                "deputy_person_id": leaders[2 % len(leaders)],
                "status": "approved" if approved else "pending",
                "requested_by": f"{u.name}值班员",
                "decided_by": "市应急管理局" if approved else None,
                "decided_at": now - timedelta(hours=8) if approved else None,
                "created_at": now,
                "updated_at": now,
            }
        )
    if rows:
        session.execute(insert(Leave), rows)
    return len(rows)
