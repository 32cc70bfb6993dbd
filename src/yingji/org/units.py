"""Units: bureau departments, command HQs and their specialised HQs, town emergency committees,
member units; their responsibility lists (职责清单), posts and HQ memberships."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, in_scope, visible, writable
from yingji.core.errors import Conflict, NotFound, ValidationFailed
from yingji.core.i18n import N_
from yingji.core.models import apply_changes
from yingji.core.pagination import Page, paginate
from yingji.org import places, topics
from yingji.org.models import Jurisdiction, Person, Position, Responsibility, Unit, UnitMembership
from yingji.org.schemas import PositionIn, UnitIn, UnitPatch

UNIT_KINDS = {
    "bureau": N_("Emergency management bureau"),  # 应急管理局
    "department": N_("Bureau department"),  # 股室/科室
    "command_hq": N_("Emergency rescue command HQ"),  # 应急救援总指挥部
    "special_hq": N_("Specialised command HQ"),  # 专项应急指挥部
    "hq_office": N_("HQ office"),  # 指挥部办公室
    "member_unit": N_("Member unit"),  # 成员单位
    "emergency_committee": N_("Town emergency management committee"),  # 应急管理委员会
    "committee_office": N_("Emergency management office"),  # 应急管理办公室
    "working_group": N_("Specialised working group"),  # 专项应急处置工作组
    "service_station": N_("Village emergency service station"),  # 应急服务站
}

POSITION_ROLES = {
    "chief": N_("Head"),  # 总指挥/主任/站长
    "deputy": N_("Deputy"),
    "director": N_("Office director"),
    "member": N_("Member"),
    "liaison": N_("Liaison"),
    "duty_leader": N_("Leader on duty"),  # 带班领导
    "duty_officer": N_("Duty officer"),  # 值班员
    "info_officer": N_("Information officer"),  # 灾害信息员
}


def search(
    session: Session,
    principal: Principal,
    *,
    q: str = "",
    within: str | None = None,
    kind: str | None = None,
    topic: str | None = None,
    page: int = 1,
    size: int = 50,
) -> Page[Unit]:
    stmt = select(Unit).where(in_scope(Unit.jurisdiction_code, principal))
    stmt = places.narrow(session, principal, stmt, Unit.jurisdiction_code, within)
    if kind:
        stmt = stmt.where(Unit.kind == kind)
    if topic:
        stmt = stmt.where(Unit.topic == topic)
    if q:
        stmt = stmt.where(Unit.name.contains(q.strip(), autoescape=True))
    return paginate(session, stmt.order_by(Unit.jurisdiction_code, Unit.sort, Unit.id), page, size)


def get(session: Session, principal: Principal, unit_id: int) -> Unit:
    return visible(principal, session.get(Unit, unit_id))


def sub_units(session: Session, principal: Principal, unit: Unit) -> list[Unit]:
    return list(
        session.scalars(
            select(Unit)
            .where(Unit.parent_id == unit.id, in_scope(Unit.jurisdiction_code, principal))
            .order_by(Unit.sort, Unit.id)
        )
    )


def memberships(session: Session, unit: Unit) -> list[UnitMembership]:
    """Member units of an HQ (lead first), or the HQs a unit is a member of."""
    return list(
        session.scalars(
            select(UnitMembership)
            .where((UnitMembership.hq_id == unit.id) | (UnitMembership.member_id == unit.id))
            .order_by(UnitMembership.role, UnitMembership.id)
        )
    )


def _validate(session: Session, kind: str | None, topic: str | None, parent_id: int | None):
    details = []
    if kind is not None and kind not in UNIT_KINDS:
        details.append({"field": "kind", "message": "Unknown unit kind."})
    if topic and topics.get(topic) is None:
        details.append({"field": "topic", "message": "Unknown topic."})
    if parent_id is not None and session.get(Unit, parent_id) is None:
        details.append({"field": "parent_id", "message": "Unknown parent unit."})
    if details:
        raise ValidationFailed(details=details)


def _set_responsibilities(session: Session, unit: Unit, lines: list[str]) -> None:
    session.execute(delete(Responsibility).where(Responsibility.unit_id == unit.id))
    for seq, text in enumerate((t.strip() for t in lines if t and t.strip()), start=1):
        tags = ",".join(t.code for t, _ in topics.match(text)) or unit.topic
        session.add(
            Responsibility(
                unit_id=unit.id,
                seq=seq,
                text=text,
                topics=tags,
                jurisdiction_code=unit.jurisdiction_code,
            )
        )


def create(session: Session, principal: Principal, data: UnitIn) -> Unit:
    writable(principal, data.jurisdiction_code, Perm.ORG_WRITE)
    _validate(session, data.kind, data.topic, data.parent_id)
    if session.get(Jurisdiction, data.jurisdiction_code) is None:
        raise ValidationFailed(details=[{"field": "jurisdiction_code", "message": "Unknown jurisdiction."}])
    if session.scalar(select(Unit.id).where(Unit.code == data.code)) is not None:
        raise Conflict("The unit code {code} is taken.", code=data.code)
    unit = Unit(**data.model_dump(exclude={"responsibilities"}))
    session.add(unit)
    session.flush()
    _set_responsibilities(session, unit, data.responsibilities)
    session.flush()
    return unit


def update(session: Session, principal: Principal, unit_id: int, patch: UnitPatch) -> Unit:
    unit = session.get(Unit, unit_id)
    if unit is None:
        raise NotFound()
    writable(principal, unit.jurisdiction_code, Perm.ORG_WRITE)
    changes = patch.model_dump(exclude_unset=True)
    _validate(session, None, changes.get("topic"), None)
    lines = changes.pop("responsibilities", None)
    apply_changes(unit, changes)
    if lines is not None:
        _set_responsibilities(session, unit, lines)
    session.flush()
    session.expire(unit, ["responsibilities"])
    return unit


def add_position(session: Session, principal: Principal, unit_id: int, data: PositionIn) -> Position:
    unit = session.get(Unit, unit_id)
    if unit is None:
        raise NotFound()
    writable(principal, unit.jurisdiction_code, Perm.ORG_WRITE)
    if data.role not in POSITION_ROLES:
        raise ValidationFailed(details=[{"field": "role", "message": "Unknown position role."}])
    visible(principal, session.get(Person, data.person_id))
    if session.scalar(
        select(Position.id).where(
            Position.unit_id == unit.id,
            Position.person_id == data.person_id,
            Position.title == data.title,
        )
    ):
        raise Conflict("This person already holds this post.")
    position = Position(
        unit_id=unit.id,
        person_id=data.person_id,
        title=data.title,
        role=data.role,
        jurisdiction_code=unit.jurisdiction_code,
    )
    session.add(position)
    session.flush()
    return position


def remove_position(session: Session, principal: Principal, position_id: int) -> None:
    position = session.get(Position, position_id)
    if position is None:
        raise NotFound()
    writable(principal, position.jurisdiction_code, Perm.ORG_WRITE)
    session.delete(position)
    session.flush()
