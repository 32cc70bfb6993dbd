"""Helpers of the digital-plan tests: a plan of a county's special HQ (its member units from the HQ's
memberships) written straight to the database, since the registry is another piece of work."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from tests.response.conftest import new_incident, principal_of  # noqa: F401 (re-exported)
from yingji.core.db import Actor, Database
from yingji.org.models import Unit, UnitMembership
from yingji.plans import conditions
from yingji.plans.models import Plan, PlanAction, PlanLevel, PlanMember


@dataclass
class MadePlan:
    id: int
    hq_unit_id: int
    member_ids: list[int]  # lead first


def make_plan(
    db: Database,
    code: str,
    *,
    topic: str = "geological",
    kind: str = "special",
    state: str = "issued",
    levels: bool = True,
    actions: bool = True,
    categories: tuple[str, ...] = ("natural.geological",),
) -> MadePlan:
    """A plan of the special HQ of ``topic`` at ``code``; with ``levels`` its four levels are tied to
    the geological grading table; with ``actions`` level Ⅳ has an HQ task, the lead unit's task, a
    notice and a check, and each higher level adds a task for every member unit."""
    with db.writing(Actor.system("tests")) as session:
        hq = session.scalars(
            select(Unit).where(Unit.kind == "special_hq", Unit.topic == topic, Unit.jurisdiction_code == code)
        ).first()
        links = session.execute(
            select(UnitMembership.member_id, UnitMembership.role)
            .where(UnitMembership.hq_id == hq.id)
            .order_by(UnitMembership.role, UnitMembership.id)
        ).all()
        members = [m for m, _ in links]
        plan = Plan(
            code=f"T-{uuid.uuid4().hex[:10]}",
            title=f"测试{hq.name}专项应急预案",
            kind=kind,
            jurisdiction_code=code,
            issuer="测试人民政府办公室",
            hq_unit_id=hq.id,
            lead_unit_id=members[0],
            event_categories=list(categories),
            state=state,
            doc_number="测政办发〔2025〕1号",
            issued_on=date(2025, 3, 1),
        )
        session.add(plan)
        session.flush()
        for i, (unit_id, role) in enumerate(links):
            session.add(
                PlanMember(plan_id=plan.id, unit_id=unit_id, role=role, sort=i, jurisdiction_code=code)
            )
        if levels:
            for n, spec in conditions.from_rules("geological_damage").items():
                session.add(
                    PlanLevel(plan_id=plan.id, level=n, jurisdiction_code=code, decided_by="总指挥", **spec)
                )
        if levels and actions:
            for n in (1, 2, 3, 4):
                rows = [
                    ("hq", None, "task", "指挥部办公室组织会商研判", 30),
                    ("member", members[0], "task", "牵头单位派出工作组赶赴现场", 60),
                    ("member", members[0], "notice", "通报事件情况和响应级别", None),
                    ("hq", None, "check", "向上级报告启动响应情况", 20),
                ]
                if n < 4:
                    rows += [
                        ("member", m, "task", "按职责参与现场处置", 90 - 15 * (4 - n)) for m in members[1:]
                    ]
                for seq, (role, unit_id, k, title, due) in enumerate(rows, start=1):
                    session.add(
                        PlanAction(
                            plan_id=plan.id,
                            level=n,
                            seq=seq,
                            role=role,
                            unit_id=unit_id,
                            kind=k,
                            title=title,
                            due_minutes=due,
                            priority="high" if n <= 2 else "normal",
                            resources=[{"item": "无人机", "quantity": 1, "unit": "架"}]
                            if k == "task"
                            else [],
                            jurisdiction_code=code,
                        )
                    )
        return MadePlan(plan.id, hq.id, members)
