"""Demo drills: the yearly drill plans of the city, its counties and towns, and two years of drills —
each town's drills (most towns drilled last year and this year, some did not: the compliance table
has gaps on purpose), drills in villages with hazard points, drills of enterprises (the high-risk
ones twice a year, not all of them), county and city drills exercising the special and overall plans
that exist (one 双盲 drill per county), with participants, evaluations, problems and their follow-up,
and a revision trigger where a drill found a problem with its plan. Deterministic (the seed),
bulk-inserted with RETURNING ids; the audit log gets one summary entry."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import numpy as np
from sqlalchemy import insert, select, update

from yingji.auth import audit
from yingji.core import clock
from yingji.core.db import Actor, Database
from yingji.drills.codes import DrillState, ProblemState, ProgrammeState
from yingji.drills.models import (
    Drill,
    DrillEvaluation,
    DrillParticipant,
    DrillPlan,
    DrillProblem,
    DrillProgramme,
)
from yingji.forces.models import Team
from yingji.monitoring.models import HazardPoint
from yingji.org.models import Jurisdiction, Unit
from yingji.plans.codes import IN_FORCE, TriggerState
from yingji.plans.models import Plan, PlanTrigger
from yingji.risk.models import Enterprise
from yingji.rules import load

ORGANISER_KINDS = {
    "city": ("bureau", "command_hq"),
    "county": ("bureau", "command_hq"),
    "town": ("committee_office", "emergency_committee"),
    "village": ("service_station",),
}
TOWN_TOPICS = ("防汛", "森林防灭火", "地质灾害避险转移", "地震应急疏散", "危化品泄漏处置", "消防安全")
EVALUATION = {
    "execution": "演练按脚本完成预警发布、人员转移、现场处置和总结讲评各环节，"
    "参演单位按时到位，整体衔接顺畅。",
    "plan_fitness": "预案的组织体系和响应程序总体合理，分级响应条件清楚；"
    "部分成员单位职责表述较原则，可操作性有待细化。",
    "command": "现场指挥部开设及时，指挥长统一调度，各工作组之间信息传递基本畅通；"
    "与上级指挥部的视频连线出现短时中断。",
    "responders": "救援队伍集结迅速，处置动作规范；基层信息员首报时间偏长，个别人员对避险路线不熟悉。",
    "equipment": "冲锋舟、应急照明和卫星电话等装备性能良好；部分对讲机电量不足，应急广播覆盖存在盲区。",
    "suggestions": "细化成员单位职责和联络方式，补充避险转移路线图；加强信息员首报培训；"
    "完善装备日常维护和电量检查制度。",
}
PROBLEMS = (
    ("plan", "预案中成员单位职责表述不具体，现场分工靠临时协调", "修订预案，逐项明确成员单位任务和联络人"),
    ("personnel", "村级信息员首报用时超过要求", "组织信息员专题培训，开展首报模拟训练"),
    ("support", "对讲机电量不足，应急广播存在覆盖盲区", "建立装备电量检查台账，补装应急广播终端"),
    ("mechanism", "与上级指挥部视频会商链路不稳定", "与通信保障部门联调视频会商链路，明确备用通道"),
    ("organisation", "现场指挥部各工作组集结点不明确", "在方案中明确工作组集结点和标识"),
)


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=clock.LOCAL_TZ).astimezone(UTC)


def _pick_day(rng, year: int, before: date | None = None) -> date:
    """A day of the drilling season (March to November) of ``year``, before ``before`` if given
    (early in a year the season has not begun: then a day just before ``before``)."""
    start, end = date(year, 3, 1), date(year, 11, 30)
    if before is not None:
        end = min(end, before)
        start = min(start, end - timedelta(days=1))
    return start + timedelta(days=int(rng.integers(0, max(1, (end - start).days))))


def _load(db: Database, top: str) -> dict:
    with db.reading() as s:
        places = s.execute(
            select(Jurisdiction.code, Jurisdiction.name, Jurisdiction.level).where(
                Jurisdiction.code.startswith(top),
                Jurisdiction.level.in_(("city", "county", "town", "village")),
            )
        ).all()
        units = s.execute(
            select(Unit.id, Unit.jurisdiction_code, Unit.kind).where(Unit.jurisdiction_code.startswith(top))
        ).all()
        teams = s.execute(
            select(Team.id, Team.name, Team.jurisdiction_code).where(Team.jurisdiction_code.startswith(top))
        ).all()
        prone = set(
            s.scalars(
                select(HazardPoint.jurisdiction_code).where(
                    HazardPoint.jurisdiction_code.startswith(top), HazardPoint.status == "active"
                )
            )
        )
        ents = s.execute(
            select(
                Enterprise.id,
                Enterprise.name,
                Enterprise.jurisdiction_code,
                Enterprise.industry,
                Enterprise.hazardous_chemicals,
            ).where(Enterprise.jurisdiction_code.startswith(top), Enterprise.status == "active")
        ).all()
        plans = s.execute(
            select(Plan.id, Plan.kind, Plan.jurisdiction_code, Plan.title).where(
                Plan.jurisdiction_code.startswith(top), Plan.state.in_([x.value for x in IN_FORCE])
            )
        ).all()
    level_of = {4: "city", 6: "county", 9: "town", 12: "village"}
    organisers: dict[str, tuple[int, int]] = {}
    for u in units:  # the place's own office of its level, the first kind listed first
        kinds = ORGANISER_KINDS.get(level_of.get(len(u.jurisdiction_code), ""), ())
        if u.kind in kinds:
            rank = kinds.index(u.kind)
            if u.jurisdiction_code not in organisers or rank < organisers[u.jurisdiction_code][0]:
                organisers[u.jurisdiction_code] = (rank, u.id)
    team_of: dict[str, tuple] = {}
    for t in teams:
        team_of.setdefault(t.jurisdiction_code[:9], t)
        team_of.setdefault(t.jurisdiction_code[:6], t)
    return {
        "places": places,
        "organisers": {code: unit_id for code, (_rank, unit_id) in organisers.items()},
        "teams": team_of,
        "prone": {c[:12] for c in prone if len(c) >= 12},
        "enterprises": ents,
        "plans": plans,
    }


def generate(ctx: dict, seed: int, today: date) -> list[dict]:
    """The drills as dicts (with ``_plans``, ``_participants``, ``_evaluate`` for the children)."""
    rng = np.random.default_rng([seed, 23])
    year, last = today.year, today.year - 1
    drills: list[dict] = []
    plans_at: dict[str, list] = {}
    for p in ctx["plans"]:
        plans_at.setdefault(p.jurisdiction_code, []).append(p)

    def add(
        code,
        title,
        day,
        *,
        held,
        form="live",
        scope="comprehensive",
        enterprise_id=None,
        plans=(),
        blind=False,
        place=None,
        evaluate=False,
    ):
        starts = _at(day, 9) if held else None
        drills.append(
            {
                "jurisdiction_code": code,
                "year": day.year,
                "title": title,
                "form": form,
                "scope": scope,
                "purpose": "test",
                "notice_time": not blind,
                "notice_scenario": not blind,
                "scenario": f"模拟{title.removesuffix('演练')}：突发险情，按预案启动响应并组织处置。",
                "planned_on": day,
                "starts_at": starts,
                "ended_at": starts + timedelta(hours=3) if held else None,
                "place": place,
                "organiser_unit_id": ctx["organisers"].get(code),
                "enterprise_id": enterprise_id,
                "state": DrillState.ENDED if held else DrillState.PLANNED,
                "_plans": [p.id for p in plans],
                "_team": ctx["teams"].get(code[:9]) or ctx["teams"].get(code[:6]),
                "_evaluate": held and evaluate,
            }
        )

    for code, name, level in ctx["places"]:
        own = plans_at.get(code, [])
        if level == "town":
            topic = TOWN_TOPICS[int(rng.integers(len(TOWN_TOPICS)))]
            town_plans = [p for p in own if p.kind in ("township", "overall")][:1]
            if rng.random() < 0.8:
                add(
                    code,
                    f"{name}{last}年{topic}应急演练",
                    _pick_day(rng, last),
                    held=True,
                    plans=town_plans,
                    place=f"{name}集镇",
                    evaluate=rng.random() < 0.3,
                )
            if rng.random() < 0.7:
                add(
                    code,
                    f"{name}{year}年{topic}应急演练",
                    _pick_day(rng, year, today - timedelta(days=3)),
                    held=True,
                    plans=town_plans,
                    place=f"{name}集镇",
                    evaluate=rng.random() < 0.3,
                    form="tabletop" if rng.random() < 0.3 else "live",
                )
            if rng.random() < 0.4:
                day = today + timedelta(days=int(rng.integers(5, 60)))
                add(
                    code,
                    f"{name}{day.year}年冬春森林防灭火应急演练",
                    day,
                    held=False,
                    scope="single",
                    plans=town_plans,
                    place=f"{name}林区",
                )
        elif level == "village" and code in ctx["prone"] and rng.random() < 0.5:
            add(
                code,
                f"{name}地质灾害避险转移演练",
                _pick_day(rng, year, today - timedelta(days=3)),
                held=True,
                scope="single",
                place=f"{name}隐患点",
            )
        elif level in ("county", "city"):
            special = [p for p in own if p.kind == "special"]
            overall = [p for p in own if p.kind == "overall"]
            for i, plan in enumerate(special):
                if rng.random() < 0.6:
                    when = _pick_day(rng, last if i % 2 else year, today - timedelta(days=3))
                    add(
                        code,
                        f"{plan.title.removesuffix('应急预案')}综合应急演练",
                        when,
                        held=True,
                        plans=[plan],
                        form="live" if i % 3 else "tabletop",
                        evaluate=True,
                    )
            add(
                code,
                f"{name}{year}年突发事件综合应急演练",
                _pick_day(rng, year, today - timedelta(days=3)),
                held=True,
                plans=overall[:1] + special[:1],
                evaluate=True,
                place=f"{name}应急指挥中心",
            )
            add(
                code,
                f"{name}{year}年“双盲”应急演练",
                _pick_day(rng, year, today - timedelta(days=3)),
                held=True,
                plans=overall[:1],
                blind=True,
                evaluate=True,
            )
            add(
                code,
                f"{name}{year + 1}年汛前防汛抗旱应急演练",
                date(year + 1, 4, 20),
                held=False,
                plans=[p for p in special if "防汛" in p.title][:1] or overall[:1],
                place=f"{name}城区河段",
            )
    risky = set(load("drill_frequency.json")["high_risk_industries"]["codes"])
    for e in ctx["enterprises"]:
        high = e.industry in risky or e.hazardous_chemicals
        if rng.random() < (0.6 if high else 0.5):
            lag = int(rng.integers(10, 170 if high else 330))
            add(
                e.jurisdiction_code,
                f"{e.name}{'现场处置方案' if high else '综合应急预案'}演练",
                today - timedelta(days=lag),
                held=True,
                enterprise_id=e.id,
                scope="single" if high else "comprehensive",
                form="live",
                place=e.name,
            )
    return drills


def _children(drill_ids: list[int], drills: list[dict], rng, today: date) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {"plans": [], "participants": [], "evaluations": [], "problems": []}
    for drill_id, d in zip(drill_ids, drills, strict=True):
        code = d["jurisdiction_code"]
        for plan_id in d["_plans"]:
            out["plans"].append({"drill_id": drill_id, "plan_id": plan_id, "jurisdiction_code": code})
        if d["state"] != DrillState.ENDED:
            continue
        if d["organiser_unit_id"]:
            out["participants"].append(
                {
                    "drill_id": drill_id,
                    "kind": "unit",
                    "unit_id": d["organiser_unit_id"],
                    "name": "组织单位",
                    "role": "director",
                    "headcount": int(rng.integers(3, 8)),
                    "jurisdiction_code": code,
                }
            )
        if d["_team"] is not None and d["enterprise_id"] is None:
            out["participants"].append(
                {
                    "drill_id": drill_id,
                    "kind": "team",
                    "team_id": d["_team"].id,
                    "name": d["_team"].name,
                    "role": "player",
                    "headcount": int(rng.integers(8, 30)),
                    "jurisdiction_code": code,
                }
            )
        out["participants"].append(
            {
                "drill_id": drill_id,
                "kind": "other",
                "name": "群众及职工" if d["enterprise_id"] else "辖区群众",
                "role": "player",
                "headcount": int(rng.integers(20, 150)),
                "jurisdiction_code": code,
            }
        )
        if not d["_evaluate"]:
            continue
        held_on = clock.to_local(d["starts_at"]).date()
        out["evaluations"].append(
            {
                "drill_id": drill_id,
                "evaluated_on": min(today, held_on + timedelta(days=7)),
                "evaluators": "应急管理局演练评估组",
                "third_party": bool(rng.random() < 0.2),
                **EVALUATION,
                "summary": "演练达到预期目的，检验了预案，锻炼了队伍。",
                "final": True,
                "jurisdiction_code": code,
            }
        )
        for seq, index in enumerate(rng.choice(len(PROBLEMS), size=2, replace=False), 1):
            area, text, measure = PROBLEMS[int(index)]
            due = held_on + timedelta(days=60)
            done = due < today and rng.random() < 0.6
            out["problems"].append(
                {
                    "drill_id": drill_id,
                    "seq": seq,
                    "area": area,
                    "description": text,
                    "measure": measure,
                    "owner_unit_id": d["organiser_unit_id"],
                    "due_on": due,
                    "state": ProblemState.DONE if done else ProblemState.OPEN,
                    "done_on": due - timedelta(days=5) if done else None,
                    "done_note": "已整改" if done else None,
                    "plan_id": d["_plans"][0] if d["_plans"] and area == "plan" else None,
                    "jurisdiction_code": code,
                    "_title": d["title"],
                }
            )
    return out


def build(db, data, options, progress) -> None:
    """The demo's yearly drill plans, drills and their records."""
    ctx = _load(db, data.top)
    today = clock.to_local(clock.now()).date()
    rng = np.random.default_rng([options.seed, 2323])
    drills = generate(ctx, options.seed, today)
    now = clock.now()
    actor = Actor.system("demo")
    with db.writing(actor) as session:
        rows = [
            {k: v for k, v in d.items() if not k.startswith("_")}
            | {
                "state": DrillState.EVALUATED if d["_evaluate"] else d["state"],
                "created_at": now,
                "updated_at": now,
            }
            for d in drills
        ]
        returning = insert(Drill).returning(Drill.id, sort_by_parameter_order=True)
        ids = list(session.scalars(returning, rows)) if rows else []
        kids = _children(ids, drills, rng, today)
        if kids["plans"]:
            session.execute(insert(DrillPlan), kids["plans"])
        if kids["participants"]:
            for p in kids["participants"]:
                p.setdefault("unit_id", None), p.setdefault("team_id", None), p.setdefault("person_id", None)
            session.execute(insert(DrillParticipant), kids["participants"])
        if kids["evaluations"]:
            session.execute(
                insert(DrillEvaluation),
                [e | {"created_at": now, "updated_at": now} for e in kids["evaluations"]],
            )
        triggers = []
        if kids["problems"]:
            problems = [
                {k: v for k, v in p.items() if not k.startswith("_")} | {"created_at": now, "updated_at": now}
                for p in kids["problems"]
            ]
            pids = list(
                session.scalars(
                    insert(DrillProblem).returning(DrillProblem.id, sort_by_parameter_order=True), problems
                )
            )
            plan_codes = {p.id: p.jurisdiction_code for p in ctx["plans"]}
            problem_of: list[int] = []
            for pid, p in zip(pids, kids["problems"], strict=True):
                if p["plan_id"] is not None:
                    triggers.append(
                        {
                            "plan_id": p["plan_id"],
                            "reason": "drill_problems",
                            "source": "drill",
                            "source_ref": f"drill-problem:{pid}",
                            "detail": f"{p['_title']}: {p['description']}",
                            "raised_on": p["due_on"] - timedelta(days=55),
                            "state": TriggerState.OPEN,
                            "handled_version_no": None,
                            "handled_note": None,
                            "jurisdiction_code": plan_codes[p["plan_id"]],
                        }
                    )
                    problem_of.append(pid)
            if triggers:
                returning = insert(PlanTrigger).returning(PlanTrigger.id, sort_by_parameter_order=True)
                tids = list(session.scalars(returning, triggers))
                session.execute(
                    update(DrillProblem),
                    [{"id": pid, "trigger_id": tid} for pid, tid in zip(problem_of, tids, strict=True)],
                )
        programmes = []
        for code, name, level in ctx["places"]:
            if level in ("city", "county") or (level == "town" and rng.random() < 0.7):
                programmes.append(
                    {
                        "jurisdiction_code": code,
                        "year": today.year,
                        "title": f"{name}{today.year}年度应急演练计划",
                        "state": ProgrammeState.APPROVED,
                        "approved_on": date(today.year, 1, 20 + int(rng.integers(0, 8))),
                        "approved_by": f"{name}应急管理委员会",
                        "note": None,
                        "created_at": now,
                        "updated_at": now,
                    }
                )
        if programmes:
            session.execute(insert(DrillProgramme), programmes)
        audit.record(
            session,
            "demo.build",
            "drills",
            data.top,
            after={
                "drills": len(rows),
                "problems": len(kids["problems"]),
                "triggers": len(triggers),
                "programmes": len(programmes),
            },
            note="demo drills",
        )
    if progress:
        progress("drills", len(drills), len(drills))
