"""Demo response records for the demo's incidents (made by incidents' demo, which runs first):
response levels, command posts, tasks in every state, situation reports, consultations, closures with
their aftermath and evaluation. Bulk inserts, deterministic for a seed; nothing when there are no
incidents."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import bindparam, insert, select, update

from yingji.auth import audit
from yingji.core import clock
from yingji.core.clock import to_local
from yingji.core.db import Actor, Database
from yingji.incidents.models import Incident
from yingji.jobs import queue
from yingji.response.escalation import DEFAULT_POLICY, STEP_JOB
from yingji.response.investigation import investigating_level, statutory
from yingji.response.models import (
    IncidentClosure,
    IncidentInvestigation,
    ResponseActivation,
    ResponseTask,
    SituationReport,
    TaskEscalationStep,
)

MAX_INCIDENTS = 120  # the most recent ones get response records; the rest of the history stays bare
TASKS = [
    ("转移受威胁群众", "疏散转移危险区域内群众，做好临时安置"),
    ("设置警戒区域", "封控现场，设置警戒线，禁止无关人员进入"),
    ("排查次生灾害隐患", "对周边隐患点开展拉网式排查"),
    ("抢通道路", "组织机械抢通受阻道路"),
    ("统计灾情损失", "核实人员伤亡、房屋倒损和直接经济损失"),
]
STATES = ["done", "done", "done", "cancelled", "in_progress", "acknowledged", "assigned"]


def _rows(session, now: datetime, rng: random.Random, incidents: list[Incident]) -> dict[str, list[dict]]:
    rows: dict[str, list[dict]] = {k: [] for k in ("act", "task", "sitrep", "closure", "inv", "responding")}
    for inc in incidents:
        code, level = inc.jurisdiction_code, rng.choice([4, 4, 4, 3, 3, 2])
        base = {"incident_id": inc.id, "jurisdiction_code": code, "created_at": now, "updated_at": now}
        start = inc.received_at + timedelta(minutes=rng.randint(20, 90))
        ended = inc.status in ("stabilised", "closed")
        end = start + timedelta(hours=rng.randint(6, 72))
        closed_at = inc.closed_at or end
        if not ended:  # a verified incident of these days: its response is running now
            rows["responding"].append({"iid": inc.id, "lvl": level, "code": code})
        rows["act"].append(
            base
            | {
                "level": level,
                "plan_name": "突发事件总体应急预案",
                "plan_number": f"{code[:6]}政办发〔{to_local(start).year - 1}〕{rng.randint(3, 40)}号",
                "decided_by": "县（区）人民政府分管负责同志",
                "reason": "按照预案启动条件",
                "started_at": start,
                "ended_at": end if ended else None,
                "ended_how": "ended" if ended else None,
                "end_reason": "险情已消除" if ended else None,
            }
        )
        for seq, (title, detail) in enumerate(rng.sample(TASKS, 3), start=1):
            state = rng.choice(STATES[:4]) if ended else rng.choice(STATES)
            due = (
                start + timedelta(hours=seq * 2)
                if ended
                else now + timedelta(hours=rng.choice([-2, 1, 3, 6]))
            )
            finished = state in ("done", "cancelled")
            rows["task"].append(
                base
                | {
                    "seq": seq,
                    "title": title,
                    "detail": detail,
                    "assignee_kind": "team",
                    "assignee_team": rng.choice(["乡镇应急分队", "消防救援站", "地灾巡查队", "交通抢修队"]),
                    "assignee_name": "",
                    "priority": rng.choice(["normal", "normal", "high", "urgent"]),
                    "due_at": due,
                    "state": state,
                    "acknowledged_at": start + timedelta(minutes=10) if state != "assigned" else None,
                    "acknowledged_by": "分队负责人" if state != "assigned" else None,
                    "started_at": start + timedelta(minutes=20) if state in ("in_progress", "done") else None,
                    "finished_at": min(due, now) if finished else None,
                    "result": "已按要求完成"
                    if state == "done"
                    else ("任务调整" if state == "cancelled" else None),
                    "escalation_policy": DEFAULT_POLICY | {"frozen_at": start.isoformat()},
                    "issued_by_code": code[:6],
                }
            )
            rows["task"][-1]["assignee_name"] = rows["task"][-1]["assignee_team"]
        rows["sitrep"].append(
            base
            | {
                "seq": 1,
                "title": f"关于{inc.title}有关情况的报告（第1期）",
                "issuing_body": "应急管理局",
                "doc_number": f"应急情〔{to_local(start).year}〕{inc.id}号",
                "conditions": f"{to_local(inc.occurred_at):%m月%d日%H时%M分}，{inc.title}。",
                "actions": "一是第一时间启动应急响应；二是组织力量开展处置；三是做好信息报送。",
                "needs": None,
                "issued_at": start + timedelta(hours=1),
            }
        )
        if inc.status == "closed":
            rows["closure"].append(
                base
                | {
                    "closed_at": closed_at,
                    "closed_by": "县（区）应急管理局",
                    "summary": "应急处置工作结束，转入善后恢复。",
                    "relocation": "受影响群众已妥善安置",
                    "compensation": "按规定落实救助和补偿",
                    "recovery": "基础设施已恢复",
                }
            )
        if inc.grading_kind == "production_safety" or inc.status == "closed":
            due = (
                statutory(inc.grade, inc.occurred_at)[0] if inc.grading_kind == "production_safety" else None
            )
            submitted = inc.status == "closed" and (due is None or due < now)
            rows["inv"].append(
                base
                | {
                    "state": "submitted" if submitted else "open",
                    "investigating_level": investigating_level(inc.grade),
                    "original_due_at": due,
                    "due_at": due,
                    "basis": "生产安全事故报告和调查处理条例（国务院令第493号）第二十九条" if due else None,
                    "extension_days": 0,
                    "causes": "强降雨及地质条件等综合因素" if submitted else None,
                    "responsibility": "无人为责任" if submitted else None,
                    "lessons": "隐患排查需更加细致" if submitted else None,
                    "measures": "加强汛期巡查和预警" if submitted else None,
                    "submitted_at": closed_at + timedelta(days=20)
                    if submitted and inc.status == "closed"
                    else None,
                }
            )
    return rows


def build(db: Database, data, options, progress) -> None:
    """Response records for the most recent demo incidents that reached a response."""
    rng = random.Random(options.seed * 17 + 6)
    now = clock.now()
    with db.writing(Actor.system("demo")) as session:
        incidents = list(
            session.scalars(
                select(Incident)
                .where(
                    Incident.status.in_(("verified", "stabilised", "closed")),
                    Incident.merged_into_id.is_(None),
                )
                .order_by(Incident.occurred_at.desc(), Incident.id)
                .limit(MAX_INCIDENTS)
            )
        )
        if not incidents:
            return
        rows = _rows(session, now, rng, incidents)
        for model, key in (
            (ResponseActivation, "act"),
            (ResponseTask, "task"),
            (SituationReport, "sitrep"),
            (IncidentClosure, "closure"),
            (IncidentInvestigation, "inv"),
        ):
            if rows[key]:
                session.execute(insert(model), rows[key])
                audit.record_many(
                    session,
                    audit.entries_for_bulk(
                        session,
                        "create",
                        model.__tablename__,
                        [
                            (None, r["jurisdiction_code"], None, {"incident_id": r["incident_id"]})
                            for r in rows[key]
                        ],
                        note="demo",
                    ),
                )
        _responding(session, rows["responding"])
        _steps(session, now)
        progress("response", len(incidents), len(incidents))


def _steps(session, now: datetime) -> None:
    """Escalation steps of the open demo tasks: past ones already ran, future ones wait on their jobs."""
    open_tasks = session.execute(
        select(ResponseTask.id, ResponseTask.due_at, ResponseTask.jurisdiction_code).where(
            ResponseTask.state.in_(("assigned", "acknowledged", "in_progress"))
        )
    ).all()
    steps = []
    for task_id, due, code in open_tasks:
        for seq, spec in enumerate(DEFAULT_POLICY["steps"], start=1):
            at = due + timedelta(minutes=spec["offset_minutes"])
            steps.append(
                {
                    "task_id": task_id,
                    "seq": seq,
                    "action": spec["action"],
                    "offset_minutes": spec["offset_minutes"],
                    "active_states": spec["active_states"],
                    "due_at": at,
                    "state": "pending" if at > now else "done",
                    "ran_at": None if at > now else at,
                    "repairs": 0,
                    "jurisdiction_code": code,
                }
            )
    if not steps:
        return
    session.execute(insert(TaskEscalationStep), steps)
    pending = session.execute(
        select(TaskEscalationStep.id, TaskEscalationStep.due_at).where(
            TaskEscalationStep.state == "pending", TaskEscalationStep.job_id.is_(None)
        )
    ).all()
    for step_id, at in pending:
        job_id = queue.enqueue(
            session, STEP_JOB, {"step_id": step_id}, due_at=at, dedupe_key=f"task-step:{step_id}"
        )
        session.execute(
            TaskEscalationStep.__table__.update()
            .where(TaskEscalationStep.id == step_id)
            .values(job_id=job_id)
        )


def _responding(session, rows: list[dict]) -> None:
    """verified → responding (allowed by the transition table) for the incidents with a running response."""
    if not rows:
        return
    table = Incident.__table__
    session.execute(
        update(table)
        .where(table.c.id == bindparam("iid"))
        .values(status="responding", response_level=bindparam("lvl")),
        rows,
    )
    audit.record_many(
        session,
        audit.entries_for_bulk(
            session,
            "update",
            "incidents",
            [
                (
                    r["iid"],
                    r["code"],
                    {"status": "verified"},
                    {"status": "responding", "response_level": r["lvl"]},
                )
                for r in rows
            ],
            note="demo",
        ),
    )
