"""Demo incident history: a few hundred incidents over the last three years in the counties built in
detail, graded and given deadlines by the rules engine, with their reports, receipts (met, late, a
few missed) and timelines, and a handful open now. Bulk inserts; deterministic for a seed and a day."""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import insert, select

from yingji.auth import audit
from yingji.core import clock
from yingji.core.db import Actor, Database
from yingji.core.errors import ValidationFailed
from yingji.incidents import levels, notices
from yingji.incidents.assess import grading_kind, measures_of
from yingji.incidents.deadlines import DUE_JOB, zh
from yingji.incidents.models import (
    MEASURES,
    Incident,
    IncidentNumberCounter,
    IncidentReceipt,
    IncidentReport,
    ReportingDeadline,
    TimelineEvent,
)
from yingji.incidents.status import IncidentStatus as S
from yingji.jobs import queue
from yingji.rules import grading

PER_COUNTY = 60
MAX_TOTAL = 600
OPEN_NOW = 6
YEARS = 3
# (subcategory, weight, typical figures generator name)
CATEGORIES = [
    ("natural.geological", 22, "geo"),
    ("natural.flood_drought", 16, "flood"),
    ("natural.meteorological", 8, "flood"),
    ("natural.forest_fire", 8, "fire"),
    ("accident.road_traffic", 18, "traffic"),
    ("accident.fire", 10, "fire"),
    ("accident.production", 10, "work"),
    ("health.food_occupational", 3, "none"),
    ("social.other", 2, "none"),
]
TITLES = {
    "natural.geological": ("山体滑坡", "崩塌", "泥石流", "地面塌陷"),
    "natural.flood_drought": ("山洪", "内涝", "河水漫堤"),
    "natural.meteorological": ("冰雹", "大风", "暴雨"),
    "natural.forest_fire": ("山火", "林区火情"),
    "accident.road_traffic": ("车辆侧翻", "两车相撞", "货车坠崖"),
    "accident.fire": ("民房火灾", "商铺火灾"),
    "accident.production": ("工地坍塌", "矿山事故", "机械伤害"),
    "health.food_occupational": ("集体食物中毒",),
    "social.other": ("群体性事件",),
}


def _figures(rng: random.Random, profile: str) -> dict[str, int]:
    f = dict.fromkeys(MEASURES, 0)
    severe = rng.random() < 0.06
    if profile == "geo":
        f["threatened_people"] = rng.randint(5, 600 if severe else 80)
        f["potential_loss_cny"] = rng.randint(1, 80) * 100_000
        if rng.random() < 0.35:
            f["deaths"] = rng.choice([0, 0, 1, 1, 2, 3, 4] if severe else [0, 0, 1])
            f["direct_loss_cny"] = rng.randint(1, 50 if severe else 8) * 100_000
            f["collapsed_rooms"] = rng.randint(0, 12)
    elif profile == "flood":
        f["relocated"] = rng.randint(0, 3000 if severe else 300)
        f["affected"] = f["relocated"] * rng.randint(2, 6)
        f["collapsed_rooms"] = rng.randint(0, 40)
        f["collapsed_households"] = f["collapsed_rooms"] // 3
        f["direct_loss_cny"] = rng.randint(1, 300) * 10_000
        f["deaths"] = rng.choice([0, 0, 0, 1, 2]) if severe else 0
    elif profile == "traffic":
        f["deaths"] = rng.choice([0, 0, 1, 1, 2, 3] if severe else [0, 0, 0, 1])
        f["injuries"] = rng.randint(0, 8)
        f["serious_injuries"] = rng.randint(0, 3)
        f["direct_loss_cny"] = rng.randint(1, 60) * 10_000
    elif profile == "work":
        f["deaths"] = rng.choice([0, 1, 1, 2, 3, 4] if severe else [0, 0, 1])
        f["serious_injuries"] = rng.randint(0, 4)
        f["direct_loss_cny"] = rng.randint(1, 200) * 10_000
    elif profile == "fire":
        f["deaths"] = rng.choice([0, 0, 1]) if severe else 0
        f["injuries"] = rng.randint(0, 3)
        f["direct_loss_cny"] = rng.randint(1, 100) * 10_000
    f["trapped"] = rng.randint(0, 4) if rng.random() < 0.1 else 0
    return f


class _Writer:
    """Collects rows for one bulk insert per table."""

    def __init__(self) -> None:
        self.incidents: list[dict] = []
        self.reports: list[dict] = []
        self.deadlines: list[dict] = []
        self.receipts: list[dict] = []
        self.events: list[dict] = []
        self.counters: Counter[str] = Counter()


def _places(data, options) -> list[dict]:
    rows = data.tables.get("jurisdictions", [])
    counties = set(options.counties or [])
    return [
        r
        for r in rows
        if r["level"] == "group" and r.get("lon") and (not counties or r["code"][:6] in counties)
    ]


def _one(
    w: _Writer, rng: random.Random, place: dict, occurred: datetime, now: datetime, open_now: bool
) -> None:
    category = rng.choices([c[0] for c in CATEGORIES], [c[1] for c in CATEGORIES])[0]
    profile = next(c[2] for c in CATEGORIES if c[0] == category)
    figures = _figures(rng, profile)
    kind = grading_kind(category, figures)
    result = grading.grade(kind, measures_of(figures)) if kind else None
    grade = result.grade if result else None
    received = occurred + timedelta(minutes=rng.randint(3, 50))
    day = clock.to_local(received).strftime("%Y%m%d")
    key = f"{place['code'][:6]}-{day}"
    w.counters[key] += 1
    number = f"{key}-{w.counters[key]:04d}"
    age = now - occurred
    closed = not open_now and age > timedelta(days=20)
    status = (
        S.CLOSED
        if closed
        else rng.choice([S.REPORTED, S.VERIFIED] if open_now else [S.VERIFIED, S.STABILISED])
    )
    own = not open_now and rng.random() < 0.04  # the county found out by itself: 漏报 below it
    sender = "county" if own else "group"
    title = f"{place['name']}{rng.choice(TITLES[category])}"
    w.incidents.append(
        {
            "number": number,
            "title": title[:200],
            "category": category,
            "grading_kind": kind,
            "jurisdiction_code": place["code"],
            "lon": place["lon"] + rng.uniform(-0.002, 0.002),
            "lat": place["lat"] + rng.uniform(-0.002, 0.002),
            "located_by": rng.choice(["gps", "map", "gps"]),
            "occurred_at": occurred,
            "received_at": received,
            "status": status,
            "grade": grade,
            "grade_basis": list(result.basis) if result else None,
            "description": f"{title}，现场情况已核实。",
            "reporter_name": "村信息员",
            "closed_at": received + timedelta(days=rng.randint(2, 15)) if closed else None,
            "final_report_at": received + timedelta(days=1) if closed else None,
            "supplementary_until": grading.supplementary_deadline(category, occurred) if closed else None,
            "created_at": received,
            "updated_at": received,
            **figures,
        }
    )
    seqs = [("first", received)]
    if rng.random() < 0.6:
        seqs.append(("follow_up", received + timedelta(hours=rng.randint(1, 6))))
    if closed:
        seqs.append(("final", received + timedelta(days=1)))
    for seq, (report_kind, at) in enumerate(seqs, start=1):
        w.reports.append(
            {
                "number": number,
                "seq": seq,
                "kind": report_kind,
                "received_at": at,
                "from_level": sender if seq == 1 else "town",
                "jurisdiction_code": place["code"][: levels.LENGTH[sender]]
                if seq == 1
                else place["code"][:9],
                "text": "现场情况续报。" if seq > 1 else None,
                "grade_after": grade,
                "source": "own" if own and seq == 1 else "chain",
                **figures,
            }
        )
        # the timeline reads as the live one does (reports.submit): the report's kind in words
        kind_name = zh(notices.KIND_NAMES[report_kind])
        w.events.append(_event(number, place, at, "report", f"{kind_name} #{seq}: 等级 {grade or '—'}"))
    specs = []
    if kind:
        try:
            specs = grading.reporting_deadlines(
                kind, grade, received, place["code"], measures=measures_of(figures)
            )
        except ValidationFailed:  # a kind whose obligations need a grade that was not reached
            specs = []
    w.receipts.append(_receipt(number, place, sender, received, "own" if own else "submitted"))
    for spec in specs:
        code = levels.code_at(place["code"], spec.to)
        if code is None:
            continue
        due = spec.due_at
        if own and not levels.above(spec.to, sender):
            state, met = "missed", None
        elif due > now:
            state, met = "open", None
        elif open_now and rng.random() < 0.5:
            state, met = "open", None  # overdue now: shows on the duty board
        else:
            late = rng.random() < 0.1
            met = (
                due + timedelta(minutes=rng.randint(5, 90))
                if late
                else due - timedelta(minutes=rng.randint(1, 50))
            )
            met = max(met, received)
            state = "late" if met > due else "met"
            w.receipts.append(_receipt(number, place, spec.to, met, "forwarded"))
            if state == "late":
                w.events.append(_event(number, place, met, "deadline", f"迟报：报送{spec.to}超时"))
        w.deadlines.append(
            {
                "number": number,
                "jurisdiction_code": place["code"],
                "to_level": spec.to,
                "to_code": code,
                "channel": spec.channel,
                "due_at": due,
                "basis": spec.basis,
                "grade": grade,
                "state": state,
                "met_at": met,
                "overdue_at": due if state == "open" and due <= now else None,
                "created_at": received,
            }
        )


def _receipt(number: str, place: dict, level: str, at: datetime, how: str) -> dict:
    return {
        "number": number,
        "jurisdiction_code": place["code"],
        "level": level,
        "level_code": levels.code_at(place["code"], level) or "",
        "received_at": at,
        "how": how,
    }


def _event(number: str, place: dict, at: datetime, kind: str, summary: str) -> dict:
    return {
        "number": number,
        "at": at,
        "kind": kind,
        "summary": summary,
        "jurisdiction_code": place["code"],
        "actor": "system:demo",
    }


def _with_ids(rows: list[dict], ids: dict[str, int]) -> list[dict]:
    out = []
    seen = set()
    for r in rows:
        key = (r["number"], r.get("level"))
        if "level" in r and key in seen:
            continue  # one receipt per level
        seen.add(key)
        out.append({k: v for k, v in r.items() if k != "number"} | {"incident_id": ids[r["number"]]})
    return out


def build(db: Database, data, options, progress) -> None:
    """Write the demo incident history (skipped when incidents already exist)."""
    with db.reading() as session:
        if session.scalar(select(Incident.id).limit(1)) is not None:
            return
    places = _places(data, options)
    if not places:
        return
    counties = {p["code"][:6] for p in places}
    total = min(MAX_TOTAL, PER_COUNTY * len(counties))
    history(db, places, total, seed=options.seed)
    progress("incidents", total, total)


def history(
    db: Database,
    places: list[dict],
    total: int,
    *,
    seed: int,
    years: float = YEARS,
    open_now: int = OPEN_NOW,
    batch: int = 5000,
) -> int:
    """Bulk-write ``total`` incidents spread over ``years`` at ``places`` (dicts with code, name,
    lon, lat), ``open_now`` of them open in the last day and a half. Also used by benchmarks."""
    rng = random.Random(f"{seed}:incidents")
    now = clock.now().replace(minute=0, second=0, microsecond=0)
    counters: Counter[str] = Counter()
    done = 0
    while done < total:
        w = _Writer()
        w.counters = counters
        for n in range(done, min(total, done + batch)):
            is_open = n < open_now
            age = (
                timedelta(hours=rng.uniform(1, 36))
                if is_open
                else timedelta(days=rng.uniform(2, 365 * years))
            )
            _one(w, rng, rng.choice(places), now - age, now, is_open)
        w.incidents.sort(key=lambda r: r["occurred_at"])
        _write(db, w, final=done + batch >= total)
        done += len(w.incidents)
    return done


def _write(db: Database, w: _Writer, *, final: bool = True) -> None:
    tables = {
        m.__tablename__: m.__table__ for m in (Incident, IncidentReport, ReportingDeadline, IncidentReceipt)
    }
    with db.writing(Actor.system("demo")) as session:
        result = session.execute(
            insert(tables["incidents"]).returning(
                tables["incidents"].c.id, tables["incidents"].c.number, sort_by_parameter_order=True
            ),
            w.incidents,
        )
        ids = {number: ident for ident, number in result}
        for name, rows in (
            ("incident_reports", w.reports),
            ("incident_deadlines", w.deadlines),
            ("incident_receipts", w.receipts),
        ):
            if rows:
                session.execute(insert(tables[name]), _with_ids(rows, ids))
        session.execute(insert(TimelineEvent.__table__), _with_ids(w.events, ids))
        if final:
            session.execute(
                insert(IncidentNumberCounter.__table__),
                [{"key": k, "last": v} for k, v in sorted(w.counters.items())],
            )
        for deadline_id, due in session.execute(
            select(ReportingDeadline.id, ReportingDeadline.due_at).where(
                ReportingDeadline.state == "open", ReportingDeadline.overdue_at.is_(None)
            )
        ):
            queue.enqueue(
                session,
                DUE_JOB,
                {"deadline_id": deadline_id},
                due_at=due,
                dedupe_key=f"incident-deadline:{deadline_id}",
            )
        audit.record(
            session,
            "demo.build",
            "incidents",
            None,
            after={
                "incidents": len(w.incidents),
                "reports": len(w.reports),
                "deadlines": len(w.deadlines),
                "receipts": len(w.receipts),
            },
            note="demo incident history generated by yingji demo",
        )
