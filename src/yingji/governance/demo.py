"""Demo data of work tasks (first of issue 14's ``DEMO_EXTRAS``): seed 002's attachment — all 8
tasks and their measures, copied from ``seed_002.json`` — as the demo city bureau's plan for the
current year, imported through the Excel importer from a table made like the office's (merged task
cells, units on several lines). The departments the seed names are created under the bureau when the
demo has none by that name, each with a head and a liaison; the demo's department staff login is the
liaison of 应急指挥中心. Progress reports on the long-term measures for the last period (one left
without: overdue, with a blue 督办 escalated to orange), and 法规股's year-end summary signed by its
head and its leader in charge."""

from __future__ import annotations

import io
import json
from datetime import date, datetime, time, timedelta
from importlib.resources import files

import numpy as np
from openpyxl import Workbook
from sqlalchemy import select

from yingji.auth.models import User
from yingji.auth.scope import Principal
from yingji.core import clock
from yingji.core.db import Actor
from yingji.demo.names import NameMaker
from yingji.governance import exchange, plans, progress, summaries
from yingji.governance.codes import DeadlineKind, MeasureState, NoticeKind, NoticeLevel, NoticeState, SignRole
from yingji.governance.models import Measure, MeasureUnit, Notice, PlanUnit, ProgressReport, TaskPlan
from yingji.governance.schemas import PlanIn
from yingji.org.models import Person, Position, Unit

SUMMARY_UNIT = "法规股"
OVERDUE = (8, 2)  # task 8, measure 2 (the 举报热线 measure) is left without its last report


def seed() -> dict:
    return json.loads((files("yingji.governance") / "seed_002.json").read_text(encoding="utf-8"))


def table(data: dict, year: int) -> bytes:
    """The attachment as an office types it: a title, the header, a task's number and title merged
    over its measure rows, several units in one cell on separate lines."""
    wb = Workbook()
    ws = wb.active
    ws.append([f"{year}年{data['title']}"])
    ws.merge_cells("A1:E1")
    ws.append(["序号", "工作任务", "相应的工作举措（含可供检验的工作成果）", "责任股室", "完成时限"])
    for task in data["tasks"]:
        first = ws.max_row + 1
        for i, m in enumerate(task["measures"]):
            deadline = m["deadline"].replace(str(data["year"]), str(year))
            ws.append(
                [
                    task["seq"] if i == 0 else None,
                    task["title"] if i == 0 else None,
                    m["text"],
                    m["units"],
                    deadline,
                ]
            )
        last = ws.max_row
        if last > first:
            ws.merge_cells(start_row=first, start_column=1, end_row=last, end_column=1)
            ws.merge_cells(start_row=first, start_column=2, end_row=last, end_column=2)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _units(session, bureau: Unit, names: list[str], maker: NameMaker) -> None:
    """The seed's departments under the bureau (created when missing), each with a head and a liaison."""
    for i, name in enumerate(names):
        unit = session.scalar(select(Unit).where(Unit.parent_id == bureau.id, Unit.name == name))
        if unit is None:
            unit = Unit(
                code=f"{bureau.code}-G{i + 1:02d}",
                name=name,
                kind="department",
                parent_id=bureau.id,
                jurisdiction_code=bureau.jurisdiction_code,
                sort=100 + i,
            )
            session.add(unit)
            session.flush()
        for role, title in (("chief", "负责人"), ("liaison", "联络员")):
            if plans.post_holder(session, unit.id, role) is None:
                person = Person(
                    name=maker.person()[0], title=f"{name}{title}", jurisdiction_code=bureau.jurisdiction_code
                )
                session.add(person)
                session.flush()
                session.add(
                    Position(
                        person_id=person.id,
                        unit_id=unit.id,
                        title=title,
                        role=role,
                        jurisdiction_code=bureau.jurisdiction_code,
                    )
                )
    session.flush()


def build(db, data, options, progress_cb) -> None:
    top = data.top
    year = clock.to_local(clock.now()).year
    with db.writing(Actor.system("demo")) as session:
        bureau = session.scalar(select(Unit).where(Unit.code == f"{top}-YJJ"))
        if bureau is None or session.scalar(select(TaskPlan.id).where(TaskPlan.jurisdiction_code == top)):
            return
        s = seed()
        _units(session, bureau, s["units"], NameMaker(np.random.default_rng(2024)))
        # The department staff login (防汛抗旱科) is also 应急指挥中心's liaison: "my unit's measures".
        staff = session.scalar(select(User).where(User.username == "staff"))
        centre = session.scalar(select(Unit).where(Unit.parent_id == bureau.id, Unit.name == "应急指挥中心"))
        if staff is not None and staff.person_id and centre is not None:
            held = session.scalar(
                select(Position.id).where(
                    Position.person_id == staff.person_id, Position.unit_id == centre.id
                )
            )
            if held is None:
                session.add(
                    Position(
                        person_id=staff.person_id,
                        unit_id=centre.id,
                        title="联络员",
                        role="liaison",
                        sort=9,
                        jurisdiction_code=top,
                    )
                )
                session.flush()
        principal = Principal.system(top, "demo")
        month, day = (int(x) for x in s["issued"].split("-"))
        issued = min(date(year, month, day), clock.to_local(clock.now()).date())
        plan, counts = exchange.import_plan(
            session,
            principal,
            PlanIn(
                year=year,
                title=f"{year}年{s['title']}",
                issuer=bureau.name,
                issuer_unit_id=bureau.id,
                issued_on=issued,
                jurisdiction_code=top,
            ),
            table(s, year),
        )
        _leaders(session, plan, bureau)
        _reports(session, plan)
        _summary(session, principal, plan)
    if progress_cb:
        progress_cb("governance", counts["measures"], counts["measures"])


def _leaders(session, plan: TaskPlan, bureau: Unit) -> None:
    """Each unit's leader in charge (分管领导): the bureau's deputies in turn."""
    deputies = list(
        session.scalars(
            select(Position.person_id)
            .where(Position.unit_id == bureau.id, Position.role == "deputy")
            .order_by(Position.sort, Position.id)
        )
    ) or list(
        session.scalars(
            select(Position.person_id).where(Position.unit_id == bureau.id, Position.role == "chief")
        )
    )
    for i, pu in enumerate(plans.plan_units(session, plan.id)):
        pu.leader_person_id = deputies[i % len(deputies)] if deputies else None
    session.flush()


def _reports(session, plan: TaskPlan) -> None:
    today = clock.to_local(clock.now()).date()
    tasks = {t.id: t.seq for t in plans.tasks_of(session, plan.id)}
    for m in plans.measures_of(session, plan.id):
        carriers = list(session.scalars(select(MeasureUnit).where(MeasureUnit.measure_id == m.id)))
        if (tasks[m.task_id], m.seq) == OVERDUE:
            _overdue(session, plan, m, carriers[0].unit_id, today)
            continue
        prev_key, _f, prev_last = progress.previous_period(m.period, today)
        cur_key, _cf, _l = progress.period_of(m.period, today)
        for k, mu in enumerate(carriers):
            if m.deadline_kind == DeadlineKind.LONG_TERM or k == 0:
                at = datetime.combine(prev_last - timedelta(days=2), time(10), clock.LOCAL_TZ)
                _report(
                    session,
                    plan,
                    m,
                    mu.unit_id,
                    prev_key,
                    at,
                    "按期推进，已形成工作台账（会议记录、通知文件、现场照片）。",
                    60,
                )
            if k == 0 and m.deadline_kind == DeadlineKind.LONG_TERM and (m.id % 2 == 0):
                _report(session, plan, m, mu.unit_id, cur_key, None, "本期工作正常推进。", 80)
        m.state = MeasureState.ONGOING
    session.flush()


def _report(session, plan, m, unit_id, key, at, text, percent) -> None:
    session.add(
        ProgressReport(
            measure_id=m.id,
            plan_id=plan.id,
            unit_id=unit_id,
            period_key=key,
            text=text,
            percent=percent,
            at=at or clock.now(),
            jurisdiction_code=plan.jurisdiction_code,
        )
    )


def _overdue(session, plan, m: Measure, unit_id: int, today: date) -> None:
    """No report for the last period: a blue 督办 issued some days ago, escalated to orange."""
    key, _f, _l = progress.previous_period(m.period, today)
    reason = f"未按期报送{key}工作进展：{m.text[:40]}…"
    blue = Notice(
        plan_id=plan.id,
        measure_id=m.id,
        unit_id=unit_id,
        kind=NoticeKind.SUPERVISION.value,
        level=NoticeLevel.BLUE.value,
        state=NoticeState.SUPERSEDED.value,
        period_key=key,
        reason=reason,
        issued_at=clock.now() - timedelta(days=6),
        reply_due=today - timedelta(days=1),
        jurisdiction_code=plan.jurisdiction_code,
    )
    session.add(blue)
    session.flush()
    session.add(
        Notice(
            plan_id=plan.id,
            measure_id=m.id,
            unit_id=unit_id,
            kind=NoticeKind.SUPERVISION.value,
            level=NoticeLevel.ORANGE.value,
            state=NoticeState.OPEN.value,
            period_key=key,
            reason=reason,
            issued_at=clock.now(),
            reply_due=today + timedelta(days=5),
            previous_id=blue.id,
            jurisdiction_code=plan.jurisdiction_code,
        )
    )
    m.state = MeasureState.ONGOING
    session.flush()


def _summary(session, principal: Principal, plan: TaskPlan) -> None:
    unit = session.scalar(
        select(Unit)
        .join(PlanUnit, PlanUnit.unit_id == Unit.id)
        .where(PlanUnit.plan_id == plan.id, Unit.name == SUMMARY_UNIT)
    )
    if unit is None:
        return
    text = (
        f"{plan.year}年，{SUMMARY_UNIT}对照“一规划两方案”工作措施清单，利用平台宣传《中华人民共和国突发事件应对法》"
        "及配套办法，定期发布应急管理法律法规及标准信息，建立了工作台账，按月报送进展。"
    )
    summary = summaries.write(session, principal, plan.id, unit.id, text)
    for role in (SignRole.HEAD, SignRole.LEADER):
        person = summaries.signer(session, summary, role)
        if person is not None:
            summaries.record_signature(session, principal, summary, role, person)
