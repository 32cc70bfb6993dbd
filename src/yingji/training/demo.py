"""Demo data of training and publicity (called from ``demo.builder.DEMO_EXTRAS``), bulk-inserted:
courses of the city; per county this year an enterprise-heads class (12 or 16 学时 by sector), a town
staff class, a rescue-teams online course; per town a class for village staff and 灾害信息员; their
participants (person-times in the thousands). Some people are left out or short of hours on purpose,
so the overdue tables have something to show. Publicity events on the national days and into the
五进 targets. Idempotent: skipped when courses exist."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, insert, select

from yingji.auth import audit
from yingji.core import clock
from yingji.core.db import Actor
from yingji.damage.models import DisasterOfficer
from yingji.forces.models import Team, TeamMember
from yingji.org.codes import subtree_bounds
from yingji.org.models import Jurisdiction, Person, Position, Unit
from yingji.risk.models import Enterprise
from yingji.rules import load
from yingji.training import obligations
from yingji.training.codes import CourseMode, Result, Role, SessionState, Via
from yingji.training.models import PublicityEvent, TrainingCourse, TrainingParticipant, TrainingSession

SKIP_EVERY = 6  # every 6th person obliged is left out of the demo's classes (overdue)

COURSES = [
    (
        "主要负责人和安全生产管理人员年度再培训",
        CourseMode.OFFLINE,
        12,
        "安全生产法律法规; 双重预防机制; 事故案例",
        "enterprise_head,safety_manager",
    ),
    (
        "高危行业主要负责人和安全管理人员再培训",
        CourseMode.OFFLINE,
        16,
        "危险化学品; 非煤矿山; 烟花爆竹",
        "enterprise_head,safety_manager",
    ),
    ("乡镇应急管理业务培训", CourseMode.OFFLINE, 8, "指挥调度; 预案管理; 信息报送", "town_staff"),
    (
        "村级应急服务站和灾害信息员培训",
        CourseMode.ONLINE,
        4,
        "灾情报送; 预警叫应; 转移避险",
        "village_staff,info_officer",
    ),
    (
        "应急救援队伍理论培训(地震、山岳、水域、交通事故救援)",
        CourseMode.ONLINE,
        6,
        "地震救援; 山岳救援; 水域救援",
        "team_member",
    ),
    (
        "防汛抗旱应急演练(以练代训)",
        CourseMode.DRILL,
        4,
        "防汛; 转移避险",
        "town_staff,village_staff,team_member",
    ),
]


def _day(today: date, days_back: int) -> date:
    return max(date(today.year, 1, 1), today - timedelta(days=days_back))


class _Writer:
    def __init__(self, session, now) -> None:
        self.session, self.now = session, now
        self.rows: list[dict] = []

    def session_row(self, course: TrainingCourse, code: str, title: str, on: date, place: str, **kw) -> int:
        s = TrainingSession(
            course_id=course.id,
            title=title,
            mode=course.mode,
            starts_on=on,
            ends_on=on + timedelta(days=1 if course.hours > 8 else 0),
            place=place,
            jurisdiction_code=code,
            hours=course.hours,
            state=SessionState.HELD.value if on <= self.now.date() else SessionState.PLANNED.value,
            **kw,
        )
        self.session.add(s)
        self.session.flush()
        return s

    def add(self, s: TrainingSession, *, kind, role, ref, home, name, hours=None, result="passed", **ids):
        self.rows.append(
            {
                "session_id": s.id,
                "jurisdiction_code": s.jurisdiction_code,
                "home_code": home,
                "year": s.starts_on.year,
                "held_on": s.starts_on,
                "kind": kind,
                "role": role,
                "ref_key": ref,
                "name": (name or "—")[:60],
                "hours": s.hours if hours is None else hours,
                "result": result,
                "via": Via.DESK.value,
                "signed_in_at": self.now,
                "person_id": ids.get("person_id"),
                "member_id": ids.get("member_id"),
                "enterprise_id": ids.get("enterprise_id"),
                "officer_id": ids.get("officer_id"),
                "unit_name": ids.get("unit_name"),
            }
        )

    def flush(self) -> int:
        for i in range(0, len(self.rows), 5000):
            self.session.execute(insert(TrainingParticipant), self.rows[i : i + 5000])
        n, self.rows = len(self.rows), []
        return n


def _towns(session, low: str, high: str) -> list:
    """The towns (code, name) between two bounds of the code tree."""
    return session.execute(
        select(Jurisdiction.code, Jurisdiction.name)
        .where(Jurisdiction.level == "town", Jurisdiction.code >= low, Jurisdiction.code < high)
        .order_by(Jurisdiction.code)
    ).all()


def _staff(session, units: tuple, low: str, high: str) -> list:
    """The people (id, name, home code, unit name) holding a position in the units ``units`` pick
    between two bounds of the code tree, once each."""
    return session.execute(
        select(
            Position.person_id,
            func.min(Person.name),
            func.min(Unit.jurisdiction_code),
            func.min(Unit.name),
        )
        .join(Unit, Unit.id == Position.unit_id)
        .join(Person, Person.id == Position.person_id)
        .where(*units, Unit.jurisdiction_code >= low, Unit.jurisdiction_code < high)
        .group_by(Position.person_id)
        .order_by(Position.person_id)
    ).all()


def _add_staff(w, s, role: Role, staff: list, *, skip: int, failing: int | None = None) -> None:
    """The staff into a class, but for every SKIP_EVERY-th (``skip`` on) left out; with ``failing``,
    every 25th (from ``failing`` on) did not pass."""
    for i, (pid, name, home, unit) in enumerate(staff):
        if i % SKIP_EVERY == skip:
            continue
        failed = failing is not None and i % 25 == failing
        w.add(
            s,
            kind="person",
            role=role.value,
            ref=f"p:{pid}",
            home=home,
            name=name,
            person_id=pid,
            unit_name=unit,
            result=Result.FAILED.value if failed else Result.PASSED.value,
        )


def _training(session, top: str, today: date, now) -> int:
    courses = []
    for title, mode, hours, topics, audience in COURSES:
        c = TrainingCourse(
            title=title, mode=mode.value, hours=hours, topics=topics, audience=audience, jurisdiction_code=top
        )
        session.add(c)
        courses.append(c)
    session.flush()
    general, risky, town_c, village_c, team_c, drill_c = courses
    high = obligations.rules()["high_risk_industries"]
    w = _Writer(session, now)
    low, high_b = subtree_bounds(top)
    counties = session.execute(
        select(Jurisdiction.code, Jurisdiction.name)
        .where(Jurisdiction.level == "county", Jurisdiction.code >= low, Jurisdiction.code < high_b)
        .order_by(Jurisdiction.code)
    ).all()
    total = 0
    for ci, (county, cname) in enumerate(counties):
        c_low, c_high = subtree_bounds(county)
        # enterprise heads and safety managers: one class per sector group; every SKIP_EVERY-th missing,
        # every 9th present for only part of the hours
        ents = session.execute(
            select(
                Enterprise.id,
                Enterprise.name,
                Enterprise.jurisdiction_code,
                Enterprise.industry,
                Enterprise.hazardous_chemicals,
                Enterprise.principal_name,
                Enterprise.safety_manager_name,
            )
            .where(
                Enterprise.jurisdiction_code >= c_low,
                Enterprise.jurisdiction_code < c_high,
                Enterprise.status == "active",
            )
            .order_by(Enterprise.id)
        ).all()
        s_gen = w.session_row(
            general,
            county,
            f"{cname}{general.title}",
            _day(today, 200 - ci),
            f"{cname}应急管理局培训室",
            organiser=f"{cname}应急管理局",
            teacher="市应急管理局专家组",
        )
        s_risk = w.session_row(
            risky,
            county,
            f"{cname}{risky.title}",
            _day(today, 180 - ci),
            f"{cname}应急管理局培训室",
            organiser=f"{cname}应急管理局",
            teacher="晋城市安全生产专家",
        )
        for i, e in enumerate(ents):
            if i % SKIP_EVERY == 3:
                continue
            is_risky = e.industry in high["codes"] or e.hazardous_chemicals
            s = s_risk if is_risky else s_gen
            part = s.hours / 2 if i % 9 == 4 else None
            for role, name in (
                (Role.ENTERPRISE_HEAD, e.principal_name),
                (Role.SAFETY_MANAGER, e.safety_manager_name),
            ):
                if name:
                    w.add(
                        s,
                        kind="enterprise",
                        role=role.value,
                        ref=f"e:{e.id}:{role.value}",
                        home=e.jurisdiction_code,
                        name=name,
                        hours=part,
                        enterprise_id=e.id,
                        unit_name=e.name[:200],
                    )
        # town staff of the county's towns
        s_town = w.session_row(
            town_c,
            county,
            f"{cname}{town_c.title}",
            _day(today, 150 - ci),
            f"{cname}党校",
            organiser=f"{cname}应急管理局",
            teacher="县应急管理局",
        )
        town_units = (
            Unit.kind.in_(obligations.STAFF_UNIT_KINDS[Role.TOWN_STAFF][0]),
            func.length(Unit.jurisdiction_code) == 9,
        )
        _add_staff(w, s_town, Role.TOWN_STAFF, _staff(session, town_units, c_low, c_high), skip=1)
        # rescue teams: everyone, online (seed 000: 应急队伍人员培训的全覆盖)
        s_team = w.session_row(
            team_c,
            county,
            f"{cname}{team_c.title}",
            _day(today, 120 - ci),
            "线上平台",
            organiser=f"{cname}应急管理局",
            teacher="消防救援大队",
        )
        members = session.execute(
            select(TeamMember.id, TeamMember.name, TeamMember.person_id, Team.jurisdiction_code, Team.name)
            .join(Team, Team.id == TeamMember.team_id)
            .where(Team.jurisdiction_code >= c_low, Team.jurisdiction_code < c_high)
            .order_by(TeamMember.id)
        ).all()
        for mid, name, pid, home, team in members:
            ref = f"p:{pid}" if pid else f"m:{mid}"
            w.add(
                s_team,
                kind="member",
                role=Role.TEAM_MEMBER.value,
                ref=ref,
                home=home,
                name=name,
                member_id=mid,
                person_id=pid,
                unit_name=team,
            )
        # village staff and officers, one online class per town
        towns = _towns(session, c_low, c_high)
        for ti, (town, tname) in enumerate(towns):
            t_low, t_high = subtree_bounds(town)
            s_v = w.session_row(
                village_c,
                town,
                f"{tname}{village_c.title}",
                _day(today, 90 - ti % 60),
                f"{tname}人民政府会议室",
                organiser=f"{tname}应急管理办公室",
                teacher=f"{cname}应急管理局",
            )
            vstaff = _staff(session, (Unit.kind == "service_station",), t_low, t_high)
            _add_staff(w, s_v, Role.VILLAGE_STAFF, vstaff, skip=2, failing=7)
            officers = session.execute(
                select(
                    DisasterOfficer.id,
                    DisasterOfficer.name,
                    DisasterOfficer.jurisdiction_code,
                    DisasterOfficer.person_id,
                )
                .where(
                    DisasterOfficer.jurisdiction_code >= t_low,
                    DisasterOfficer.jurisdiction_code < t_high,
                    DisasterOfficer.active,
                )
                .order_by(DisasterOfficer.id)
            ).all()
            for i, (oid, name, home, pid) in enumerate(officers):
                if i % SKIP_EVERY != 4:
                    w.add(
                        s_v,
                        kind="officer",
                        role=Role.INFO_OFFICER.value,
                        ref=f"p:{pid}" if pid else f"o:{oid}",
                        home=home,
                        name=name,
                        officer_id=oid,
                        person_id=pid,
                    )
        # a drill used as training, and one planned class next month
        w.session_row(
            drill_c,
            county,
            f"{cname}{drill_c.title}",
            _day(today, 60 - ci),
            f"{cname}河道",
            organiser=f"{cname}防汛抗旱指挥部",
        )
        w.session_row(
            town_c,
            county,
            f"{cname}{town_c.title}(下期)",
            today + timedelta(days=20 + ci),
            f"{cname}党校",
            organiser=f"{cname}应急管理局",
        )
        total += w.flush()
    return total


def _publicity(session, top: str, today: date) -> int:
    cal = load("publicity_calendar.json")
    five = [t["code"] for t in cal["targets"] if t["set"] == "five"]
    low, high = subtree_bounds(top)
    towns = _towns(session, low, high)
    rows, now = [], clock.now()
    for ti, (town, tname) in enumerate(towns):
        for di, d in enumerate(cal["days"]):
            on = date(today.year, d["month"], d["day"] + (ti % 5 if d.get("through_month") else 0))
            if on > today:
                on = on.replace(year=today.year - 1)
            target = five[(ti + di) % len(five)]
            label = next(t["zh"] for t in cal["targets"] if t["code"] == target)
            rows.append(
                {
                    "title": f"{d['zh']}安全宣传{label}",
                    "target": target,
                    "day": d["code"],
                    "held_on": on,
                    "place": f"{tname}",
                    "jurisdiction_code": town,
                    "organiser": f"{tname}应急管理办公室",
                    "audience": 80 + (ti * 37 + di * 53) % 400,
                    "materials": 100 + (ti * 29 + di * 41) % 500,
                    "materials_note": "三清单一手册、宣传折页",
                    "created_at": now,
                    "updated_at": now,
                }
            )
    for i in range(0, len(rows), 5000):
        session.execute(insert(PublicityEvent), rows[i : i + 5000])
    return len(rows)


def build(db, data, options, progress) -> None:
    with db.writing(Actor.system("demo")) as session:
        if session.scalar(select(func.count()).select_from(TrainingCourse)):
            return
        now = clock.now()
        n = _training(session, data.top, now.date(), now)
        m = _publicity(session, data.top, now.date())
        audit.record(
            session,
            "demo.build",
            "training_participants",
            data.top,
            after={"participants": n, "publicity_events": m},
            note="demo training and publicity",
        )
    if progress:
        progress("training", n, n)
