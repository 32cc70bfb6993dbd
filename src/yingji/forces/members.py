"""Team members and their certificates: add, change, remove, under the team's row lock.

The team row is locked first, so the member count and the one-leader rule stay right when two
people edit the same team at once.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yingji.auth.scope import Principal
from yingji.core.errors import Conflict, NotFound, ValidationFailed
from yingji.core.models import apply_changes
from yingji.forces.access import check_manage, get_team
from yingji.forces.models import MemberCertificate, Team, TeamMember
from yingji.forces.schemas import CertificateIn, MemberIn, MemberPatch
from yingji.org.models import Person


def list_members(session: Session, team: Team) -> list[TeamMember]:
    """Members of a team: leader, deputies, then by squad and name."""
    order = {"leader": 0, "deputy": 1, "member": 2}
    rows = list(session.scalars(select(TeamMember).where(TeamMember.team_id == team.id)))
    return sorted(rows, key=lambda m: (order.get(m.role, 3), m.squad or "", m.id))


def get_member(session: Session, principal: Principal, member_id: int) -> TeamMember:
    """A member whose team the principal may see (404 otherwise)."""
    member = session.get(TeamMember, member_id)
    if member is None or not principal.covers(member.jurisdiction_code):
        raise NotFound()
    return member


def recount(session: Session, team: Team) -> None:
    """Set the team's member count from its rows (call with the team locked)."""
    team.member_count = session.scalar(
        select(func.count()).select_from(TeamMember).where(TeamMember.team_id == team.id)
    )


def _check_person(session: Session, principal: Principal, person_id: int | None) -> Person | None:
    if person_id is None:
        return None
    person = session.get(Person, person_id)
    if person is None or not principal.covers(person.jurisdiction_code):
        raise ValidationFailed(details=[{"field": "person_id", "message": "No such person."}])
    return person


def _check_mobile_free(
    session: Session, team: Team, mobile: str | None, member_id: int | None = None
) -> None:
    if not mobile:
        return
    other = session.scalar(
        select(TeamMember.id).where(TeamMember.team_id == team.id, TeamMember.mobile == mobile)
    )
    if other is not None and other != member_id:
        raise Conflict("The mobile number {mobile} is already a member of this team.", mobile=mobile)


def _one_leader(session: Session, team: Team, member_id: int) -> None:
    """A team has one leader: a new leader makes the previous one an ordinary member."""
    others = session.scalars(
        select(TeamMember).where(
            TeamMember.team_id == team.id, TeamMember.role == "leader", TeamMember.id != member_id
        )
    )
    for other in others:
        other.role = "member"


def _certificates(member: TeamMember, items: list[CertificateIn]) -> list[MemberCertificate]:
    return [
        MemberCertificate(
            team_id=member.team_id,
            jurisdiction_code=member.jurisdiction_code,
            name=c.name,
            number=c.number,
            expires_on=c.expires_on,
        )
        for c in items
    ]


def add(session: Session, principal: Principal, team_id: int, data: MemberIn) -> TeamMember:
    """Add a member to a team (with their certificates)."""
    team = get_team(session, principal, team_id, lock=True)
    check_manage(session, principal, team)
    person = _check_person(session, principal, data.person_id)
    mobile = data.mobile or (person.mobile if person else None)
    _check_mobile_free(session, team, mobile)
    values = data.model_dump(exclude={"certificates", "mobile"})
    member = TeamMember(team_id=team.id, jurisdiction_code=team.jurisdiction_code, mobile=mobile, **values)
    member.certificates = _certificates(member, data.certificates)
    session.add(member)
    session.flush()
    if member.role == "leader":
        _one_leader(session, team, member.id)
    recount(session, team)
    session.flush()
    return member


def update_member(session: Session, principal: Principal, member_id: int, patch: MemberPatch) -> TeamMember:
    """Change a member; ``certificates``, when given, replaces the whole list."""
    member = get_member(session, principal, member_id)
    team = get_team(session, principal, member.team_id, lock=True)
    check_manage(session, principal, team)
    changes = patch.model_dump(exclude_unset=True, exclude={"certificates"})
    if "person_id" in changes:
        _check_person(session, principal, changes["person_id"])
    if changes.get("mobile"):
        _check_mobile_free(session, team, changes["mobile"], member.id)
    apply_changes(member, changes)
    if patch.certificates is not None:
        member.certificates = _certificates(member, patch.certificates)
    session.flush()
    if member.role == "leader":
        _one_leader(session, team, member.id)
    session.flush()
    return member


def remove(session: Session, principal: Principal, member_id: int) -> int:
    """Take a member off the team; returns the team id."""
    member = get_member(session, principal, member_id)
    team = get_team(session, principal, member.team_id, lock=True)
    check_manage(session, principal, team)
    session.delete(member)
    session.flush()
    recount(session, team)
    session.flush()
    return team.id
