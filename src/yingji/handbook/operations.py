"""Part four's chapters that are not rule tables: the warning chain (who drafts, approves, publishes and
passes warnings on) and the key contacts (duty phones, who is on duty now, the places below)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yingji.auth.models import User
from yingji.auth.roles import PERMISSIONS, ROLE_LABELS_MSGID, Perm
from yingji.auth.scope import Principal
from yingji.core.i18n import translate
from yingji.duty import oncall
from yingji.handbook import procedures
from yingji.handbook.model import (
    CHILD_HQ_KINDS,
    PARTS,
    ZH,
    Part,
    Table,
    child_length,
    phone,
    subtree,
)
from yingji.org.models import (
    GridAssignment,
    Jurisdiction,
    Unit,
)


# -- part four: the operations handbook ----------------------------------------------------------
def operations(session: Session, principal: Principal, place: Jurisdiction, summary: dict) -> Part:
    part = Part(PARTS[3])
    part.h2("一、应急响应程序")
    plans = procedures.plans_in_force(session, place.code)
    summary["plans"] = len(plans)
    procedures.write(part, plans)
    part.h2("二、信息报告时限")
    procedures.reporting_limits(part, session, place.code)
    part.h2("三、预警发布链条")
    _warning_chain(part, session, principal, place)
    part.h2("四、重要联系方式")
    _contacts(part, session, principal, place)
    return part


def _warning_chain(part: Part, session: Session, principal: Principal, place: Jurisdiction) -> None:
    from yingji.rules import load

    levels = load("warning_levels.json")["levels"]
    part.p(
        "预警信息按级别审批发布：预警级别由高到低分为一级（红色）、二级（橙色）、三级（黄色）、四级（蓝色）。"
        "需审批的级别，由起草人以外的领导审批后发布。"
    )
    part.table(
        Table(
            ["预警级别", "是否需领导审批"],
            [50, 50],
            [
                [
                    v["zh"],
                    "是（审批人不得为起草人）"
                    if v.get("requires_approval")
                    else "否，具有发布权限者可直接发布",
                ]
                for v in levels.values()
            ],
        )
    )

    def holders(perm: Perm) -> list[str]:
        roles = [r for r, perms in PERMISSIONS.items() if perm in perms and r.value != "admin"]
        return [r.value for r in roles]

    steps = [("起草", Perm.WARNING_DRAFT), ("审批", Perm.WARNING_APPROVE), ("发布", Perm.WARNING_PUBLISH)]
    roles_all = sorted({r for _, perm in steps for r in holders(perm)})
    users = list(
        session.execute(
            select(User.display_name, User.role)
            .where(User.jurisdiction_code == place.code, User.active, User.role.in_(roles_all))
            .order_by(User.role, User.display_name)
        )
    )
    rows = []
    for label, perm in steps:
        role_names = [translate(ROLE_LABELS_MSGID[r], ZH) for r in PERMISSIONS if r.value in holders(perm)]
        people = [u.display_name for u in users if u.role in holders(perm)]
        rows.append([label, "、".join(role_names), "、".join(people) or "（本级未设账号）"])
    part.h3("（一）起草、审批、发布")
    part.table(Table(["环节", "岗位", f"{place.name}账号"], [14, 50, 40], rows, wide=(1, 2)))
    part.h3("（二）接收与传递")
    counts = dict(
        session.execute(
            select(GridAssignment.role, func.count())
            .where(subtree(GridAssignment.jurisdiction_code, place.code))
            .group_by(GridAssignment.role)
        ).all()
    )
    part.p(
        "预警信息发布后，由指挥机构成员单位、各级应急管理办公室逐级传递至网格，"
        f"本辖区网格长{counts.get('leader', 0)}人次、网格员{counts.get('worker', 0)}人次"
        "负责入户告知和确认签收，对老弱病残等群体逐户通知到人。"
    )


def _contacts(part: Part, session: Session, principal: Principal, place: Jurisdiction) -> None:
    units = list(
        session.execute(
            select(Unit.name, Unit.kind, Unit.duty_phone)
            .where(Unit.jurisdiction_code == place.code, Unit.duty_phone.is_not(None))
            .order_by(Unit.sort, Unit.id)
        )
    )
    part.h3("（一）本级值班电话")
    part.table(
        Table(["单位", "值班电话"], [60, 40], [[u.name, phone(principal, u.duty_phone)] for u in units])
    )
    part.h3("（二）当前值班人员")
    on = oncall.on_duty(session, jurisdiction_code=place.code)
    rows = []
    for d in on:
        leader = d.leader
        rows.append(
            [
                d.unit_name,
                f"{leader.name} {phone(principal, leader.mobile)}" if leader else "（空缺）",
                "、".join(f"{o.name} {phone(principal, o.mobile)}" for o in d.officers) or "（空缺）",
                phone(principal, d.duty_phone),
            ]
        )
    part.table(
        Table(["值班单位", "带班领导", "值班员", "值班电话"], [30, 26, 40, 20], rows, wide=(0, 1, 2)),
        empty="（本级尚未编排值班表）",
    )
    child = child_length(place.code)
    if child:
        rows = [
            [r.place, r.name, phone(principal, r.duty_phone)]
            for r in session.execute(
                select(Jurisdiction.name.label("place"), Unit.name, Unit.duty_phone)
                .join(Jurisdiction, Jurisdiction.code == Unit.jurisdiction_code)
                .where(
                    subtree(Unit.jurisdiction_code, place.code),
                    func.length(Unit.jurisdiction_code) == child,
                    Unit.kind.in_(CHILD_HQ_KINDS),
                    Unit.duty_phone.is_not(None),
                )
                .order_by(Unit.jurisdiction_code, Unit.sort, Unit.id)
            )
        ]
        part.h3("（三）下级应急值班电话")
        part.table(Table(["地区", "单位", "值班电话"], [24, 50, 26], rows, wide=(1,)))
