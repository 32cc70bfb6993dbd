"""The readiness board: teams by state and place, members on call, counts per child place."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, literal_column, select
from sqlalchemy.orm import Session

from yingji.auth.scope import Principal
from yingji.forces import codes
from yingji.forces.codes import Readiness
from yingji.forces.models import Team, TeamMember
from yingji.org import places
from yingji.org.codes import LEVEL_LENGTH, subtree_bounds
from yingji.org.models import Jurisdiction

CHILD_LENGTH = {2: 4, 4: 6, 6: 9, 9: 12}


@dataclass
class PlaceRow:
    code: str
    name: str
    teams: dict[str, int] = field(default_factory=lambda: dict.fromkeys(codes.READINESS, 0))
    members_on_call: int = 0

    @property
    def total(self) -> int:
        return sum(self.teams.values())


@dataclass
class Board:
    place: Jurisdiction
    totals: PlaceRow
    rows: list[PlaceRow]
    groups: dict[str, dict[str, int]]  # group → state → teams


def board(session: Session, principal: Principal, code: str | None = None, group: str | None = None) -> Board:
    """Counts for ``code`` (default: the principal's own place), split by its child places."""
    place = places.root(session, principal) if not code else places.get(session, principal, code)
    if place is None:
        place = places.get(session, principal, principal.jurisdiction_code)
    low, high = subtree_bounds(place.code)
    child_len = CHILD_LENGTH.get(len(place.code), len(place.code))
    kinds = [k.code for k in codes.TEAM_KINDS.values() if k.group == group] if group else None

    def scoped(stmt):
        stmt = stmt.where(Team.jurisdiction_code >= low, Team.jurisdiction_code < high, Team.active)
        return stmt.where(Team.kind.in_(kinds)) if kinds else stmt

    # Literal lengths: PostgreSQL must see the GROUP BY expression as the selected one (binds differ).
    length = literal_column(str(int(child_len)))
    prefix = func.substr(Team.jurisdiction_code, 1, length)
    member_prefix = func.substr(TeamMember.jurisdiction_code, 1, length)
    by_place: dict[str, PlaceRow] = {}
    totals = PlaceRow(place.code, place.name)
    groups: dict[str, dict[str, int]] = {g: dict.fromkeys(codes.READINESS, 0) for g in codes.GROUPS}
    for child, state, kind, n in session.execute(
        scoped(
            select(prefix, Team.readiness, Team.kind, func.count()).group_by(
                prefix, Team.readiness, Team.kind
            )
        )
    ):
        row = by_place.setdefault(child, PlaceRow(child, child))
        row.teams[state] = row.teams.get(state, 0) + n
        totals.teams[state] = totals.teams.get(state, 0) + n
        groups[codes.group_of(kind)][state] += n
    on_call = (
        select(member_prefix, func.count())
        .join(Team, Team.id == TeamMember.team_id)
        .where(Team.readiness == Readiness.ON_CALL, TeamMember.available)
    )
    for child, n in session.execute(scoped(on_call).group_by(member_prefix)):
        by_place.setdefault(child, PlaceRow(child, child)).members_on_call = n
        totals.members_on_call += n
    names = dict(
        session.execute(
            select(Jurisdiction.code, Jurisdiction.name).where(Jurisdiction.code.in_(list(by_place)))
        ).all()
    )
    children = [] if child_len == len(place.code) else _children(session, place.code)
    for c in children:
        by_place.setdefault(c.code, PlaceRow(c.code, c.name))
    for row in by_place.values():
        row.name = names.get(row.code, row.name)
    rows = sorted(by_place.values(), key=lambda r: r.code)
    if len(place.code) in (LEVEL_LENGTH["village"],):
        rows = []
    return Board(place, totals, rows, groups)


def _children(session: Session, code: str) -> list[Jurisdiction]:
    return list(session.scalars(select(Jurisdiction).where(Jurisdiction.parent_code == code)))
