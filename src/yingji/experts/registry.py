"""The expert registry: search by field and place, read, register, change, availability.

Who sees whom: an expert pool serves its place and everything below it, so a principal sees the
experts of their own subtree and of the places above them (a county consults the city's and the
province's experts). Registering and changing needs ``experts.manage`` inside one's own subtree
(403 outside, 404 for an expert one cannot see). Every change is audited (the tables are Audited).
"""

from __future__ import annotations

import uuid

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import Session, object_session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, in_scope, mask_phone, visible, writable
from yingji.core import clock
from yingji.core.errors import Conflict, NotFound, ValidationFailed
from yingji.core.i18n import gettext
from yingji.core.models import apply_changes
from yingji.core.pagination import Page, paginate
from yingji.experts import codes
from yingji.experts.codes import AVAILABILITY_MOVES, Availability, FieldKind
from yingji.experts.models import Expert, ExpertField
from yingji.experts.schemas import ExpertIn, ExpertPatch, FieldOut
from yingji.org import codes as division_codes
from yingji.org import places
from yingji.org.models import Jurisdiction, Unit
from yingji.response.models import ConsultationParticipant


def seen_by(principal: Principal):
    """SQL: the experts a principal may see (own subtree and the pools above)."""
    own = principal.jurisdiction_code
    above = division_codes.ancestors(own) if own else []
    if not above:
        return in_scope(Expert.jurisdiction_code, principal)
    return or_(in_scope(Expert.jurisdiction_code, principal), Expert.jurisdiction_code.in_(above))


def may_see(principal: Principal, code: str) -> bool:
    return principal.covers(code) or principal.jurisdiction_code.startswith(code)


def _field_filter(kind: FieldKind, code: str):
    """Experts with this field; a category matches its subcategories and its parent category."""
    if kind == FieldKind.CATEGORY:
        wanted = codes.matching_categories(code)
        cond = or_(ExpertField.code.in_(wanted), ExpertField.code.startswith(code + ".", autoescape=True))
    else:
        cond = ExpertField.code == code
    return exists().where(ExpertField.expert_id == Expert.id, ExpertField.kind == kind.value, cond)


def nearness(near: str):
    """SQL sort key: experts of the place itself first, then of the nearest enclosing place."""
    whens = [
        (func.substr(Expert.jurisdiction_code, 1, n) == near[:n], -n)
        for n in (15, 12, 9, 6, 4, 2)
        if n <= len(near)
    ]
    return case(*whens, else_=0)


def search(
    session: Session,
    principal: Principal,
    *,
    q: str = "",
    within: str | None = None,
    near: str | None = None,
    discipline: str | None = None,
    category: str | None = None,
    availability: str | None = None,
    include_inactive: bool = False,
    page: int = 1,
    size: int = 50,
) -> Page[Expert]:
    """Experts the principal may see, narrowed by place, field, availability and words; ``near``
    orders them from the place outwards (the experts closest to an incident first)."""
    stmt = select(Expert).where(seen_by(principal))
    if not include_inactive:
        stmt = stmt.where(Expert.active)
    if within:
        if not may_see(principal, within):
            places.within(session, principal, within)  # the usual 404 for a place one cannot see
        low, high = division_codes.subtree_bounds(within)
        stmt = stmt.where(Expert.jurisdiction_code >= low, Expert.jurisdiction_code < high)
    if discipline:
        stmt = stmt.where(_field_filter(FieldKind.DISCIPLINE, discipline))
    if category:
        stmt = stmt.where(_field_filter(FieldKind.CATEGORY, category))
    if availability:
        stmt = stmt.where(Expert.availability == availability)
    q = (q or "").strip()
    if q:
        stmt = stmt.where(
            or_(
                Expert.name.contains(q, autoescape=True),
                Expert.unit_name.contains(q, autoescape=True),
                Expert.specialty.contains(q, autoescape=True),
                Expert.title.contains(q, autoescape=True),
                Expert.code.startswith(q, autoescape=True),
            )
        )
    order = [Expert.jurisdiction_code, Expert.name, Expert.id]
    if near:
        avail = case((Expert.availability == Availability.AVAILABLE.value, 0), else_=1)
        order = [avail, nearness(near), *order]
    return paginate(session, stmt.order_by(*order), page, size)


def get(session: Session, principal: Principal, expert_id: int, *, lock: bool = False) -> Expert:
    """An expert the principal may see (404 otherwise)."""
    options = {"with_for_update": True, "populate_existing": True} if lock else {}
    expert = session.get(Expert, expert_id, **options)
    if expert is None:
        raise NotFound()
    if not may_see(principal, expert.jurisdiction_code):
        visible(principal, expert)  # notes the probe and raises 404
    return expert


def _check_place(session: Session, code: str) -> None:
    if session.get(Jurisdiction, code) is None:
        raise ValidationFailed(details=[{"field": "jurisdiction_code", "message": "Unknown jurisdiction."}])


def _check_unit(session: Session, principal: Principal, unit_id: int | None) -> Unit | None:
    if unit_id is None:
        return None
    unit = session.get(Unit, unit_id)
    if unit is None or not may_see(principal, unit.jurisdiction_code):
        raise ValidationFailed(details=[{"field": "unit_id", "message": "Unknown person or unit."}])
    return unit


def _unique_code(session: Session, code: str, expert_id: int | None = None) -> None:
    other = session.scalar(select(Expert.id).where(Expert.code == code))
    if other is not None and other != expert_id:
        raise Conflict("The expert number {code} is already registered.", code=code)


def new_code(place: str) -> str:
    return f"ZJ{place[:6]}-{uuid.uuid4().hex[:8].upper()}"


def set_fields(expert: Expert, kind: FieldKind, wanted: list[str]) -> None:
    """Make the expert's fields of one kind exactly ``wanted`` (rows kept where they stay)."""
    keep = [f for f in expert.fields if f.kind != kind or f.code in wanted]
    session = object_session(expert)
    for gone in (f for f in expert.fields if f.kind == kind and f.code not in wanted):
        if session is not None and gone.id is not None:
            session.delete(gone)  # explicitly, so that the audit log sees the delete
    have = {f.code for f in keep if f.kind == kind}
    expert.fields = keep + [
        ExpertField(kind=kind.value, code=c, jurisdiction_code=expert.jurisdiction_code)
        for c in wanted
        if c not in have
    ]


def create(session: Session, principal: Principal, data: ExpertIn) -> Expert:
    writable(principal, data.jurisdiction_code, Perm.EXPERTS_MANAGE)
    _check_place(session, data.jurisdiction_code)
    unit = _check_unit(session, principal, data.unit_id)
    code = data.code or new_code(data.jurisdiction_code)
    _unique_code(session, code)
    values = data.model_dump(exclude={"code", "disciplines", "categories", "availability"})
    if unit is not None and not values.get("unit_name"):
        values["unit_name"] = unit.name
    expert = Expert(
        **values,
        code=code,
        availability=data.availability.value,
        availability_changed_at=clock.now(),
        active=True,
        fields=[],
    )
    set_fields(expert, FieldKind.DISCIPLINE, data.disciplines)
    set_fields(expert, FieldKind.CATEGORY, data.categories)
    session.add(expert)
    session.flush()
    return expert


def update(session: Session, principal: Principal, expert_id: int, patch: ExpertPatch) -> Expert:
    expert = get(session, principal, expert_id, lock=True)
    writable(principal, expert.jurisdiction_code, Perm.EXPERTS_MANAGE)
    changes = patch.model_dump(exclude_unset=True)
    if changes.get("jurisdiction_code"):
        writable(principal, changes["jurisdiction_code"], Perm.EXPERTS_MANAGE)
        _check_place(session, changes["jurisdiction_code"])
    if "unit_id" in changes:
        _check_unit(session, principal, changes["unit_id"])
    disciplines = changes.pop("disciplines", None)
    categories = changes.pop("categories", None)
    apply_changes(expert, changes)
    if disciplines is not None:
        set_fields(expert, FieldKind.DISCIPLINE, disciplines)
    if categories is not None:
        set_fields(expert, FieldKind.CATEGORY, categories)
    for f in expert.fields:
        f.jurisdiction_code = expert.jurisdiction_code
    session.flush()
    return expert


def set_availability(
    session: Session, principal: Principal, expert_id: int, availability: Availability, note: str | None
) -> Expert:
    """Record that an expert can (or cannot) be called now; the same state again is a 409."""
    expert = get(session, principal, expert_id, lock=True)
    writable(principal, expert.jurisdiction_code, Perm.EXPERTS_MANAGE)
    current = Availability(expert.availability)
    if availability not in AVAILABILITY_MOVES[current]:
        raise Conflict(
            "The expert is already marked {state}.", state=gettext(codes.AVAILABILITY_LABELS[current])
        )
    expert.availability = availability.value
    expert.availability_note = note
    expert.availability_changed_at = clock.now()
    session.flush()
    return expert


# -- reading out ------------------------------------------------------------------------------
def to_availability_label(expert: Expert) -> str:
    return gettext(codes.AVAILABILITY_LABELS[Availability(expert.availability)])


def place_names(session: Session, experts) -> dict[str, str]:
    wanted = {e.jurisdiction_code for e in experts}
    if not wanted:
        return {}
    rows = session.execute(select(Jurisdiction.code, Jurisdiction.name).where(Jurisdiction.code.in_(wanted)))
    return dict(rows.all())


def consultation_counts(session: Session, principal: Principal, ids: list[int]) -> dict[int, int]:
    """How many consultations (in the principal's scope) each expert took part in."""
    if not ids:
        return {}
    rows = session.execute(
        select(
            ConsultationParticipant.expert_id,
            func.count(func.distinct(ConsultationParticipant.consultation_id)),
        )
        .where(
            and_(
                ConsultationParticipant.expert_id.in_(ids),
                in_scope(ConsultationParticipant.jurisdiction_code, principal),
            )
        )
        .group_by(ConsultationParticipant.expert_id)
    )
    return dict(rows.all())


def to_out(
    expert: Expert, principal: Principal, names: dict[str, str] | None = None, counts: dict | None = None
) -> dict:
    grade = codes.titles().get(expert.title_grade or "")
    return {
        "id": expert.id,
        "code": expert.code,
        "name": expert.name,
        "gender": expert.gender,
        "title": expert.title,
        "title_grade": expert.title_grade,
        "title_grade_label": grade.label() if grade else None,
        "position": expert.position,
        "unit_name": expert.unit_name,
        "unit_id": expert.unit_id,
        "specialty": expert.specialty,
        "jurisdiction_code": expert.jurisdiction_code,
        "jurisdiction_name": (names or {}).get(expert.jurisdiction_code, ""),
        "mobile": mask_phone(expert.mobile, principal),
        "office_phone": mask_phone(expert.office_phone, principal),
        "email": expert.email if principal.can(Perm.CONTACT_PHONE) else None,
        "availability": expert.availability,
        "availability_label": gettext(codes.AVAILABILITY_LABELS[Availability(expert.availability)]),
        "availability_note": expert.availability_note,
        "availability_changed_at": expert.availability_changed_at,
        "disciplines": [
            FieldOut(code=c, label=codes.label(FieldKind.DISCIPLINE, c))
            for c in expert.codes_of(FieldKind.DISCIPLINE)
        ],
        "categories": [
            FieldOut(code=c, label=codes.label(FieldKind.CATEGORY, c))
            for c in expert.codes_of(FieldKind.CATEGORY)
        ],
        "active": expert.active,
        "note": expert.note,
        "consultations": (counts or {}).get(expert.id, 0),
        "updated_at": expert.updated_at,
    }


def outs(session: Session, principal: Principal, experts: list[Expert]) -> list[dict]:
    names = place_names(session, experts)
    counts = consultation_counts(session, principal, [e.id for e in experts])
    return [to_out(e, principal, names, counts) for e in experts]
