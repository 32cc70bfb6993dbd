"""Demo registry: an 助理员 in every town, a 宏观测报员 with an observation point in most towns and a
速报员 in about four villages of five (so coverage shows places lacking one), drawn from the people
already living there; a training for each assistant; monthly reports and one rapid report."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import insert, select

from yingji.auth import audit
from yingji.core import clock
from yingji.core.db import Actor, Database
from yingji.org.models import Jurisdiction, Person
from yingji.seismic.codes import ReportState
from yingji.seismic.models import SeismicMember, SeismicReport, SeismicTraining

POINTS = (
    ("well", "村委会旁老水井", "水位、水色、水温"),
    ("spring", "后山泉眼", "泉水流量、浑浊"),
    ("fish_pond", "集镇鱼塘", "鱼类异常跳跃、浮头"),
    ("livestock", "养殖场", "家禽家畜惊恐不安、不进圈"),
)


def build(db: Database, data, options, progress) -> None:
    rng = random.Random(options.seed + 1414)
    today = clock.to_local(clock.now()).date()
    start = date(today.year - 1, 3, 1)
    with db.writing(Actor.system("demo")) as session:
        people: dict[str, list[tuple[int, str | None]]] = {}
        stmt = (
            select(Person.jurisdiction_code, Person.id, Person.mobile)
            .join(Jurisdiction, Jurisdiction.code == Person.jurisdiction_code)
            .where(Jurisdiction.level.in_(("town", "village")), Person.active)
            .order_by(Person.id)
        )
        for code, pid, mobile in session.execute(stmt):
            people.setdefault(code, []).append((pid, mobile))
        levels = dict(
            session.execute(
                select(Jurisdiction.code, Jurisdiction.level).where(
                    Jurisdiction.level.in_(("town", "village"))
                )
            ).all()
        )
        members = []
        for code in sorted(people):
            pool = people[code]
            if levels.get(code) == "town":
                pid, mobile = pool[0]
                members.append(_member(code, "assistant", pid, mobile, start))
                if len(pool) > 1 and rng.random() < 0.8:
                    kind, where, what = POINTS[rng.randrange(len(POINTS))]
                    pid, mobile = pool[1]
                    members.append(_member(code, "macro_observer", pid, mobile, start, kind, where, what))
            elif rng.random() < 0.8:
                pid, mobile = pool[0]
                members.append(_member(code, "reporter", pid, mobile, start))
        ids = []
        for i in range(0, len(members), 2000):
            ids += list(
                session.scalars(insert(SeismicMember).returning(SeismicMember.id), members[i : i + 2000])
            )
        trainings, reports = [], []
        for mid, m in zip(ids, members, strict=True):
            if m["role"] == "assistant":
                trainings.append(
                    {
                        "member_id": mid,
                        "jurisdiction_code": m["jurisdiction_code"],
                        "held_on": start + timedelta(days=30),
                        "course": "防震减灾助理员业务培训(灾情速报与宏观观测)",
                        "hours": 8.0,
                        "result": "合格",
                        "created_at": clock.now(),
                    }
                )
            if m["role"] == "macro_observer":
                for back in (1, 2):
                    month_start = (today.replace(day=1) - timedelta(days=28 * back)).replace(day=1)
                    at = clock.now() - timedelta(days=28 * back)
                    reports.append(_report(mid, m, "monthly", at, f"{month_start:%Y-%m}", "本月观测无异常。"))
        observers = [(mid, m) for mid, m in zip(ids, members, strict=True) if m["role"] == "reporter"][:1]
        for mid, m in observers:
            quick = _report(
                mid, m, "quick", clock.now() - timedelta(days=3), None, "有感地震,部分老旧土坯房墙体开裂。"
            )
            quick |= {"intensity": 4, "houses_damaged": 3}
            reports.append(quick)
        for table, rows in ((SeismicTraining, trainings), (SeismicReport, reports)):
            for i in range(0, len(rows), 5000):
                session.execute(insert(table), rows[i : i + 5000])
        audit.record(
            session,
            "demo.build",
            "seismic_members",
            data.top,
            after={"members": len(members)},
            note="demo seismic registry",
        )
    if progress:
        progress("seismic", len(members), len(members))


def _member(code, role, pid, mobile, start, point=None, where=None, what=None) -> dict:
    now = clock.now()
    return {
        "jurisdiction_code": code,
        "role": role,
        "person_id": pid,
        "phone": mobile,
        "point_type": point,
        "point_location": where,
        "point_object": what,
        "lon": None,
        "lat": None,
        "active_from": start,
        "active_to": None,
        "note": None,
        "created_at": now,
        "updated_at": now,
    }


def _report(mid, m, kind, at, month, text) -> dict:
    return {
        "jurisdiction_code": m["jurisdiction_code"],
        "member_id": mid,
        "kind": kind,
        "state": ReportState.SUBMITTED,
        "occurred_at": at,
        "month": month,
        "location": None,
        "lon": None,
        "lat": None,
        "intensity": None,
        "deaths": 0,
        "injured": 0,
        "houses_collapsed": 0,
        "houses_damaged": 0,
        "description": text,
        "client_key": None,
        "reported_by_user_id": None,
        "reported_by": "demo",
        "created_at": at,
        "updated_at": at,
    }
