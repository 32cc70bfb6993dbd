"""The handbook's content, assembled once and written by both renderers (PDF and DOCX): a cover,
then four parts made of headings, paragraphs and tables.

Every list is read with a handful of set-based queries over the place's subtree (one grouped query
for all stock, one for all team leaders, one for all equipment …): a whole city (3,100 stores,
3,200 teams, 66,000 members) is read in about as many queries as a town. Phones are masked here,
once, for a principal without CONTACT_PHONE, so neither renderer can leak them.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal
from yingji.core import clock
from yingji.handbook import lists, operations
from yingji.handbook.model import (
    BODY_KINDS,
    KIND_ZH,
    PARTS,
    UNIT_ROLE_ZH,
    Handbook,
    Part,
    Table,
    chunks,
    numeral,
    phone,
    title_of,
)
from yingji.org.models import (
    Jurisdiction,
    Person,
    Position,
    Responsibility,
    Unit,
    UnitMembership,
)


# -- part one: the command system --------------------------------------------------------------
def _command(session: Session, principal: Principal, place: Jurisdiction, summary: dict) -> Part:
    part = Part(PARTS[0])
    bodies = list(
        session.execute(
            select(Unit.id, Unit.name, Unit.kind, Unit.topic, Unit.duty_phone, Unit.address)
            .where(Unit.jurisdiction_code == place.code, Unit.kind.in_(BODY_KINDS))
            .order_by(Unit.sort, Unit.id)
        )
    )
    bodies.sort(key=lambda b: BODY_KINDS.index(b.kind))
    ids = [b.id for b in bodies]
    posts: dict[int, list] = {}
    memberships: dict[int, list] = {}
    duties: dict[int, list] = {}
    member_posts: dict[int, list] = {}
    if ids:
        for row in session.execute(
            select(
                Position.unit_id,
                Position.title,
                Person.name,
                Person.title.label("ptitle"),
                Person.mobile,
                Person.office_phone,
            )
            .join(Person, Person.id == Position.person_id)
            .where(Position.unit_id.in_(ids))
            .order_by(Position.unit_id, Position.sort, Position.id)
        ):
            posts.setdefault(row.unit_id, []).append(row)
        for row in session.execute(
            select(UnitMembership.hq_id, UnitMembership.role, Unit.id, Unit.name, Unit.duty_phone)
            .join(Unit, Unit.id == UnitMembership.member_id)
            .where(UnitMembership.hq_id.in_(ids))
            .order_by(UnitMembership.hq_id, UnitMembership.role, Unit.sort, Unit.id)
        ):
            memberships.setdefault(row.hq_id, []).append(row)
    member_ids = sorted({m.id for rows in memberships.values() for m in rows})
    wanted = ids + member_ids
    if wanted:
        for chunk in chunks(wanted):
            for row in session.execute(
                select(Responsibility.unit_id, Responsibility.text, Responsibility.topics)
                .where(Responsibility.unit_id.in_(chunk))
                .order_by(Responsibility.unit_id, Responsibility.seq)
            ):
                duties.setdefault(row.unit_id, []).append(row)
    if member_ids:
        for chunk in chunks(member_ids):
            for row in session.execute(
                select(Position.unit_id, Position.title, Position.role, Person.name, Person.mobile)
                .join(Person, Person.id == Position.person_id)
                .where(Position.unit_id.in_(chunk), Position.role.in_(("chief", "liaison")))
                .order_by(Position.unit_id, Position.sort)
            ):
                member_posts.setdefault(row.unit_id, []).append(row)
    summary["bodies"] = len(bodies)
    summary["member_units"] = len(member_ids)
    if not bodies:
        part.p(f"{place.name}尚未在平台登记应急指挥机构。")
        return part
    overview = Table(
        ["序号", "机构", "类别", "主要负责人", "值班电话"],
        [6, 40, 16, 22, 20],
        [
            [
                str(i),
                b.name,
                KIND_ZH.get(b.kind, b.kind),
                "、".join(f"{p.name}（{p.title}）" for p in posts.get(b.id, [])[:2]),
                phone(principal, b.duty_phone),
            ]
            for i, b in enumerate(bodies, 1)
        ],
        wide=(1, 3),
    )
    part.h2("一、指挥机构一览")
    part.table(overview)
    n = 1
    for b in bodies:
        n += 1
        part.h2(f"{numeral(n)}、{b.name}")
        if b.duty_phone or b.address:
            bits = []
            if b.duty_phone:
                bits.append(f"值班电话：{phone(principal, b.duty_phone)}")
            if b.address:
                bits.append(f"地址：{b.address}")
            part.p("；".join(bits))
        rows = posts.get(b.id, [])
        part.h3("（一）组成人员")
        part.table(
            Table(
                ["职务", "姓名", "单位职务", "联系电话"],
                [20, 16, 40, 28],
                [[r.title, r.name, r.ptitle or "", phone(principal, r.mobile, r.office_phone)] for r in rows],
                wide=(2,),
            )
        )
        lines = duties.get(b.id, [])
        if lines:
            part.h3("（二）主要职责")
            for k, line in enumerate(lines, 1):
                part.p(f"{k}. {line.text}")
        members = memberships.get(b.id, [])
        if members:
            part.h3(f"（{'三' if lines else '二'}）成员单位及职责")
            table_rows = []
            for m in members:
                heads = member_posts.get(m.id, [])
                chief = next((h for h in heads if h.role == "chief"), None)
                liaison = next((h for h in heads if h.role == "liaison"), None)
                mine = [d.text for d in duties.get(m.id, []) if not b.topic or b.topic in (d.topics or "")]
                table_rows.append(
                    [
                        m.name,
                        UNIT_ROLE_ZH.get(m.role, m.role),
                        "；".join(mine) or "按本单位职能做好相关工作",
                        f"{chief.name} {phone(principal, chief.mobile)}" if chief else "",
                        f"{liaison.name} {phone(principal, liaison.mobile)}" if liaison else "",
                    ]
                )
            part.table(
                Table(
                    ["单位", "角色", "职责", "负责人", "联络员"],
                    [24, 10, 52, 20, 20],
                    table_rows,
                    wide=(0, 2, 3, 4),
                )
            )
    return part


def assemble(session: Session, principal: Principal, place: Jurisdiction) -> Handbook:
    """The whole handbook of ``place`` as ``principal`` may read it (phones masked unless allowed)."""
    summary: dict[str, int] = {}
    data_at = clock.now()
    parts = [
        _command(session, principal, place, summary),
        lists.teams(session, principal, place, summary),
        lists.stores(session, principal, place, summary),
        operations.operations(session, principal, place, summary),
    ]
    return Handbook(
        code=place.code,
        place_name=place.name,
        level=place.level,
        title=title_of(place.name),
        data_at=data_at,
        masked=not principal.can(Perm.CONTACT_PHONE),
        parts=parts,
        summary=summary,
    )
