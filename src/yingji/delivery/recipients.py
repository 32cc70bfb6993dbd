"""Recipients → delivery rows, set-based: every insert here is one ``INSERT … SELECT`` joined on the
dispatch's cells, so a city-wide warning costs a few statements, not a million round trips.

Who is reached (each once per channel; ``ON CONFLICT DO NOTHING`` on the recipient key):

- grid leaders and workers of the level-3 cells (SMS, tier 0), the village's level-2 grid leader
  (the village secretary) and the town's level-1 leaders;
- the village emergency service station's cadres: 站长, 副站长, 灾害信息员 (chief, deputy,
  info_officer);
- the same people's user accounts (in-app inbox) and e-mail addresses when an SMTP endpoint exists;
- leaders of rescue teams based in those villages and towns (the forces domain's teams) and the
  monitors and leaders of the hazard points in the area (``EXTRA_SOURCES``);
- the group robots and loudspeakers registered for the villages and towns (tier 1);
- subscribed residents with a phone (tier 2), in a separate job (see ``jobs.py``).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Integer, String, case, func, literal, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from yingji.auth.models import User
from yingji.delivery.codes import DeliveryState
from yingji.delivery.models import ChannelEndpoint, Delivery, DispatchCell
from yingji.monitoring.models import PointStatus
from yingji.notify.adapters import TARGET_KINDS
from yingji.org.models import GridAssignment, GridCell, Person, Position, Unit
from yingji.residents.models import Resident

COLUMNS = [
    "dispatch_id",
    "channel",
    "recipient_kind",
    "recipient_id",
    "purpose",
    "role",
    "tier",
    "address",
    "cell_code",
    "state",
    "round",
    "attempts",
]
CADRE_ROLES = {"chief": "cadre", "deputy": "cadre", "info_officer": "info_officer"}
STAFF_TIER, ENDPOINT_TIER, RESIDENT_TIER = 0, 1, 2


def _insert(session: Session):
    dialect = session.get_bind().dialect.name
    return (pg_insert if dialect == "postgresql" else sqlite_insert)(Delivery)


def _s(value: str):
    return literal(value, String)


def _i(value: int):
    return literal(value, Integer)


def _head(dispatch_id: int, channel: str, kind: str) -> list:
    return [_i(dispatch_id), _s(channel), _s(kind)]


def _run(session: Session, select_stmt) -> int:
    stmt = _insert(session).from_select(COLUMNS, select_stmt).on_conflict_do_nothing()
    return session.execute(stmt).rowcount or 0


def _places(dispatch_id: int, length: int):
    """Distinct village (12) or town (9) codes of the dispatch's cells, as a subquery."""
    return (
        select(func.substr(DispatchCell.cell_code, 1, length))
        .where(DispatchCell.dispatch_id == dispatch_id)
        .distinct()
    )


def grid_staff(session: Session, dispatch_id: int) -> int:
    """Leaders and workers of the level-3 cells, one SMS each (leader wins the role label)."""
    is_leader = func.max(case((GridAssignment.role == "leader", 1), else_=0))
    stmt = (
        select(
            *_head(dispatch_id, "sms", "person"),
            Person.id,
            _s("warning"),
            case((is_leader == 1, "grid_leader"), else_="grid_worker"),
            _i(STAFF_TIER),
            Person.mobile,
            func.min(DispatchCell.cell_code),
            _s(DeliveryState.QUEUED.value),
            _i(1),
            _i(0),
        )
        .select_from(DispatchCell)
        .join(GridAssignment, GridAssignment.grid_cell_id == DispatchCell.grid_cell_id)
        .join(Person, Person.id == GridAssignment.person_id)
        .where(DispatchCell.dispatch_id == dispatch_id, Person.active)
        .group_by(Person.id, Person.mobile)
    )
    return _run(session, stmt)


def upper_leaders(session: Session, dispatch_id: int) -> int:
    """Grid leaders of the villages (level 2) and towns (level 1) the cells lie in."""
    n = 0
    for level, length, role in ((2, 12, "village_leader"), (1, 9, "town_leader")):
        stmt = (
            select(
                *_head(dispatch_id, "sms", "person"),
                Person.id,
                _s("warning"),
                _s(role),
                _i(STAFF_TIER),
                Person.mobile,
                func.min(GridCell.code),
                _s(DeliveryState.QUEUED.value),
                _i(1),
                _i(0),
            )
            .select_from(GridCell)
            .join(GridAssignment, GridAssignment.grid_cell_id == GridCell.id)
            .join(Person, Person.id == GridAssignment.person_id)
            .where(
                GridCell.level == level,
                GridCell.code.in_(_places(dispatch_id, length)),
                GridAssignment.role == "leader",
                Person.active,
            )
            .group_by(Person.id, Person.mobile)
        )
        n += _run(session, stmt)
    return n


def village_cadres(session: Session, dispatch_id: int) -> int:
    """站长, 副站长 and 灾害信息员 of each village's emergency service station."""
    role = case((Position.role == "info_officer", "info_officer"), else_="cadre")
    stmt = (
        select(
            *_head(dispatch_id, "sms", "person"),
            Person.id,
            _s("warning"),
            func.min(role),
            _i(STAFF_TIER),
            Person.mobile,
            func.min(Unit.jurisdiction_code),
            _s(DeliveryState.QUEUED.value),
            _i(1),
            _i(0),
        )
        .select_from(Unit)
        .join(Position, Position.unit_id == Unit.id)
        .join(Person, Person.id == Position.person_id)
        .where(
            Unit.kind == "service_station",
            Unit.jurisdiction_code.in_(_places(dispatch_id, 12)),
            Position.role.in_(list(CADRE_ROLES)),
            Person.active,
        )
        .group_by(Person.id, Person.mobile)
    )
    return _run(session, stmt)


def team_leaders(session: Session, dispatch_id: int) -> int:
    """Leaders of active rescue teams based in the villages and towns reached (the forces domain's
    ``team_members`` with role leader): as the person when linked to one, else as the member."""
    from yingji.forces.models import Team, TeamMember

    base = (
        select(TeamMember)
        .join(Team, Team.id == TeamMember.team_id)
        .where(
            TeamMember.role == "leader",
            Team.active,
            Team.jurisdiction_code.in_(_places(dispatch_id, 12))
            | Team.jurisdiction_code.in_(_places(dispatch_id, 9)),
        )
        .subquery()
    )
    n = 0
    for kind, ident, linked in (("person", base.c.person_id, True), ("member", base.c.id, False)):
        stmt = (
            select(
                *_head(dispatch_id, "sms", kind),
                ident,
                _s("warning"),
                _s("team_leader"),
                _i(STAFF_TIER),
                func.min(base.c.mobile),
                func.min(base.c.jurisdiction_code),
                _s(DeliveryState.QUEUED.value),
                _i(1),
                _i(0),
            )
            .where(base.c.person_id.is_not(None) if linked else base.c.person_id.is_(None))
            .group_by(ident)
        )
        n += _run(session, stmt)
    return n


def hazard_monitors(session: Session, dispatch_id: int) -> int:
    """Monitors (监测员) and point leaders (点长) of the active hazard points in the cells reached
    (the monitoring domain's ``hazard_points``)."""
    from yingji.monitoring.models import HazardPoint

    in_area = (HazardPoint.status == PointStatus.ACTIVE) & (
        HazardPoint.grid_cell_id.in_(
            select(DispatchCell.grid_cell_id).where(DispatchCell.dispatch_id == dispatch_id)
        )
        | HazardPoint.jurisdiction_code.in_(_places(dispatch_id, 12))
    )
    people = (
        select(HazardPoint.monitor_person_id.label("pid"), HazardPoint.jurisdiction_code.label("code"))
        .where(in_area, HazardPoint.monitor_person_id.is_not(None))
        .union_all(
            select(HazardPoint.leader_person_id, HazardPoint.jurisdiction_code).where(
                in_area, HazardPoint.leader_person_id.is_not(None)
            )
        )
        .subquery()
    )
    stmt = (
        select(
            *_head(dispatch_id, "sms", "person"),
            Person.id,
            _s("warning"),
            _s("monitor"),
            _i(STAFF_TIER),
            Person.mobile,
            func.min(people.c.code),
            _s(DeliveryState.QUEUED.value),
            _i(1),
            _i(0),
        )
        .select_from(people)
        .join(Person, Person.id == people.c.pid)
        .where(Person.active)
        .group_by(Person.id, Person.mobile)
    )
    return _run(session, stmt)


EXTRA_SOURCES: list[Callable[[Session, int], int]] = [team_leaders, hazard_monitors]


def person_channels(session: Session, dispatch_id: int, purpose: str = "warning") -> dict[str, int]:
    """Inbox (user accounts) and e-mail for the people who have an SMS delivery of ``purpose``."""
    base = (
        select(Delivery)
        .where(
            Delivery.dispatch_id == dispatch_id,
            Delivery.channel == "sms",
            Delivery.recipient_kind == "person",
            Delivery.purpose == purpose,
        )
        .subquery()
    )
    inbox = (
        select(
            *_head(dispatch_id, "inbox", "user"),
            User.id,
            _s(purpose),
            func.min(base.c.role),
            _i(STAFF_TIER),
            literal(None, String),
            func.min(base.c.cell_code),
            _s(DeliveryState.QUEUED.value),
            _i(1),
            _i(0),
        )
        .select_from(base)
        .join(User, User.person_id == base.c.recipient_id)
        .where(User.active)
        .group_by(User.id)
    )
    out = {"inbox": _run(session, inbox), "email": 0}
    has_smtp = session.scalar(
        select(ChannelEndpoint.id).where(ChannelEndpoint.kind == "email", ChannelEndpoint.enabled).limit(1)
    )
    if has_smtp is not None:
        email = (
            select(
                *_head(dispatch_id, "email", "person"),
                Person.id,
                _s(purpose),
                base.c.role,
                _i(STAFF_TIER),
                Person.email,
                base.c.cell_code,
                _s(DeliveryState.QUEUED.value),
                _i(1),
                _i(0),
            )
            .select_from(base)
            .join(Person, Person.id == base.c.recipient_id)
            .where(Person.email.is_not(None))
        )
        out["email"] = _run(session, email)
    return out


def endpoints(session: Session, dispatch_id: int) -> int:
    """The enabled group robots and loudspeakers of the villages and towns reached."""
    stmt = select(
        _i(dispatch_id),
        ChannelEndpoint.kind,
        _s("endpoint"),
        ChannelEndpoint.id,
        _s("warning"),
        ChannelEndpoint.kind,
        _i(ENDPOINT_TIER),
        literal(None, String),
        ChannelEndpoint.jurisdiction_code,
        _s(DeliveryState.QUEUED.value),
        _i(1),
        _i(0),
    ).where(
        ChannelEndpoint.kind.in_(TARGET_KINDS),
        ChannelEndpoint.enabled,
        (ChannelEndpoint.jurisdiction_code.in_(_places(dispatch_id, 12)))
        | (ChannelEndpoint.jurisdiction_code.in_(_places(dispatch_id, 9))),
    )
    return _run(session, stmt)


def residents(session: Session, dispatch_id: int) -> int:
    """Subscribed residents with a phone, in the cells (village groups) and, for residents placed
    only at village level, in the villages."""
    cols = [
        *_head(dispatch_id, "sms", "resident"),
        Resident.id,
        _s("warning"),
        _s("resident"),
        _i(RESIDENT_TIER),
        Resident.mobile,
        Resident.jurisdiction_code,
        _s(DeliveryState.QUEUED.value),
        _i(1),
        _i(0),
    ]
    wanted = (Resident.subscribed, Resident.active, Resident.mobile.is_not(None))
    in_cells = (
        select(*cols)
        .select_from(DispatchCell)
        .join(Resident, Resident.jurisdiction_code == DispatchCell.cell_code)
        .where(DispatchCell.dispatch_id == dispatch_id, *wanted)
    )
    in_villages = select(*cols).where(Resident.jurisdiction_code.in_(_places(dispatch_id, 12)), *wanted)
    return _run(session, in_cells) + _run(session, in_villages)


def copy_from(session: Session, dispatch_id: int, previous_id: int) -> int:
    """The previous issue's recipients (updates and lifts reach the same people and groups)."""
    d = Delivery
    stmt = select(
        _i(dispatch_id),
        d.channel,
        d.recipient_kind,
        d.recipient_id,
        _s("warning"),
        d.role,
        d.tier,
        d.address,
        d.cell_code,
        _s(DeliveryState.QUEUED.value),
        _i(1),
        _i(0),
    ).where(d.dispatch_id == previous_id, d.purpose == "warning")
    return _run(session, stmt)


def staff(session: Session, dispatch_id: int) -> dict[str, int]:
    """Everyone but residents: the part of the fan-out done in the publishing transaction."""
    counts = {
        "grid_staff": grid_staff(session, dispatch_id),
        "leaders": upper_leaders(session, dispatch_id),
        "cadres": village_cadres(session, dispatch_id),
    }
    for source in EXTRA_SOURCES:
        counts[source.__name__] = source(session, dispatch_id)
    counts.update(person_channels(session, dispatch_id))
    counts["endpoints"] = endpoints(session, dispatch_id)
    return counts
