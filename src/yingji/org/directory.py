"""The contact directory: "who is responsible for X in place Y", answered in one search.

A query such as "北门社区 防汛", "茶园山村防汛", "bmsq 地灾" or "碧江区 谁在值班" is read as places
(every name people use, see ``names``), topics (防汛 → flood_drought), a duty question (值班), role
words (网格员) and the rest (a person's name, a number). The answer walks from the place up to the
city, nearest first — the grid cell's leader and workers, the village station, the town committee
and its working group for the topic, then the county's and city's HQ for the topic — for every
user (the chain above a town officer is theirs to call too; numbers are masked as the role
requires). A name shared by several places is a choice, never a silent pick; a place not
recognised is said so, never answered with the city HQ.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import case, select
from sqlalchemy.orm import Session, joinedload, lazyload, selectinload

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, in_scope, mask_phone
from yingji.core import clock
from yingji.core.i18n import N_
from yingji.core.pagecache import ScopedCache
from yingji.duty import oncall
from yingji.org import asking, names, places, topics
from yingji.org import people as people_service
from yingji.org.codes import GridRole, ancestors, subtree_bounds
from yingji.org.models import GridAssignment, GridCell, Jurisdiction, Position, Responsibility, Unit

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
MAX_CHOICES = 12
# On the day of a flood a province's officers ask the same few questions ("防汛", "谁在值班") at
# once: an answer is shared by the users of one jurisdiction who see numbers alike, for the minute
# (who is on duty moves with the clock) and at most ANSWER_SECONDS (how long another worker process
# may lag behind a change of people, posts or rosters); a commit here drops it at once.
ANSWER_SECONDS = 20.0
answers = ScopedCache(
    "org.directory",
    {
        "jurisdictions",
        "grid_cells",
        "grid_assignments",
        "people",
        "units",
        "unit_memberships",
        "responsibilities",
        "positions",
        "duty_rosters",
        "duty_rotations",
        "duty_overrides",
        "duty_leaves",
    },
    ANSWER_SECONDS,
    entries=1024,
)


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
    role: str | None = None  # grid_leader, grid_worker or the post's role (chief, deputy …)
    place_path: str = ""  # 碧江区 · 环北街道 · 北门社区


@dataclass
class PlaceRef:
    code: str
    name: str
    level: str
    path: str


@dataclass
class DutyPerson:
    name: str
    title: str | None
    mobile: str | None
    acting_for: str | None = None


@dataclass
class DutyDesk:
    """One duty unit's shift now, at the place or a level above."""

    unit_id: int
    unit_name: str
    duty_phone: str | None
    place_code: str
    place_path: str
    leaders: list[DutyPerson]
    officers: list[DutyPerson]
    gaps: list[str]


@dataclass
class Answer:
    query: str
    places: list[PlaceRef] = field(default_factory=list)  # the place answered for (one, or none)
    choices: list[PlaceRef] = field(default_factory=list)  # a name shared by several places
    choices_total: int = 0
    outside: list[PlaceRef] = field(default_factory=list)  # recognised, outside the user's scope
    unknown: str = ""  # words that are no place, topic or person we know
    topics: list[topics.Topic] = field(default_factory=list)
    duty_asked: bool = False
    duty: list[DutyDesk] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)
    fell_back: bool = False  # no place named: answered for the user's own jurisdiction
    guessed: str = ""  # the typed name matched no name exactly: the places are the nearest ones


def _ref(ix: names.PlaceIndex, code: str) -> PlaceRef:
    p = ix.places[code]
    return PlaceRef(code, p.name, p.level, ix.path_text(code))


# -- the chain of responsibility -------------------------------------------------------------
def _contact(ix, person, principal, place, reason, params, unit=None, post=None, role=None) -> Contact:
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
        role=role,
        place_path=ix.path_text(place.code) if place.code in ix.places else place.name,
    )


def _grid_contacts(session, ix, principal, place: Jurisdiction) -> list[Contact]:
    cell = session.scalar(
        select(GridCell)
        .where(GridCell.code == place.code)
        .options(
            lazyload("*"),
            selectinload(GridCell.assignments).options(
                lazyload("*"), joinedload(GridAssignment.person).lazyload("*")
            ),
        )
    )
    if cell is None:
        return []
    out = []
    for a in sorted(cell.assignments, key=lambda a: (a.role != GridRole.LEADER, a.id))[:MAX_PER_STEP]:
        leader = a.role == GridRole.LEADER
        msg = N_("Grid leader of {cell}") if leader else N_("Grid worker of {cell}")
        role = "grid_leader" if leader else "grid_worker"
        out.append(_contact(ix, a.person, principal, place, msg, {"cell": cell.name}, role=role))
    return out


def _grid_workers_under(session, ix, principal, code: str) -> list[Contact]:
    """ "北门社区 网格员": the village's own cell has its leader; its workers are in the groups' cells."""
    low, high = subtree_bounds(code)
    rows = session.scalars(
        select(GridAssignment)
        .options(
            lazyload("*"),
            joinedload(GridAssignment.person).lazyload("*"),
            joinedload(GridAssignment.cell).lazyload("*"),
        )
        .where(
            GridAssignment.jurisdiction_code >= low,
            GridAssignment.jurisdiction_code < high,
            GridAssignment.role == GridRole.WORKER,
        )
        .order_by(GridAssignment.jurisdiction_code, GridAssignment.id)
        .limit(MAX_PER_STEP * 3)
    )
    places_by_code = {}
    out = []
    for a in rows:
        place = places_by_code.get(a.jurisdiction_code) or session.get(Jurisdiction, a.jurisdiction_code)
        places_by_code[a.jurisdiction_code] = place
        out.append(
            _contact(
                ix,
                a.person,
                principal,
                place,
                N_("Grid worker of {cell}"),
                {"cell": a.cell.name},
                role="grid_worker",
            )
        )
    return out


def _unit_contacts(session, ix, principal, place, kinds, topic) -> tuple[list[Contact], list[Unit]]:
    stmt = select(Unit).where(Unit.jurisdiction_code == place.code, Unit.kind.in_(kinds))
    if topic is not None:
        stmt = stmt.where(Unit.topic == topic.code)
    units = list(session.scalars(stmt.options(lazyload("*")).order_by(Unit.sort, Unit.id).limit(3)))
    if not units:
        return [], []
    order = case({r: i for i, r in enumerate(ROLE_ORDER)}, value=Position.role, else_=99)
    positions = session.scalars(
        select(Position)
        .where(Position.unit_id.in_([u.id for u in units]))
        .options(
            lazyload("*"),
            joinedload(Position.person).lazyload("*"),
            joinedload(Position.unit).lazyload("*"),
        )
        .order_by(order, Position.sort, Position.id)
        .limit(MAX_PER_STEP)
    )
    out = []
    for p in positions:
        params = {"unit": p.unit.name, "post": p.title}
        out.append(
            _contact(ix, p.person, principal, place, N_("{post}, {unit}"), params, p.unit, p.title, p.role)
        )
    return out, units


def _responsible_units(session, chain_codes: list[str], topic: topics.Topic) -> list[Unit]:
    """Member units whose responsibility lists name the topic, along the chain."""
    unit_ids = select(Responsibility.unit_id).where(
        Responsibility.jurisdiction_code.in_(chain_codes), Responsibility.topics.contains(topic.code)
    )
    return list(
        session.scalars(
            select(Unit)
            .options(lazyload("*"))
            .where(Unit.id.in_(unit_ids), Unit.kind == "member_unit", Unit.jurisdiction_code.in_(chain_codes))
            .order_by(Unit.jurisdiction_code.desc(), Unit.sort)
            .limit(12)
        )
    )


def _steps(session, ix, principal, code: str, topic: topics.Topic | None) -> tuple[list[Contact], list[Unit]]:
    """From the place up to the city, whatever the user's own level: a town officer sees the
    county's and the city's HQ above them (numbers masked as their role requires)."""
    contacts: list[Contact] = []
    units: list[Unit] = []
    chain_codes = [code, *reversed(ancestors(code))]
    chain = {
        j.code: j for j in session.scalars(select(Jurisdiction).where(Jurisdiction.code.in_(chain_codes)))
    }
    for level_code in chain_codes:
        place = chain.get(level_code)
        if place is None:
            continue
        steps: list[tuple[list[str], topics.Topic | None]] = []
        if place.level in ("group", "village"):
            contacts += _grid_contacts(session, ix, principal, place)
        if place.level == "village":
            steps = [(["service_station"], None)]
        elif place.level == "town":
            steps = ([(["working_group"], topic)] if topic else []) + [
                (["emergency_committee", "committee_office"], None)
            ]
        elif place.level in ("county", "city", "province"):
            steps = [(["special_hq"], topic)] if topic else [(["command_hq"], None)]
        for kinds, step_topic in steps:
            c, u = _unit_contacts(session, ix, principal, place, kinds, step_topic)
            contacts += c
            units += u
    if topic is not None:
        units += _responsible_units(session, chain_codes, topic)
    return contacts, units


def _duty(session, ix, principal, code: str) -> list[DutyDesk]:
    """Who is on duty now in the duty units of the place and of each level above, nearest first."""

    def person(p: oncall.DutyPerson) -> DutyPerson:
        return DutyPerson(p.name, p.title, mask_phone(p.mobile, principal), p.acting_for)

    return [
        DutyDesk(
            unit_id=d.unit_id,
            unit_name=d.unit_name,
            duty_phone=mask_phone(d.duty_phone, principal),
            place_code=d.jurisdiction_code,
            place_path=ix.path_text(d.jurisdiction_code),
            leaders=[person(p) for p in d.shift.leaders],
            officers=[person(p) for p in d.shift.officers],
            gaps=list(d.shift.gaps),
        )
        for d in oncall.on_duty(session, jurisdiction_code=code)
    ]


def find(
    session: Session, principal: Principal, query: str, place: str | None = None, limit: int = 40
) -> Answer:
    """The directory's answer to one line (and, after a choice, the place chosen): shared by the
    users of the same jurisdiction who see phone numbers alike, for the minute (see ``answers``)."""
    query = (query or "").strip()[:60]
    if not query and not place:
        return Answer(query=query)
    minute = clock.now().replace(second=0, microsecond=0)
    key = (query, place, limit, principal.can(Perm.CONTACT_PHONE), minute)

    def build() -> Answer:
        answer = answer_now(session, principal, query, place, limit)
        for unit in answer.units:  # out of the request's session: its commit must not expire them
            if unit in session:
                session.expunge(unit)
        return answer

    return answers.get_or_build(principal.jurisdiction_code, build, key=key)


def answer_now(
    session: Session, principal: Principal, query: str, place: str | None = None, limit: int = 40
) -> Answer:
    """The directory's answer computed now (no cache)."""
    query = (query or "").strip()[:60]
    answer = Answer(query=query)
    if not query and not place:
        return answer
    ix = names.index(session)
    parsed = asking.parse(session, principal, ix, query)
    answer.topics = parsed.topics
    answer.duty_asked = parsed.duty
    if place:
        inside, outside = ([place], []) if asking.visible(principal, place) else ([], [place])
        inside, outside = [c for c in inside if c in ix.places], [c for c in outside if c in ix.places]
        if not inside and not outside:
            answer.unknown = place
            return answer
    else:
        inside, outside, match = asking.resolve(principal, parsed.matches)
        if match is not None and match.tier == names.FUZZY:
            answer.guessed = match.text  # typed so, read as the nearest names: the page says so
    if len(inside) > 1:
        answer.choices = [_ref(ix, c) for c in inside[:MAX_CHOICES]]
        answer.choices_total = len(inside)
        return answer
    if not inside and outside:
        answer.outside = [_ref(ix, c) for c in outside[:MAX_CHOICES]]
        return answer

    rest = " ".join(parsed.rest)
    target = inside[0] if inside else None
    if target is None:
        if rest:
            _search_people(session, ix, principal, answer, rest, None, limit)
            if not answer.contacts and not answer.units:
                answer.unknown = rest
            return answer
        if not (parsed.topics or parsed.duty or parsed.roles):
            return answer
        own = places.root(session, principal)
        if own is None:
            return answer
        target = own.code
        answer.fell_back = True
    answer.places = [_ref(ix, target)]
    topic = parsed.topics[0] if parsed.topics else None
    if parsed.duty:
        answer.duty = _duty(session, ix, principal, target)
    if not parsed.duty or topic is not None or rest or parsed.roles:
        contacts, units = _steps(session, ix, principal, target, topic)
        seen: set[int] = set()
        for c in contacts:
            if c.person_id not in seen:  # a person's nearest, most specific post is listed once
                seen.add(c.person_id)
                answer.contacts.append(c)
        answer.units += [u for u in units if u not in answer.units]
    if "grid_worker" in parsed.roles and not any(c.role == "grid_worker" for c in answer.contacts):
        answer.contacts = _grid_workers_under(session, ix, principal, target) + answer.contacts
    if parsed.roles:
        narrowed = [c for c in answer.contacts if c.role in parsed.roles]
        answer.contacts = narrowed or answer.contacts
    if rest:
        narrowed = [
            c for c in answer.contacts if rest in c.name or rest in (c.title or "") or rest in (c.post or "")
        ]
        if narrowed:
            answer.contacts = narrowed
        else:
            answer.contacts, answer.units = [], []
            within = target if principal.covers(target) else None
            _search_people(session, ix, principal, answer, rest, within, limit)
            if not answer.contacts and not answer.units:
                answer.unknown = rest
    answer.contacts = answer.contacts[:limit]
    return answer


def _search_people(session, ix, principal, answer: Answer, rest: str, within: str | None, limit: int) -> None:
    """A name, number or title on its own: people and units in the user's scope."""
    page = people_service.search(session, principal, q=rest, within=within, size=limit)
    for person in page.items:
        answer.contacts.append(
            _contact(ix, person, principal, person.jurisdiction, N_("{title}"), {"title": person.title or ""})
        )
    answer.units += list(
        session.scalars(
            select(Unit)
            .where(Unit.name.contains(rest, autoescape=True), in_scope(Unit.jurisdiction_code, principal))
            .limit(10)
        )
    )
