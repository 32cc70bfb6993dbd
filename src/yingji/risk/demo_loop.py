"""The demo's year of work: this year's enforcement plan per county and the visits made so far, a
year of hidden dangers walked through the loop (so every state appears, the recent ones early in
it, some late, a few overdue and listed), the reminder and escalation jobs still ahead, and the
monthly village meetings with the dangers they discussed."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from yingji.risk import demo_words as w
from yingji.risk import escalation, rules
from yingji.risk.danger_models import DangerStatus as S
from yingji.risk.demo_rows import RiskDemo, Weighted, local_dt

DAY = timedelta(days=1)
INSPECTION_DANGERS = 0.9  # hidden dangers found per visit (mean)
MAJOR_SHARE = 0.015
SOURCES = (("grid", 62), ("enterprise", 26), ("public", 12))
CATEGORY = {
    where: Weighted(
        [c for c, (_, at) in w.CATEGORY_WEIGHTS.items() if where in at],
        [p for _, (p, at) in w.CATEGORY_WEIGHTS.items() if where in at],
    )
    for where in "ev"
}


def plan(demo: RiskDemo, county: dict, enterprises: list[dict], year: int) -> list[tuple[dict, datetime]]:
    """The county's plan for ``year``: every key-class enterprise and a share of the others; visits
    for the months gone by. Returns (enterprise, when) of each visit."""
    rng, today = demo.rng, demo.today
    classes = demo.classification["classes"]
    key = rules.key_classes(demo.classification)
    plan_id = demo.take("risk_enforcement_plans")
    demo.rows["risk_enforcement_plans"].append(
        {
            "id": plan_id,
            "year": year,
            "jurisdiction_code": county["code"],
            "name": f"{county['name']}{year}年度安全生产监督检查计划",
            "classes": classes,
            "generated_at": local_dt(date(year, 1, 5), 9),
            "created_by_user_id": None,
            "note": None,
            "created_at": demo.now,
            "updated_at": demo.now,
        }
    )
    visits = []
    chosen = [
        e
        for e in sorted(enterprises, key=lambda e: (e["enforcement_class"], e["id"]))
        if e["enforcement_class"] in key
        or rules.sampled(year, e["id"], float(classes[e["enforcement_class"]]["ratio"]))
    ]
    for i, e in enumerate(chosen):
        month = 1 + i % 12
        item = {
            "id": demo.take("risk_plan_items"),
            "plan_id": plan_id,
            "enterprise_id": e["id"],
            "jurisdiction_code": e["jurisdiction_code"],
            "enforcement_class": e["enforcement_class"],
            "reason": "key" if e["enforcement_class"] in key else "sampled",
            "planned_month": month,
            "inspection_id": None,
            "done_at": None,
        }
        demo.rows["risk_plan_items"].append(item)
        if year != today.year or month > today.month or rng.random() > (0.9 if month < today.month else 0.35):
            continue
        last = today.day - 1 if month == today.month else 28
        if last < 1:
            continue
        when = local_dt(date(year, month, rng.randint(1, last)), rng.randint(9, 16))
        visit = inspection(demo, e, when, "planned")
        item["inspection_id"], item["done_at"] = visit["id"], when
        visits.append((e, visit))
    return visits


def inspection(demo: RiskDemo, e: dict, when: datetime, kind: str) -> dict:
    """A visit to an enterprise on a given day."""
    rng = demo.rng
    row = {
        "id": demo.take("risk_inspections"),
        "enterprise_id": e["id"],
        "jurisdiction_code": e["jurisdiction_code"],
        "kind": kind,
        "inspected_at": when,
        "inspectors": f"{demo.person()}、{demo.person()}",
        "inspector_user_id": None,
        "findings": "现场检查安全生产主体责任落实、隐患排查治理和应急管理情况。",
        "dangers_found": 0,
        "orders": None,
        "penalty_cny": None,
        "document_no": f"铜应急检〔{when.year}〕{rng.randint(1, 9999)}号",
        "client_key": None,
        "created_at": when,
        "updated_at": when,
    }
    demo.rows["risk_inspections"].append(row)
    return row


def _walk(demo: RiskDemo, d: dict, major: bool) -> None:
    """Move a danger through the loop from its found time; it stops at the step due after now."""
    rng, now = demo.rng, demo.now
    at = d["found_at"]
    public = d["source"] == "public"
    steps: list[tuple[S, datetime]] = []
    at += timedelta(hours=rng.uniform(1, 40))
    if rng.random() < (0.15 if public else 0.02):
        steps.append((S.DISMISSED, at))
    else:
        steps.append((S.REGISTERED, at))
        at += timedelta(hours=rng.uniform(1, 24))
        steps.append((S.GRADED, at))
        at += timedelta(hours=rng.uniform(1, 24))
        steps.append((S.RECTIFYING, at))
        span = rng.randint(30, 90) if major else rng.randint(7, 30)
        d["deadline"] = demo_date(at) + timedelta(days=span)
        if rng.random() > 0.01:  # 1% are stuck: never reported done
            at += timedelta(days=span * rng.uniform(0.2, 1.15))
            steps.append((S.REVIEWING, at))
            at += timedelta(hours=rng.uniform(12, 96))
            steps.append((S.ACCEPTED, at))
            at += timedelta(hours=rng.uniform(1, 72))
            steps.append((S.CLOSED, at))
    d["status"] = S.FOUND.value  # the bulk insert takes plain strings
    for status, when in steps:
        if when > now:
            break
        d["status"], d[f"{status}_at"] = status.value, when
    if d["deadline"] is None or d["rectifying_at"] is None:
        d["deadline"] = None
        return
    _rectification(demo, d, major)


def demo_date(at: datetime) -> date:
    """The local (Asia/Shanghai) date of a UTC time."""
    return (at + timedelta(hours=8)).date()


def _rectification(demo: RiskDemo, d: dict, major: bool) -> None:
    rng, now = demo.rng, demo.now
    d["responsible_party"] = d.pop("_party")
    d["responsible_person"] = demo.person()
    d["responsible_phone"] = demo.mobile(d["id"] + 9_000_000)
    d["measures"] = rng.choice(w.MEASURES)
    d["funds_cny"] = rng.randint(500, 20_000) * 100 if major else rng.randint(0, 50) * 100
    end = local_dt(d["deadline"] + DAY, 0)
    if d["reviewing_at"] is not None:
        d["completion_note"] = "已按整改措施完成整改,附整改后照片。"
        if d["reviewing_at"] > end:
            d["overdue_at"], d["escalation"] = end, 2
    if d["accepted_at"] is not None:
        d["review_note"] = "复查合格,同意验收。"
    if end - timedelta(days=3) < now:
        d["escalation"] = max(d["escalation"], 1)
    if major:
        d["supervised_by"] = d["jurisdiction_code"][:6]
        demo.rows["risk_danger_plans"].append(
            {
                "id": demo.take("risk_danger_plans"),
                "danger_id": d["id"],
                "jurisdiction_code": d["jurisdiction_code"],
                "target_tasks": "彻底消除重大事故隐患,恢复安全生产条件",
                "methods_measures": d["measures"],
                "funds_materials": f"整改资金{d['funds_cny']}元,由责任单位自筹落实",
                "responsible_body": d["responsible_party"],
                "responsible_people": d["responsible_person"],
                "time_limit": d["deadline"],
                "safety_measures": "整改期间停止相关区域作业,设置警戒和专人监护",
                "emergency_plan": "启动单位现场处置方案,配备应急物资,与乡镇应急办保持联络",
                "created_at": d["rectifying_at"],
                "updated_at": d["rectifying_at"],
            }
        )
    if d["status"] != S.RECTIFYING:
        return
    if end <= now:
        d["overdue_at"], d["escalation"] = end, 2
        if major:
            d["listed"], d["listed_at"], d["escalation"] = True, end, 3
        return
    payload = {"danger_id": d["id"], "deadline": d["deadline"].isoformat()}
    suffix = f"{d['id']}:{d['deadline'].isoformat()}"
    remind = local_dt(d["deadline"] - timedelta(days=3), 9)
    if remind > now:
        demo.rows["jobs"].append(_job(demo, escalation.REMIND, payload, remind, suffix))
    demo.rows["jobs"].append(_job(demo, escalation.OVERDUE, payload, end, suffix))


def _job(demo: RiskDemo, kind: str, payload: dict, due: datetime, suffix: str) -> dict:
    return {
        "kind": kind,
        "payload": payload,
        "state": "queued",
        "priority": 0,
        "due_at": due,
        "attempts": 0,
        "max_attempts": 5,
        "dedupe_key": f"{kind}:{suffix}",
        "created_at": demo.now,
        "updated_at": demo.now,
    }


def danger(
    demo: RiskDemo, place: dict, found_at: datetime, source: str, e: dict | None, visit: dict | None
) -> None:
    """One hidden danger found at ``found_at`` (by a visit, a grid worker, the enterprise, the public)."""
    rng = demo.rng
    category = CATEGORY["e" if e is not None else "v"](rng)
    major = rng.random() < MAJOR_SHARE
    code = e["jurisdiction_code"] if e else place["code"]
    did = demo.take("risk_dangers")
    d = {
        "id": did,
        "jurisdiction_code": code,
        "grid_cell_id": e["grid_cell_id"] if e else place.get("cell"),
        "enterprise_id": e["id"] if e else None,
        "risk_point_id": None,
        "inspection_id": visit["id"] if visit else None,
        "source": source,
        "category": category,
        "title": rng.choice(w.DANGERS[category]),
        "description": None,
        "location": e["name"] if e else f"{place['name']}",
        "lon": e["lon"] if e else None,
        "lat": e["lat"] if e else None,
        "status": S.FOUND.value,
        "grade": None,
        "checklist": None,
        "responsible_party": None,
        "responsible_person": None,
        "responsible_phone": None,
        "measures": None,
        "funds_cny": None,
        "deadline": None,
        "completion_note": None,
        "review_note": None,
        "dismiss_reason": None,
        "supervised_by": None,
        "listed": False,
        "listed_at": None,
        "escalation": 0,
        "overdue_at": None,
        "found_month": f"{demo_date(found_at):%Y-%m}",
        "found_at": found_at,
        **dict.fromkeys(("registered_at", "graded_at", "rectifying_at", "reviewing_at", "accepted_at"), None),
        **dict.fromkeys(("closed_at", "dismissed_at"), None),
        "reported_by_user_id": None,
        "reporter_name": demo.person() if source == "public" and rng.random() < 0.4 else None,
        "reporter_phone": None,
        "public_ref": None,
        "client_key": None,
        "created_at": found_at,
        "updated_at": found_at,
        "_party": e["name"] if e else f"{place['name']}村民委员会",
    }
    if source == "public":
        d["public_ref"] = f"D{did:09d}"
    _walk(demo, d, major)
    d.pop("_party", None)
    if d["graded_at"] is not None:
        d["grade"] = "major" if major else "general"
        d["checklist"] = {"needs_stop": major, "takes_time": major, "beyond_unit": False}
    if d["dismissed_at"] is not None:
        d["dismiss_reason"] = "经核查不属于事故隐患。"
    if visit is not None:
        visit["dangers_found"] += 1
        visit["orders"] = ["rectify"]
    demo.rows["risk_dangers"].append(d)
    demo.dangers_by_village_month[(code[:12], d["found_month"])].append((did, found_at))


def meetings(demo: RiskDemo, village: dict, months: list[str]) -> None:
    """A village's monthly meetings over ``months`` with the dangers they discussed."""
    rng, today = demo.rng, demo.today
    for month in months:
        year, mon = int(month[:4]), int(month[5:])
        last = today.day if (year, mon) == (today.year, today.month) else 28
        if last < 5 or rng.random() > 0.93:
            continue
        held = date(year, mon, rng.randint(3, last))
        mid = demo.take("risk_meetings")
        reported = local_dt(held + timedelta(days=rng.randint(0, 2)), 16)
        demo.rows["risk_meetings"].append(
            {
                "id": mid,
                "jurisdiction_code": village["code"],
                "month": month,
                "held_on": held,
                "host": demo.person(),
                "attendees": "村级应急协管员、各组网格员、村支两委成员",
                "minutes": rng.choice(w.MINUTES),
                "decisions": rng.choice(w.DECISIONS),
                "reported_at": reported if reported < demo.now and rng.random() < 0.95 else None,
                "created_by_user_id": None,
                "client_key": None,
                "created_at": local_dt(held, 18),
                "updated_at": local_dt(held, 18),
            }
        )
        found = demo.dangers_by_village_month.get((village["code"], month), [])
        for danger_id in [i for i, at in found if at < local_dt(held, 9)][:3]:
            demo.rows["risk_meeting_dangers"].append(
                {
                    "id": demo.take("risk_meeting_dangers"),
                    "meeting_id": mid,
                    "danger_id": danger_id,
                    "jurisdiction_code": village["code"],
                    "note": None,
                }
            )
