"""Teams: search, read, register, update, and their equipment — all in scope."""

from __future__ import annotations

from sqlalchemy import literal, or_, select
from sqlalchemy.orm import Session

from yingji.auth.audit import actor_of
from yingji.auth.scope import Principal, in_scope
from yingji.core import clock
from yingji.core.errors import Conflict, NotFound, ValidationFailed
from yingji.core.models import apply_changes
from yingji.core.pagination import Page, paginate
from yingji.forces import codes
from yingji.forces.access import check_create, check_manage, get_team
from yingji.forces.codes import Readiness
from yingji.forces.models import ReadinessChange, Team, TeamEquipment, TeamMember
from yingji.forces.schemas import EquipmentIn, TeamIn, TeamPatch
from yingji.org import places
from yingji.org.models import Jurisdiction


def search(
    session: Session,
    principal: Principal,
    *,
    q: str = "",
    within: str | None = None,
    kind: str | None = None,
    group: str | None = None,
    readiness: str | None = None,
    capability: str | None = None,
    page: int = 1,
    size: int = 50,
) -> Page[Team]:
    """Teams in scope, narrowed by place, kind or group, readiness, capability and name."""
    stmt = select(Team).where(in_scope(Team.jurisdiction_code, principal), Team.active)
    stmt = places.narrow(session, principal, stmt, Team.jurisdiction_code, within)
    if kind:
        stmt = stmt.where(Team.kind == kind)
    if group:
        stmt = stmt.where(Team.kind.in_([k.code for k in codes.TEAM_KINDS.values() if k.group == group]))
    if readiness:
        stmt = stmt.where(Team.readiness == readiness)
    if capability:  # codes are comma-separated: match whole codes ("fire" is not "forest_fire")
        wrapped = literal(",") + Team.capabilities + literal(",")
        stmt = stmt.where(wrapped.contains(f",{capability},", autoescape=True))
    q = (q or "").strip()
    if q:
        stmt = stmt.where(
            or_(Team.name.contains(q, autoescape=True), Team.code.startswith(q, autoescape=True))
        )
    return paginate(session, stmt.order_by(Team.jurisdiction_code, Team.id), page, size)


def get(session: Session, principal: Principal, team_id: int) -> Team:
    """A team in scope (404 otherwise)."""
    return get_team(session, principal, team_id)


def leaders(session: Session, team_ids: list[int]) -> dict[int, TeamMember]:
    """The leader of each team that has one."""
    if not team_ids:
        return {}
    rows = session.scalars(
        select(TeamMember)
        .where(TeamMember.team_id.in_(team_ids), TeamMember.role == "leader")
        .order_by(TeamMember.id)
    )
    out: dict[int, TeamMember] = {}
    for m in rows:
        out.setdefault(m.team_id, m)
    return out


def _check_place(session: Session, code: str) -> None:
    if session.get(Jurisdiction, code) is None:
        raise ValidationFailed(details=[{"field": "jurisdiction_code", "message": "Unknown jurisdiction."}])


def _default_location(session: Session, code: str) -> tuple[float | None, float | None]:
    """A team registered without coordinates is placed at its division's label point."""
    j = session.get(Jurisdiction, code)
    return (j.lon, j.lat) if j is not None else (None, None)


def create(session: Session, principal: Principal, data: TeamIn) -> Team:
    """Register a team; it starts on call, with a first history row."""
    check_create(principal, data.jurisdiction_code)
    _check_place(session, data.jurisdiction_code)
    if session.scalar(select(Team.id).where(Team.code == data.code)) is not None:
        raise Conflict("The team code {code} is already taken.", code=data.code)
    values = data.model_dump(exclude={"capabilities"})
    capabilities = data.capabilities
    if capabilities is None:
        capabilities = list(codes.TEAM_KINDS[data.kind].capabilities)
    if values["lon"] is None or values["lat"] is None:
        values["lon"], values["lat"] = _default_location(session, data.jurisdiction_code)
    now = clock.now()
    team = Team(
        **values,
        capabilities=codes.join_codes(capabilities),
        readiness=Readiness.ON_CALL,
        readiness_since=now,
        member_count=0,
        active=True,
    )
    session.add(team)
    session.flush()
    actor = actor_of(session)
    session.add(
        ReadinessChange(
            team_id=team.id,
            jurisdiction_code=team.jurisdiction_code,
            at=now,
            from_state=None,
            to_state=Readiness.ON_CALL,
            note=None,
            actor=actor.name,
            actor_id=actor.user_id,
        )
    )
    session.flush()
    return team


def update(session: Session, principal: Principal, team_id: int, patch: TeamPatch) -> Team:
    """Change a team's particulars (not its readiness: see ``readiness.change``)."""
    team = get_team(session, principal, team_id, lock=True)
    check_manage(session, principal, team)
    changes = patch.model_dump(exclude_unset=True)
    if "capabilities" in changes:
        caps = changes.pop("capabilities")
        changes["capabilities"] = codes.join_codes(caps or [])
    apply_changes(team, changes)
    session.flush()
    return team


# -- equipment ------------------------------------------------------------------------------
def equipment(session: Session, team: Team) -> list[TeamEquipment]:
    """A team's equipment and vehicles, vehicles first."""
    return list(
        session.scalars(
            select(TeamEquipment)
            .where(TeamEquipment.team_id == team.id)
            .order_by(TeamEquipment.category.desc(), TeamEquipment.name, TeamEquipment.id)
        )
    )


def add_equipment(session: Session, principal: Principal, team_id: int, data: EquipmentIn) -> TeamEquipment:
    """Record equipment or a vehicle of the team."""
    team = get_team(session, principal, team_id)
    check_manage(session, principal, team)
    item = TeamEquipment(team_id=team.id, jurisdiction_code=team.jurisdiction_code, **data.model_dump())
    session.add(item)
    session.flush()
    return item


def _equipment_item(session: Session, principal: Principal, item_id: int) -> TeamEquipment:
    item = session.get(TeamEquipment, item_id)
    if item is None or not principal.covers(item.jurisdiction_code):
        raise NotFound()
    check_manage(session, principal, get_team(session, principal, item.team_id))
    return item


def update_equipment(
    session: Session, principal: Principal, item_id: int, data: EquipmentIn
) -> TeamEquipment:
    """Change an equipment row (count, state …)."""
    item = _equipment_item(session, principal, item_id)
    for key, value in data.model_dump().items():
        setattr(item, key, value)
    session.flush()
    return item


def remove_equipment(session: Session, principal: Principal, item_id: int) -> int:
    """Delete an equipment row; returns its team id."""
    item = _equipment_item(session, principal, item_id)
    team_id = item.team_id
    session.delete(item)
    session.flush()
    return team_id
