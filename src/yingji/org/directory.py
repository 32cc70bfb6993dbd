"""The contact directory: "who is responsible for X in place Y", answered in one search.

A query such as "碧江区灯塔街道 防汛 谁负责" is split into a place (the deepest division named in
it), topics (防汛 → flood_drought) and the rest (a name, a number, a title). The answer walks
from the place up to the user's own jurisdiction, nearest first: the grid cell's leader and
workers, the village station, the town committee and its working group for the topic, then
the county's and city's specialised HQ for the topic and its lead unit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from yingji.auth.scope import Principal, in_scope, mask_phone
from yingji.core.i18n import N_
from yingji.org import people as people_service
from yingji.org import places, topics
from yingji.org.codes import ancestors
from yingji.org.models import GridCell, Jurisdiction, Position, Responsibility, Unit

FILLER = ("谁负责", "负责人", "联系人", "联系方式", "电话", "谁是", "找", "谁", "的", "是", "?", "?")
ROLE_ORDER = [
    "chief",
    "deputy",
    "director",
    "liaison",
    "duty_leader",
    "duty_officer",
    "info_officer",
    "member",
]
MAX_PER_STEP = 6


@dataclass
class Contact:
    person_id: int
    name: str
    title: str | None
    mobile: str | None
    office_phone: str | None
    place_code: str
    place_name: str
    unit_id: int | None
    unit_name: str | None
    post: str | None
    reason: str  # message id, translated where shown
    reason_params: dict = field(default_factory=dict)


@dataclass
class Answer:
    query: str
    places: list[Jurisdiction] = field(default_factory=list)
    topics: list[topics.Topic] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)


def _contact(person, principal, place, reason, params, unit=None, post=None) -> Contact:
    return Contact(
        person_id=person.id,
        name=person.name,
        title=person.title,
        mobile=mask_phone(person.mobile, principal),
        office_phone=mask_phone(person.office_phone, principal),
        place_code=place.code,
        place_name=place.name,
        unit_id=unit.id if unit else None,
        unit_name=unit.name if unit else None,
        post=post,
        reason=reason,
        reason_params=params,
    )


def _grid_contacts(session, principal, place: Jurisdiction) -> list[Contact]:
    cell = session.scalar(select(GridCell).where(GridCell.code == place.code))
    if cell is None:
        return []
    out = []
    for a in sorted(cell.assignments, key=lambda a: (a.role != "leader", a.id))[:MAX_PER_STEP]:
        msg = N_("Grid leader of {cell}") if a.role == "leader" else N_("Grid worker of {cell}")
        out.append(_contact(a.person, principal, place, msg, {"cell": cell.name}))
    return out


def _unit_contacts(session, principal, place, kinds, topic, reason) -> tuple[list[Contact], list[Unit]]:
    stmt = select(Unit).where(Unit.jurisdiction_code == place.code, Unit.kind.in_(kinds))
    if topic is not None:
        stmt = stmt.where(Unit.topic == topic.code)
    units = list(session.scalars(stmt.order_by(Unit.sort, Unit.id).limit(3)))
    if not units:
        return [], []
    order = case({r: i for i, r in enumerate(ROLE_ORDER)}, value=Position.role, else_=99)
    positions = session.scalars(
        select(Position)
        .where(Position.unit_id.in_([u.id for u in units]))
        .order_by(order, Position.sort, Position.id)
        .limit(MAX_PER_STEP)
    )
    out = []
    for p in positions:
        params = {"unit": p.unit.name, "post": p.title}
        out.append(_contact(p.person, principal, place, reason, params, p.unit, p.title))
    return out, units


def _responsible_units(session, principal, codes: list[str], topic: topics.Topic) -> list[Unit]:
    """Member units whose responsibility lists name the topic, at the given levels."""
    unit_ids = select(Responsibility.unit_id).where(
        Responsibility.jurisdiction_code.in_(codes), Responsibility.topics.contains(topic.code)
    )
    return list(
        session.scalars(
            select(Unit)
            .where(
                Unit.id.in_(unit_ids), Unit.kind == "member_unit", in_scope(Unit.jurisdiction_code, principal)
            )
            .order_by(Unit.jurisdiction_code.desc(), Unit.sort)
            .limit(12)
        )
    )


def _steps(
    session, principal, place: Jurisdiction, topic: topics.Topic | None
) -> tuple[list[Contact], list[Unit]]:
    contacts: list[Contact] = []
    units: list[Unit] = []
    chain_codes = [place.code] + [c for c in reversed(ancestors(place.code)) if principal.covers(c)]
    chain = {
        j.code: j for j in session.scalars(select(Jurisdiction).where(Jurisdiction.code.in_(chain_codes)))
    }
    for code in chain_codes:
        level_place = chain.get(code)
        if level_place is None:
            continue
        level = level_place.level
        if level in ("group", "village"):
            contacts += _grid_contacts(session, principal, level_place)
        if level == "village":
            c, u = _unit_contacts(
                session, principal, level_place, ["service_station"], None, N_("{post}, {unit}")
            )
            contacts += c
            units += u
        elif level == "town":
            if topic is not None:
                c, u = _unit_contacts(
                    session, principal, level_place, ["working_group"], topic, N_("{post}, {unit}")
                )
                contacts += c
                units += u
            c, u = _unit_contacts(
                session,
                principal,
                level_place,
                ["emergency_committee", "committee_office"],
                None,
                N_("{post}, {unit}"),
            )
            contacts += c
            units += u
        elif level in ("county", "city", "province"):
            if topic is not None:
                c, u = _unit_contacts(
                    session, principal, level_place, ["special_hq"], topic, N_("{post}, {unit}")
                )
                contacts += c
                units += u
            else:
                c, u = _unit_contacts(
                    session, principal, level_place, ["command_hq"], None, N_("{post}, {unit}")
                )
                contacts += c
                units += u
    if topic is not None:
        units += _responsible_units(session, principal, chain_codes, topic)
    return contacts, units


def find(session: Session, principal: Principal, query: str, limit: int = 40) -> Answer:
    query = (query or "").strip()[:60]
    answer = Answer(query=query)
    if not query:
        return answer
    rest = query
    for topic, keyword in topics.match(query):
        answer.topics.append(topic)
        rest = rest.replace(keyword, " ")
    found = places.names_in_text(session, principal, rest)
    if found:
        deepest = max(len(p.code) for p in found)
        answer.places = [p for p in found if len(p.code) == deepest][:3]
        for p in found:
            rest = rest.replace(p.name, " ")
    for word in FILLER:
        rest = rest.replace(word, " ")
    rest = " ".join(rest.split())

    targets = answer.places
    if not targets and answer.topics:
        own = places.root(session, principal)
        targets = [own] if own is not None else []
    topic = answer.topics[0] if answer.topics else None
    seen: set[int] = set()
    for target in targets:
        contacts, units = _steps(session, principal, target, topic)
        for c in contacts:
            if c.person_id not in seen:  # a person's nearest, most specific post is listed once
                seen.add(c.person_id)
                answer.contacts.append(c)
        answer.units += [u for u in units if u not in answer.units]

    if rest:
        # A name, number or title: narrow the answer to it, or search for it on its own.
        if answer.contacts:
            narrowed = [c for c in answer.contacts if rest in c.name or rest in (c.title or "")]
            answer.contacts = narrowed or answer.contacts
        else:
            within = targets[0].code if targets else None
            page = people_service.search(session, principal, q=rest, within=within, size=limit)
            for person in page.items:
                answer.contacts.append(
                    _contact(
                        person, principal, person.jurisdiction, N_("{title}"), {"title": person.title or ""}
                    )
                )
            answer.units += list(
                session.scalars(
                    select(Unit)
                    .where(
                        Unit.name.contains(rest, autoescape=True), in_scope(Unit.jurisdiction_code, principal)
                    )
                    .limit(10)
                )
            )
    answer.contacts = answer.contacts[:limit]
    return answer
