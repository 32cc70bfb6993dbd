"""The registry (速报员数据库): who serves where in which role, with their observation point, period
and training; phones masked for roles without ``contact.phone``; staffing coverage against the local
pattern (settings, not national rules: YINGJI_SEISMIC_ASSISTANTS_PER_TOWN, _REPORTERS_PER_VILLAGE)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, in_scope, mask_phone, require, visible, writable
from yingji.config import env_float
from yingji.core import clock
from yingji.core.errors import Conflict, ValidationFailed
from yingji.core.pagination import Page, paginate
from yingji.org.models import Jurisdiction, Person
from yingji.seismic.codes import POINT_LABELS, ROLE_LABELS, ROLE_LEVELS, SeismicRole
from yingji.seismic.models import SeismicMember, SeismicTraining


def today() -> date:
    return clock.to_local(clock.now()).date()


def per_town() -> int:
    return int(env_float("YINGJI_SEISMIC_ASSISTANTS_PER_TOWN", 1, 0, 20))


def per_village() -> int:
    return int(env_float("YINGJI_SEISMIC_REPORTERS_PER_VILLAGE", 1, 0, 20))


def active_on(day: date):
    return and_(
        SeismicMember.active_from <= day,
        or_(SeismicMember.active_to.is_(None), SeismicMember.active_to >= day),
    )


def search(
    session: Session,
    principal: Principal,
    *,
    role: str | None = None,
    within: str | None = None,
    q: str = "",
    current: bool = True,
    page: int = 1,
    size: int = 50,
) -> Page:
    require(principal, Perm.ORG_READ)
    stmt = select(SeismicMember).join(Person, Person.id == SeismicMember.person_id)
    stmt = stmt.where(in_scope(SeismicMember.jurisdiction_code, principal))
    if within:
        visible(principal, session.get(Jurisdiction, within), within)
        low, high = within, within[:-1] + chr(ord(within[-1]) + 1)
        stmt = stmt.where(SeismicMember.jurisdiction_code >= low, SeismicMember.jurisdiction_code < high)
    if role:
        stmt = stmt.where(SeismicMember.role == role)
    if q:
        stmt = stmt.where(Person.name.contains(q[:60]))
    if current:
        stmt = stmt.where(active_on(today()))
    stmt = stmt.order_by(SeismicMember.jurisdiction_code, SeismicMember.role, SeismicMember.id)
    return paginate(session, stmt, page, size)


def get(session: Session, principal: Principal, member_id: int) -> SeismicMember:
    require(principal, Perm.ORG_READ)
    return visible(principal, session.get(SeismicMember, member_id))


def check_place(session: Session, code: str, role: SeismicRole) -> Jurisdiction:
    place = session.get(Jurisdiction, code)
    if place is None:
        raise ValidationFailed(details=[{"field": "jurisdiction_code", "message": "Unknown jurisdiction."}])
    if place.level not in ROLE_LEVELS[role]:
        message = "An earthquake assistant serves a town; observers and reporters a town or village."
        raise ValidationFailed(details=[{"field": "jurisdiction_code", "message": message}])
    return place


def person_for(session: Session, name: str, mobile: str, code: str) -> Person:
    """The org Person of this mobile number, else a new one in the division (the registry is people)."""
    person = session.scalar(select(Person).where(Person.mobile == mobile))
    if person is None:
        person = Person(name=name, mobile=mobile, jurisdiction_code=code, active=True)
        session.add(person)
        session.flush()
    return person


def create(session: Session, principal: Principal, data) -> SeismicMember:
    writable(principal, data.jurisdiction_code, Perm.TRAINING_MANAGE)
    role = SeismicRole(data.role)
    check_place(session, data.jurisdiction_code, role)
    if data.active_to and data.active_to < data.active_from:
        raise ValidationFailed(details=[{"field": "active_to", "message": "The end is before the start."}])
    person = person_for(session, data.name, data.mobile, data.jurisdiction_code)
    taken = session.scalar(
        select(SeismicMember.id).where(
            SeismicMember.person_id == person.id,
            SeismicMember.role == role.value,
            SeismicMember.jurisdiction_code == data.jurisdiction_code,
        )
    )
    if taken is not None:
        raise Conflict()
    member = SeismicMember(
        jurisdiction_code=data.jurisdiction_code,
        role=role.value,
        person_id=person.id,
        phone=data.mobile,
        point_type=data.point_type.value if data.point_type else None,
        point_location=data.point_location,
        point_object=data.point_object,
        lon=data.lon,
        lat=data.lat,
        active_from=data.active_from,
        active_to=data.active_to,
        note=data.note,
    )
    session.add(member)
    session.flush()
    return member


def end(session: Session, principal: Principal, member_id: int, on: date) -> SeismicMember:
    """The member stops serving (任职止)."""
    member = get(session, principal, member_id)
    writable(principal, member.jurisdiction_code, Perm.TRAINING_MANAGE)
    if on < member.active_from:
        raise ValidationFailed(details=[{"field": "active_to", "message": "The end is before the start."}])
    member.active_to = on
    session.flush()
    return member


def add_training(session: Session, principal: Principal, member_id: int, data) -> SeismicTraining:
    member = get(session, principal, member_id)
    writable(principal, member.jurisdiction_code, Perm.TRAINING_MANAGE)
    row = SeismicTraining(
        member_id=member.id,
        jurisdiction_code=member.jurisdiction_code,
        held_on=data.held_on,
        course=data.course,
        hours=data.hours,
        result=data.result,
    )
    session.add(row)
    session.flush()
    return row


def outs(
    session: Session, principal: Principal, members: list[SeismicMember], *, trainings: bool = False
) -> list[dict]:
    codes = {m.jurisdiction_code for m in members}
    names = (
        dict(
            session.execute(
                select(Jurisdiction.code, Jurisdiction.name).where(Jurisdiction.code.in_(codes))
            ).all()
        )
        if codes
        else {}
    )
    by_member: dict[int, list] = {}
    if trainings and members:
        for t in session.scalars(
            select(SeismicTraining)
            .where(SeismicTraining.member_id.in_([m.id for m in members]))
            .order_by(SeismicTraining.held_on.desc())
        ):
            by_member.setdefault(t.member_id, []).append(
                {"id": t.id, "held_on": t.held_on, "course": t.course, "hours": t.hours, "result": t.result}
            )
    day = today()
    return [
        {
            "id": m.id,
            "role": m.role,
            "role_label": ROLE_LABELS.get(m.role, m.role),
            "person_id": m.person_id,
            "name": m.person.name,
            "phone": mask_phone(m.phone or m.person.mobile, principal),
            "jurisdiction_code": m.jurisdiction_code,
            "jurisdiction_name": names.get(m.jurisdiction_code),
            "point_type": m.point_type,
            "point_type_label": POINT_LABELS.get(m.point_type) if m.point_type else None,
            "point_location": m.point_location,
            "point_object": m.point_object,
            "lon": m.lon,
            "lat": m.lat,
            "active_from": m.active_from,
            "active_to": m.active_to,
            "active": m.active_from <= day and (m.active_to is None or m.active_to >= day),
            "note": m.note,
            "trainings": by_member.get(m.id, []),
        }
        for m in members
    ]


def coverage(session: Session, principal: Principal, within: str | None = None, limit: int = 200) -> dict:
    """Towns with fewer active 助理员 than the setting, villages with fewer 速报员: one grouped count each."""
    require(principal, Perm.ORG_READ)
    root = within or principal.jurisdiction_code
    if within:
        visible(principal, session.get(Jurisdiction, within), within)
    day = today()
    need = {"town": per_town(), "village": per_village()}
    role_of = {"town": SeismicRole.ASSISTANT.value, "village": SeismicRole.REPORTER.value}
    out = {"assistants_per_town": need["town"], "reporters_per_village": need["village"], "lacking": []}
    for level in ("town", "village"):
        counted = (
            select(SeismicMember.jurisdiction_code.label("code"), func.count(SeismicMember.id).label("n"))
            .where(SeismicMember.role == role_of[level], active_on(day))
            .group_by(SeismicMember.jurisdiction_code)
            .subquery()
        )
        places = select(Jurisdiction.code, Jurisdiction.name, func.coalesce(counted.c.n, 0)).outerjoin(
            counted, counted.c.code == Jurisdiction.code
        )
        places = places.where(Jurisdiction.level == level)
        if root:
            low, high = root, root[:-1] + chr(ord(root[-1]) + 1)
            places = places.where(Jurisdiction.code >= low, Jurisdiction.code < high)
        rows = session.execute(places.order_by(Jurisdiction.code)).all()
        covered = sum(1 for _c, _n, have in rows if have >= need[level])
        out[f"{level}s"] = len(rows)
        out[f"{level}s_covered"] = covered
        for code, name, have in rows:
            if have < need[level] and len(out["lacking"]) < limit:
                out["lacking"].append(
                    {"code": code, "name": name, "level": level, "have": have, "need": need[level]}
                )
    return out
