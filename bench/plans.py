"""Activating a response under a plan with 30 member units, at province scale (Guizhou).

Figure: the median time in ms of one activation through the service (``levels.activate`` with
``plan_id``): the incident locked, the plan and level checked, the activation row, 32 tasks with
their frozen escalation (4 steps and 4 jobs each), 31 notices and the inbox rows of both, the
checklist items and the timeline — one transaction, committed. Baseline, in the same run: a raw
insert of the same rows (the same tables, the same counts, values precomputed) in one transaction.
Also ``coverage_s``: ``yingji.plans.coverage.compute`` over all of Guizhou (goal ≤ 2 s) on the
plans of the registry's demo. Goal of the figure: ≤ 200 ms.

    python -m bench.plans
    python -m bench.plans --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import time
import uuid
from datetime import timedelta

from sqlalchemy import func, insert, select

from bench.common import fresh_database, median, report
from yingji.auth.models import User
from yingji.auth.scope import Principal
from yingji.core import clock
from yingji.core.db import Actor
from yingji.demo import builder
from yingji.incidents.models import Incident, TimelineEvent
from yingji.jobs.models import Job
from yingji.notify.models import InboxMessage
from yingji.org.models import Jurisdiction, Unit
from yingji.plans import conditions, coverage, demo_response
from yingji.plans import demo as plans_demo
from yingji.plans.models import Plan, PlanAction, PlanLevel, PlanMember, ResponsePlanItem
from yingji.response import levels
from yingji.response.models import ResponseActivation, ResponseTask, TaskEscalationStep
from yingji.response.schemas import ActivationIn

GOAL_MS = 200.0
GOAL_COVERAGE_S = 2.0
MEMBERS = 30
CITY = "5206"
LEVEL = 2


def build(db) -> builder.DemoData:
    """Guizhou's organisation and the registry's demo plans with their response parts."""
    options = builder.DemoOptions(province=True)
    data = builder.generate(options)
    builder.write(db, data)
    builder.create_logins(db, data)
    plans_demo.build(db, data, options, None)
    demo_response.build(db, data, options, None)
    return data


def make_plan(db) -> int:
    """A city special plan with 30 member units: at level Ⅱ the HQ has 2 tasks, a notice and 2
    checks; each member unit a task and a notice."""
    with db.writing(Actor.system("bench")) as session:
        hq = session.scalars(
            select(Unit).where(Unit.jurisdiction_code == CITY, Unit.kind == "special_hq").order_by(Unit.id)
        ).first()
        units = session.scalars(
            select(Unit.id)
            .where(Unit.jurisdiction_code == CITY, Unit.kind.in_(("member_unit", "department")))
            .order_by(Unit.kind.desc(), Unit.sort, Unit.id)
            .limit(MEMBERS)
        ).all()
        assert len(units) == MEMBERS, f"only {len(units)} units at {CITY}"
        plan = Plan(
            code=f"BENCH-{uuid.uuid4().hex[:8]}",
            title="铜仁市地质灾害应急预案（测试）",
            kind="special",
            jurisdiction_code=CITY,
            issuer="铜仁市人民政府办公室",
            hq_unit_id=hq.id,
            lead_unit_id=units[0],
            event_categories=["natural.geological"],
            state="issued",
        )
        session.add(plan)
        session.flush()
        for i, unit_id in enumerate(units):
            role = "lead" if i == 0 else "member"
            session.add(
                PlanMember(plan_id=plan.id, unit_id=unit_id, role=role, sort=i, jurisdiction_code=CITY)
            )
        for n, spec in conditions.from_rules("geological_damage").items():
            session.add(PlanLevel(plan_id=plan.id, level=n, jurisdiction_code=CITY, **spec))
        rows = [
            ("hq", None, "task", "组织会商研判", 30),
            ("hq", None, "task", "成立现场指挥部", 60),
            ("hq", None, "notice", "通知成员单位进入应急状态", None),
            ("hq", None, "check", "向省政府报告", 30),
            ("hq", None, "check", "组织新闻发布", None),
        ]
        for unit_id in units:
            rows += [
                ("member", unit_id, "task", "按职责开展处置", 90),
                ("member", unit_id, "notice", "响应启动通知", None),
            ]
        for seq, (role, unit_id, kind, title, due) in enumerate(rows, start=1):
            session.add(
                PlanAction(
                    plan_id=plan.id,
                    level=LEVEL,
                    seq=seq,
                    role=role,
                    unit_id=unit_id,
                    kind=kind,
                    title=title,
                    due_minutes=due,
                    jurisdiction_code=CITY,
                )
            )
        return plan.id


def new_incident(db, town: str) -> int:
    now = clock.now()
    with db.writing(Actor.system("bench")) as session:
        incident = Incident(
            number=f"B-{uuid.uuid4().hex[:12]}",
            title="某镇山体滑坡",
            category="natural.geological",
            grading_kind="geological_damage",
            grade="II",
            jurisdiction_code=town,
            occurred_at=now - timedelta(hours=1),
            received_at=now - timedelta(minutes=50),
            status="verified",
            deaths=12,
        )
        session.add(incident)
        session.flush()
        return incident.id


def activate(db, principal: Principal, incident_id: int, plan_id: int) -> tuple[float, float]:
    """Wall-clock and CPU ms of one activation (CPU leaves out waiting for a busy machine)."""
    started, started_cpu = time.perf_counter(), time.process_time()
    with db.writing(principal.as_actor()) as session:
        levels.activate(
            session, principal, incident_id, ActivationIn(level=LEVEL, plan_id=plan_id, decided_by="市长")
        )
    return (time.perf_counter() - started) * 1000, (time.process_time() - started_cpu) * 1000


def counts(db, incident_id: int) -> dict[str, int]:
    from sqlalchemy import func

    with db.reading() as session:
        task_ids = select(ResponseTask.id).where(ResponseTask.incident_id == incident_id)
        return {
            "tasks": session.scalar(select(func.count()).select_from(task_ids.subquery())),
            "steps": session.scalar(
                select(func.count())
                .select_from(TaskEscalationStep)
                .where(TaskEscalationStep.task_id.in_(task_ids))
            ),
            "items": session.scalar(
                select(func.count())
                .select_from(ResponsePlanItem)
                .where(ResponsePlanItem.incident_id == incident_id)
            ),
        }


def inbox_count(db) -> int:
    from sqlalchemy import func

    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(InboxMessage))


def raw_insert(db, incident_id: int, plan_id: int, shape: dict[str, int], users: list[int]) -> float:
    """The same rows written raw: values precomputed, one executemany per table, one transaction."""
    now = clock.now()
    tag = uuid.uuid4().hex[:8]
    with db.reading() as session:
        actions = session.execute(
            select(PlanAction.id, PlanAction.kind, PlanAction.title, PlanAction.unit_id).where(
                PlanAction.plan_id == plan_id, PlanAction.level == LEVEL
            )
        ).all()
        code = session.scalar(select(Incident.jurisdiction_code).where(Incident.id == incident_id))
    task_actions = [a for a in actions if a.kind == "task"]
    started = time.perf_counter()
    with db.writing(Actor.system("bench")) as session:
        act_id = session.scalars(
            insert(ResponseActivation).returning(ResponseActivation.id),
            [
                {
                    "incident_id": incident_id,
                    "level": LEVEL,
                    "plan_id": plan_id,
                    "decided_by": "市长",
                    "started_at": now,
                    "jurisdiction_code": code,
                    "created_at": now,
                    "updated_at": now,
                }
            ],
        ).one()
        task_rows = [
            {
                "incident_id": incident_id,
                "seq": 1000 + i,
                "title": a.title,
                "assignee_kind": "unit",
                "assignee_unit_id": a.unit_id,
                "assignee_name": "单位",
                "priority": "normal",
                "due_at": now + timedelta(minutes=90),
                "state": "assigned",
                "plan_action_id": a.id,
                "escalation_policy": {"steps": []},
                "issued_by_code": CITY,
                "jurisdiction_code": code,
                "created_at": now,
                "updated_at": now,
            }
            for i, a in enumerate(task_actions)
        ]
        task_ids = session.scalars(
            insert(ResponseTask).returning(ResponseTask.id, sort_by_parameter_order=True), task_rows
        ).all()
        steps = [
            {
                "task_id": t,
                "seq": s,
                "action": "remind_assignee",
                "offset_minutes": 0,
                "active_states": ["assigned"],
                "due_at": now + timedelta(minutes=90),
                "state": "pending",
                "repairs": 0,
                "jurisdiction_code": code,
            }
            for t in task_ids
            for s in range(1, 5)
        ]
        step_ids = session.scalars(
            insert(TaskEscalationStep).returning(TaskEscalationStep.id, sort_by_parameter_order=True), steps
        ).all()
        session.execute(
            insert(Job),
            [
                {
                    "kind": "response.escalation_step",
                    "payload": {"step_id": s},
                    "state": "queued",
                    "priority": 0,
                    "due_at": now + timedelta(minutes=90),
                    "attempts": 0,
                    "max_attempts": 5,
                    "dedupe_key": f"raw-step:{tag}:{s}",
                    "created_at": now,
                    "updated_at": now,
                }
                for s in step_ids
            ],
        )
        session.execute(
            insert(ResponsePlanItem),
            [
                {
                    "incident_id": incident_id,
                    "activation_id": act_id,
                    "plan_id": plan_id,
                    "plan_action_id": a.id,
                    "level": LEVEL,
                    "kind": a.kind,
                    "role": "member",
                    "unit_id": a.unit_id,
                    "unit_name": "单位",
                    "title": a.title,
                    "resources": [],
                    "state": "open",
                    "recipients": 0,
                    "sort": i,
                    "jurisdiction_code": code,
                    "created_at": now,
                    "updated_at": now,
                }
                for i, a in enumerate(actions)
            ],
        )
        per = max(1, shape["inbox"] // max(1, len(actions)))
        session.execute(
            insert(InboxMessage),
            [
                {
                    "user_id": users[i % len(users)],
                    "category": "plan.notice",
                    "severity": "warning",
                    "subject": a.title,
                    "jurisdiction_code": code,
                    "dedupe_key": f"raw:{tag}:{a.id}:{i}",
                    "created_at": now,
                }
                for a in actions
                if a.kind != "check"
                for i in range(per)
            ],
        )
        session.execute(
            insert(TimelineEvent),
            [
                {
                    "incident_id": incident_id,
                    "at": now,
                    "kind": "response",
                    "summary": "raw",
                    "jurisdiction_code": code,
                }
            ],
        )
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="activations to take the median of")
    parser.add_argument("--database-url", default=None, help="PostgreSQL server to use (default SQLite)")
    args = parser.parse_args()
    with fresh_database(args.database_url, "plans") as db:
        started = time.perf_counter()
        build(db)
        build_s = time.perf_counter() - started
        plan_id = make_plan(db)
        with db.reading() as session:
            user = session.scalars(select(User).where(User.username == "commander")).one()
            principal = Principal.of(user)
            towns = session.scalars(
                select(Jurisdiction.code).where(
                    Jurisdiction.level == "town", Jurisdiction.code.startswith(CITY)
                )
            ).all()
            places = session.scalar(select(Jurisdiction.code).where(Jurisdiction.level == "province"))
            users = session.scalars(select(User.id).limit(20)).all()
            plans_total = session.scalar(select(func.count()).select_from(Plan)) - 1
        times, cpu, shape = [], [], {}
        for i in range(args.runs):
            incident_id = new_incident(db, towns[i % len(towns)])
            inbox_before = inbox_count(db)
            wall, used = activate(db, principal, incident_id, plan_id)
            times.append(wall)
            cpu.append(used)
            shape = counts(db, incident_id) | {"inbox": inbox_count(db) - inbox_before}
        base = [raw_insert(db, new_incident(db, towns[0]), plan_id, shape, users) for _ in range(args.runs)]
        with db.reading() as session:
            started = time.perf_counter()
            coverage.compute(session, places or "52")
            coverage_s = time.perf_counter() - started
        kind = db.kind
    figure, baseline = median(times), median(base)
    report(
        f"plan_activation_guizhou_{kind}",
        [
            ("database", kind),
            ("demo build, Guizhou org + plans (s)", f"{build_s:.1f}"),
            ("plan", f"{MEMBERS} member units, level {LEVEL}; demo plans in the registry: {plans_total:,}"),
            ("rows per activation", ", ".join(f"{k} {v}" for k, v in shape.items())),
            ("activation p50 / min / max (ms)", f"{figure:.1f} / {min(times):.1f} / {max(times):.1f}"),
            ("activation CPU p50 (ms)", f"{median(cpu):.1f}"),
            ("raw insert of the same rows p50 (ms)", f"{baseline:.1f}"),
            ("ratio activation / raw", f"{figure / baseline:.2f}"),
            ("goal (ms)", f"≤ {GOAL_MS:.0f}  {'met' if figure <= GOAL_MS else 'NOT MET'}"),
            ("coverage, all Guizhou (s)", f"{coverage_s:.2f}  (goal ≤ {GOAL_COVERAGE_S:.0f})"),
        ],
        {
            "figure": round(figure, 1),
            "unit": "ms",
            "baseline": round(baseline, 1),
            "ratio": round(figure / baseline, 2),
            "goal": GOAL_MS,
            "coverage_s": round(coverage_s, 3),
            "cpu_ms": round(median(cpu), 1),
            "runs": args.runs,
            **shape,
            "database": kind,
        },
    )


if __name__ == "__main__":
    main()
