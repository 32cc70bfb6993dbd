"""The register of disaster information officers (灾害信息员, RULES2 §10.5): one at least per village,
A/B posts, the level from the division, training records, and the coverage of a place: villages
without an officer and disaster-prone villages (with geological hazard points) without both posts.
Officers of one's own subtree are seen and managed with ``damage.report`` (403 outside, 404 unseen)."""

from __future__ import annotations

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, in_scope, mask_phone, visible, writable
from yingji.core.errors import ValidationFailed
from yingji.core.i18n import N_
from yingji.core.models import apply_changes
from yingji.core.pagination import Page, paginate
from yingji.damage import labels
from yingji.damage.models import DisasterOfficer, OfficerTraining
from yingji.damage.schemas import OfficerIn, OfficerPatch, TrainingIn
from yingji.monitoring.models import HazardPoint
from yingji.org import codes as division_codes
from yingji.org import places
from yingji.org.models import Jurisdiction

OFFICER_LEVELS = ("province", "city", "county", "town", "village")


def level_for(code: str) -> str:
    """The officer's level from the division; a village group has no officer of its own."""
    level = division_codes.level_of(code)
    if level not in OFFICER_LEVELS:
        raise ValidationFailed.on("jurisdiction_code", N_("Officers are registered for a village or above."))
    return level


def search(
    session: Session,
    principal: Principal,
    *,
    within: str | None = None,
    post: str | None = None,
    q: str = "",
    include_inactive: bool = False,
    page: int = 1,
    size: int = 50,
) -> Page[DisasterOfficer]:
    stmt = select(DisasterOfficer).where(in_scope(DisasterOfficer.jurisdiction_code, principal))
    if within:
        places.within(session, principal, within)
        low, high = division_codes.subtree_bounds(within)
        stmt = stmt.where(DisasterOfficer.jurisdiction_code >= low, DisasterOfficer.jurisdiction_code < high)
    if post:
        stmt = stmt.where(DisasterOfficer.post == post)
    if not include_inactive:
        stmt = stmt.where(DisasterOfficer.active)
    if q.strip():
        stmt = stmt.where(DisasterOfficer.name.contains(q.strip(), autoescape=True))
    order = (DisasterOfficer.jurisdiction_code, DisasterOfficer.post, DisasterOfficer.id)
    return paginate(session, stmt.order_by(*order), page, size)


def get(session: Session, principal: Principal, officer_id: int) -> DisasterOfficer:
    return visible(principal, session.get(DisasterOfficer, officer_id))


def create(session: Session, principal: Principal, data: OfficerIn) -> DisasterOfficer:
    writable(principal, data.jurisdiction_code, Perm.DAMAGE_REPORT)
    places.get(session, principal, data.jurisdiction_code)
    officer = DisasterOfficer(
        **data.model_dump(exclude={"post"}),
        post=data.post.value,
        level=level_for(data.jurisdiction_code),
        active=True,
    )
    session.add(officer)
    session.flush()
    return officer


def update(session: Session, principal: Principal, officer_id: int, patch: OfficerPatch) -> DisasterOfficer:
    officer = get(session, principal, officer_id)
    writable(principal, officer.jurisdiction_code, Perm.DAMAGE_REPORT)
    changes = patch.model_dump(exclude_unset=True)
    if changes.get("post") is not None:
        changes["post"] = changes["post"].value
    apply_changes(officer, changes)  # an explicit null for a required field is a 422
    session.flush()
    return officer


def add_training(
    session: Session, principal: Principal, officer_id: int, data: TrainingIn
) -> OfficerTraining:
    officer = get(session, principal, officer_id)
    writable(principal, officer.jurisdiction_code, Perm.DAMAGE_REPORT)
    row = OfficerTraining(
        officer_id=officer.id, jurisdiction_code=officer.jurisdiction_code, **data.model_dump()
    )
    session.add(row)
    session.flush()
    return row


def trainings(session: Session, officer_ids: list[int]) -> dict[int, list[OfficerTraining]]:
    out: dict[int, list[OfficerTraining]] = {i: [] for i in officer_ids}
    if officer_ids:
        stmt = select(OfficerTraining).where(OfficerTraining.officer_id.in_(officer_ids))
        for t in session.scalars(stmt.order_by(OfficerTraining.on)):
            out[t.officer_id].append(t)
    return out


def outs(
    session: Session, principal: Principal, rows: list[DisasterOfficer], *, with_trainings=False
) -> list[dict]:
    names = places.names(session, [o.jurisdiction_code for o in rows])
    done = trainings(session, [o.id for o in rows]) if with_trainings else {}
    return [
        {
            "id": o.id,
            "name": o.name,
            "jurisdiction_code": o.jurisdiction_code,
            "jurisdiction_name": names.get(o.jurisdiction_code),
            "level": o.level,
            "level_label": labels.label(labels.LEVEL, o.level),
            "post": o.post,
            "post_label": labels.label(labels.POST, o.post),
            "mobile": mask_phone(o.mobile, principal),
            "backup_phone": mask_phone(o.backup_phone, principal),
            "position": o.position,
            "beidou_id": o.beidou_id,
            "active": o.active,
            "since": o.since,
            "until": o.until,
            "note": o.note,
            "trainings": [
                {
                    "id": t.id,
                    "on": t.on,
                    "course": t.course,
                    "hours": t.hours,
                    "organiser": t.organiser,
                    "passed": t.passed,
                }
                for t in done.get(o.id, [])
            ],
        }
        for o in rows
    ]


def coverage(session: Session, principal: Principal, within: str | None = None) -> dict:
    """Villages of the place with their officers by post, and whether hazard points make them prone.
    One grouped query each for officers and hazard points, joined to the villages of the subtree."""
    place = within or principal.jurisdiction_code
    if within:
        places.within(session, principal, within)
    low, high = division_codes.subtree_bounds(place) if place else ("", "~")
    officers = (
        select(
            DisasterOfficer.jurisdiction_code.label("code"),
            func.count().label("n"),
            func.sum(case((DisasterOfficer.post == "A", 1), else_=0)).label("a"),
            func.sum(case((DisasterOfficer.post == "B", 1), else_=0)).label("b"),
        )
        .where(
            DisasterOfficer.active,
            DisasterOfficer.level == "village",
            DisasterOfficer.jurisdiction_code >= low,
            DisasterOfficer.jurisdiction_code < high,
        )
        .group_by(DisasterOfficer.jurisdiction_code)
        .subquery()
    )
    village_of = func.substr(HazardPoint.jurisdiction_code, 1, 12)
    hazards = (
        select(village_of.label("code"), func.count().label("n"))
        .where(
            HazardPoint.jurisdiction_code >= low,
            HazardPoint.jurisdiction_code < high,
            func.length(HazardPoint.jurisdiction_code) >= 12,
        )
        .group_by(village_of)
        .subquery()
    )
    stmt = (
        select(Jurisdiction.code, Jurisdiction.name, officers.c.n, officers.c.a, officers.c.b, hazards.c.n)
        .outerjoin(officers, officers.c.code == Jurisdiction.code)
        .outerjoin(hazards, hazards.c.code == Jurisdiction.code)
        .where(Jurisdiction.level == "village", Jurisdiction.code >= low, Jurisdiction.code < high)
        .order_by(Jurisdiction.code)
    )
    total = covered = 0
    without, prone_gaps = [], []
    for code, name, n, a, b, h in session.execute(stmt):
        total += 1
        row = {"code": code, "name": name, "officers": n or 0, "a": a or 0, "b": b or 0, "prone": bool(h)}
        if n:
            covered += 1
        else:
            without.append(row)
        if h and not (a and b):
            prone_gaps.append(row)
    return {"villages": total, "covered": covered, "without_officer": without, "prone_without_ab": prone_gaps}
