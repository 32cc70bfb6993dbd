"""Who is on duty: rotations, then overrides and swaps, then approved leave (a leader away is
replaced by the deputy named in the leave), resolved for any shift, unit or place.

``on_duty`` is the entry point other domains call to route notifications; it is not limited to a
principal's scope (the system asks), and it gives phone numbers in full: pages and the API mask
them per principal.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, lazyload, selectinload

from yingji.auth.models import User
from yingji.core import clock
from yingji.duty import rotation
from yingji.duty.codes import DutyRole, LeaveStatus
from yingji.duty.models import ROLES, Leave, Override, Roster
from yingji.org.codes import ancestors
from yingji.org.models import Jurisdiction, Person, Unit

# Load a roster with its rotations and its unit, but not the unit's posts, people and duties.
LIGHT = (joinedload(Roster.unit).lazyload("*"), selectinload(Roster.rotations))


@dataclass
class DutyPerson:
    person_id: int
    name: str
    title: str | None
    mobile: str | None
    office_phone: str | None
    user_ids: list[int] = field(default_factory=list)  # accounts of this person (for notifications)
    acting_for: str | None = None  # the leader on leave this deputy stands in for (name)
    acting_for_id: int | None = None


@dataclass
class Away:
    person: DutyPerson
    role: str
    leave_id: int
    destination: str


@dataclass
class Shift:
    roster_id: int
    day: date
    starts_at: datetime
    ends_at: datetime
    leaders: list[DutyPerson]
    officers: list[DutyPerson]
    backups: list[DutyPerson]
    away: list[Away] = field(default_factory=list)  # on the rotation but on approved leave
    gaps: list[str] = field(default_factory=list)  # roles nobody covers: leader, officer

    @property
    def leader(self) -> DutyPerson | None:
        return self.leaders[0] if self.leaders else None


@dataclass
class OnDuty:
    """One duty unit's current shift."""

    roster_id: int
    roster_name: str
    unit_id: int
    unit_name: str
    duty_phone: str | None
    jurisdiction_code: str
    jurisdiction_name: str
    shift: Shift

    @property
    def leader(self) -> DutyPerson | None:
        return self.shift.leader

    @property
    def officers(self) -> list[DutyPerson]:
        return self.shift.officers

    @property
    def backups(self) -> list[DutyPerson]:
        return self.shift.backups


def turns_of(roster: Roster) -> list[rotation.Turns]:
    """A roster's rotations as pure ``Turns``."""
    return [
        rotation.Turns(r.role, r.starts_on, tuple(r.members or ()), r.days_per_turn, r.per_shift)
        for r in roster.rotations
    ]


def planned(roster: Roster, days: list[date], overrides) -> dict[date, dict[str, list[int]]]:
    """Rotation, then overrides (in the order they were made), per day and role."""
    turns = turns_of(roster)
    changes: dict[tuple[date, str], list[tuple[int | None, int | None]]] = defaultdict(list)
    for o in overrides:
        changes[(o.shift_date, o.role)].append((o.person_id, o.replaces_person_id))
    out: dict[date, dict[str, list[int]]] = {}
    for day in days:
        out[day] = {}
        for role in ROLES:
            current = rotation.current_rotation(turns, role, day)
            base = current.on(day) if current else []
            out[day][role] = rotation.apply_overrides(base, changes.get((day, role), []))
    return out


def resolve_many(session: Session, wanted: list[tuple[Roster, list[date]]]) -> dict[int, list[Shift]]:
    """The shifts of several rosters at once (a few queries in all, however many rosters)."""
    wanted = [(r, days) for r, days in wanted if days]
    if not wanted:
        return {}
    ids = [r.id for r, _ in wanted]
    lo = min(min(days) for _, days in wanted)
    hi = max(max(days) for _, days in wanted)
    overrides: dict[int, list[Override]] = defaultdict(list)
    for o in session.scalars(
        select(Override)
        .where(Override.roster_id.in_(ids), Override.shift_date >= lo, Override.shift_date <= hi)
        .order_by(Override.id)
    ):
        overrides[o.roster_id].append(o)
    plans = {r.id: planned(r, days, overrides[r.id]) for r, days in wanted}
    windows = {
        r.id: {d: rotation.shift_window(d, r.shift_start_minute, rotation.zone(r.timezone)) for d in days}
        for r, days in wanted
    }
    span_start = min(w[0] for per in windows.values() for w in per.values())
    span_end = max(w[1] for per in windows.values() for w in per.values())
    person_ids = {
        p for per in plans.values() for roles in per.values() for ids_ in roles.values() for p in ids_
    }
    leaves = _approved_leaves(session, person_ids, span_start, span_end)
    person_ids |= {lv.deputy_person_id for lvs in leaves.values() for lv in lvs if lv.deputy_person_id}
    people = _people(session, person_ids)
    out: dict[int, list[Shift]] = {}
    for roster, days in wanted:
        out[roster.id] = [
            _shift(roster.id, d, windows[roster.id][d], plans[roster.id][d], people, leaves) for d in days
        ]
    return out


def resolve(session: Session, roster: Roster, days: list[date]) -> list[Shift]:
    """The shifts of one roster on the given days."""
    return resolve_many(session, [(roster, days)]).get(roster.id, [])


def _approved_leaves(session: Session, person_ids, start: datetime, end: datetime) -> dict[int, list[Leave]]:
    out: dict[int, list[Leave]] = defaultdict(list)
    if not person_ids:
        return out
    for lv in session.scalars(
        select(Leave)
        .options(lazyload("*"))
        .where(
            Leave.person_id.in_(person_ids),
            Leave.status == LeaveStatus.APPROVED,
            Leave.starts_at < end,
            Leave.ends_at > start,
        )
    ):
        out[lv.person_id].append(lv)
    return out


def _people(session: Session, ids: set[int]) -> dict[int, tuple]:
    """Plain rows (no ORM objects: a Person would drag in its posts and grid roles) and the
    accounts of each person."""
    if not ids:
        return {}
    users: dict[int, list[int]] = defaultdict(list)
    for uid, pid in session.execute(
        select(User.id, User.person_id).where(User.person_id.in_(ids), User.active).order_by(User.id)
    ):
        users[pid].append(uid)
    rows = session.execute(
        select(Person.id, Person.name, Person.title, Person.mobile, Person.office_phone, Person.active).where(
            Person.id.in_(ids)
        )
    )
    return {r.id: (r, users[r.id]) for r in rows}


def _person(people, pid: int) -> DutyPerson | None:
    found = people.get(pid)
    if found is None:
        return None
    p, user_ids = found
    return DutyPerson(p.id, p.name, p.title, p.mobile, p.office_phone, user_ids)


def _away_on(leaves, pid: int, window) -> Leave | None:
    for lv in leaves.get(pid, ()):
        if rotation.overlaps(lv.starts_at, lv.ends_at, *window):
            return lv
    return None


def _shift(roster_id, day, window, plan, people, leaves) -> Shift:
    shift = Shift(roster_id, day, window[0], window[1], [], [], [])
    for role, bucket in (
        (DutyRole.LEADER, shift.leaders),
        (DutyRole.OFFICER, shift.officers),
        (DutyRole.BACKUP, shift.backups),
    ):
        taken = set(plan[role])
        for pid in plan[role]:
            person = _person(people, pid)
            if person is None:
                continue
            leave = _away_on(leaves, pid, window)
            active = people[pid][0].active
            if leave is None and active:
                bucket.append(person)
                continue
            if leave is not None:
                shift.away.append(Away(person, role, leave.id, leave.destination))
            deputy_id = leave.deputy_person_id if leave is not None and role == DutyRole.LEADER else None
            if deputy_id and deputy_id not in taken and _away_on(leaves, deputy_id, window) is None:
                deputy = _person(people, deputy_id)
                if deputy is not None and people[deputy_id][0].active:
                    deputy.acting_for, deputy.acting_for_id = person.name, person.person_id
                    bucket.append(deputy)
                    taken.add(deputy_id)
    shift.gaps = [
        role
        for role, got in ((DutyRole.LEADER, shift.leaders), (DutyRole.OFFICER, shift.officers))
        if not got
    ]
    return shift


def _describe(rosters: list[Roster], shifts: dict[int, list[Shift]], names: dict[str, str]) -> list[OnDuty]:
    return [
        OnDuty(
            roster_id=r.id,
            roster_name=r.name,
            unit_id=r.unit_id,
            unit_name=r.unit.name,
            duty_phone=r.unit.duty_phone,
            jurisdiction_code=r.jurisdiction_code,
            jurisdiction_name=names.get(r.jurisdiction_code, r.jurisdiction_code),
            shift=shifts[r.id][0],
        )
        for r in rosters
        if shifts.get(r.id)
    ]


def current_shifts(session: Session, rosters: list[Roster], at: datetime | None = None) -> list[OnDuty]:
    """The shift on duty at ``at`` (default now) of each roster, in the order given."""
    at = at or clock.now()
    wanted = [
        (r, [rotation.shift_date_at(at, r.shift_start_minute, rotation.zone(r.timezone))]) for r in rosters
    ]
    shifts = resolve_many(session, wanted)
    codes = {r.jurisdiction_code for r in rosters}
    names = (
        dict(
            session.execute(
                select(Jurisdiction.code, Jurisdiction.name).where(Jurisdiction.code.in_(codes))
            ).all()
        )
        if codes
        else {}
    )
    return _describe(rosters, shifts, names)


def on_duty(
    session: Session,
    *,
    unit_id: int | None = None,
    jurisdiction_code: str | None = None,
    at: datetime | None = None,
) -> list[OnDuty]:
    """Who is on duty at ``at`` (default now): for a unit, its roster; for a place, the duty
    units of that place and of each level above it, nearest first. Phones are not masked."""
    if (unit_id is None) == (jurisdiction_code is None):
        raise ValueError("give exactly one of unit_id and jurisdiction_code")
    stmt = select(Roster).join(Unit, Unit.id == Roster.unit_id).options(*LIGHT).where(Roster.active)
    if unit_id is not None:
        stmt = stmt.where(Roster.unit_id == unit_id)
    else:
        codes = [jurisdiction_code, *ancestors(jurisdiction_code)]
        stmt = stmt.where(Roster.jurisdiction_code.in_(codes)).order_by(
            func.length(Roster.jurisdiction_code).desc()
        )
    rosters = list(session.scalars(stmt.order_by(Unit.sort, Unit.id)).unique())
    return current_shifts(session, rosters, at)


def user_ids_on_duty(
    session: Session,
    jurisdiction_code: str,
    *,
    at: datetime | None = None,
    roles: tuple[str, ...] = (DutyRole.LEADER, DutyRole.OFFICER),
) -> list[int]:
    """Accounts of the people on duty now in the duty units of the nearest level (the place
    itself, else the level above …) that has someone on; for notifications. Empty when no
    roster covers the place."""
    by_level: dict[str, list[int]] = defaultdict(list)
    for d in on_duty(session, jurisdiction_code=jurisdiction_code, at=at):
        people = (d.shift.leaders if DutyRole.LEADER in roles else []) + (
            d.officers if DutyRole.OFFICER in roles else []
        )
        people += d.backups if DutyRole.BACKUP in roles else []
        by_level[d.jurisdiction_code] += [uid for p in people for uid in p.user_ids]
    for code in sorted(by_level, key=len, reverse=True):
        if by_level[code]:
            return list(dict.fromkeys(by_level[code]))
    return []
