"""Who may see and change which team: scope for everyone, and a team leader only their own team.

Officials (county, town, department staff) manage every team in their jurisdiction; a user with the
team-leader role manages the teams in which their person is the leader or a deputy.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.models import User
from yingji.auth.roles import Perm, Role
from yingji.auth.scope import Principal, visible, writable
from yingji.core.errors import Forbidden, NotFound
from yingji.forces.models import Team, TeamMember


def person_of(session: Session, principal: Principal) -> int | None:
    """The organisation person the principal's user account stands for, if any."""
    if principal.user_id is None:
        return None
    return session.scalar(select(User.person_id).where(User.id == principal.user_id))


def led_team_ids(session: Session, principal: Principal) -> set[int]:
    """Teams in which the principal's person is the leader or a deputy."""
    person_id = person_of(session, principal)
    if person_id is None:
        return set()
    rows = session.scalars(
        select(TeamMember.team_id).where(
            TeamMember.person_id == person_id, TeamMember.role.in_(("leader", "deputy"))
        )
    )
    return set(rows)


def is_team_leader(principal: Principal) -> bool:
    return principal.role == Role.TEAM_LEADER


def get_team(session: Session, principal: Principal, team_id: int, *, lock: bool = False) -> Team:
    """A team the principal may see (404 otherwise), optionally locked for update."""
    # Locking re-reads the row (populate_existing): values loaded earlier may be stale.
    lock_options = {"with_for_update": {"of": Team}, "populate_existing": True} if lock else {}
    team = session.get(Team, team_id, **lock_options)
    if team is None:
        raise NotFound()
    return visible(principal, team)


def check_manage(session: Session, principal: Principal, team: Team) -> None:
    """Raise 403 unless the principal may change this team (members, equipment, readiness)."""
    writable(principal, team.jurisdiction_code, Perm.FORCES_MANAGE)
    if is_team_leader(principal) and team.id not in led_team_ids(session, principal):
        raise Forbidden("You may only manage your own team.")


def check_create(principal: Principal, jurisdiction_code: str) -> None:
    """Raise 403 unless the principal may register a team at this place (team leaders may not)."""
    writable(principal, jurisdiction_code, Perm.FORCES_MANAGE)
    if is_team_leader(principal):
        raise Forbidden("You may only manage your own team.")


def can_manage(session: Session, principal: Principal, team: Team) -> bool:
    """Whether the principal may change this team (for showing buttons)."""
    try:
        check_manage(session, principal, team)
    except Forbidden:
        return False
    return True
