"""Threatened people (威胁对象): a hazard point's threat list, household by household from the resident
registry, with its totals kept on the point; the households under a warning's area, vulnerable first;
and each village group's planned shelter and route (转移路线)."""

from __future__ import annotations

import json

from sqlalchemy import case, delete, func, insert, literal, or_, select, tuple_
from sqlalchemy.orm import Session

from yingji.auth import audit
from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, in_scope, mask_phone, visible, writable
from yingji.core.errors import Conflict, NotFound, ValidationFailed
from yingji.core.i18n import N_
from yingji.core.models import apply_changes
from yingji.evacuation import areas
from yingji.evacuation.models import EvacuationRoute, HazardThreat
from yingji.evacuation.schemas import (
    RouteIn,
    RouteOut,
    RoutePatch,
    ThreatenedHousehold,
    ThreatenedOut,
    ThreatListOut,
    ThreatOut,
    ThreatsIn,
)
from yingji.monitoring.models import HazardPoint, PointStatus
from yingji.org import codes as division_codes
from yingji.org.models import Jurisdiction
from yingji.residents.models import Resident


def _grouped(where):
    """Households of the registry matching ``where``: code, household, head id, people, vulnerable."""
    r = Resident
    return (
        select(
            r.jurisdiction_code.label("code"),
            r.household.label("household"),
            func.min(r.id).label("head_id"),
            func.count().label("people"),
            func.sum(case((r.vulnerability > 0, 1), else_=0)).label("vulnerable"),
        )
        .where(r.active, where)
        .group_by(r.jurisdiction_code, r.household)
    )


def threat_list(session: Session, principal: Principal, point_id: int) -> ThreatListOut:
    point = visible(principal, session.get(HazardPoint, point_id))
    t = HazardThreat
    g = _grouped(
        tuple_(Resident.jurisdiction_code, Resident.household).in_(
            select(t.jurisdiction_code, t.household).where(t.hazard_point_id == point.id)
        )
    ).subquery()
    head = Resident.__table__.alias("head")
    rows = session.execute(
        select(t, head.c.name, g.c.vulnerable)
        .outerjoin(g, (g.c.code == t.jurisdiction_code) & (g.c.household == t.household))
        .outerjoin(head, head.c.id == g.c.head_id)
        .where(t.hazard_point_id == point.id)
        .order_by(g.c.vulnerable.desc(), t.jurisdiction_code, t.household)
    ).all()
    items = [
        ThreatOut.model_validate(x).model_copy(update={"head_name": name, "vulnerable": int(vulnerable or 0)})
        for x, name, vulnerable in rows
    ]
    return ThreatListOut(
        hazard_point_id=point.id,
        households=len(items),
        people=sum(x.people for x in items),
        items=items,
    )


def set_threats(session: Session, principal: Principal, point_id: int, data: ThreatsIn) -> ThreatListOut:
    """Replace the point's threat list with the households named and those of the places given; the
    point's totals follow. Households not in the registry are refused by name."""
    point = visible(principal, session.get(HazardPoint, point_id))
    writable(principal, point.jurisdiction_code, Perm.EVACUATION_ORDER)
    places = []
    for i, code in enumerate(data.places):
        try:
            places.append(division_codes.normalise(code))
        except ValueError:
            raise ValidationFailed.on(f"places.{i}", N_("Not a division code.")) from None
    for code in places:
        writable(principal, code, Perm.EVACUATION_ORDER)
    pairs = {(division_codes.normalise(h.jurisdiction_code), h.household): h.note for h in data.households}
    for code, _ in pairs:
        writable(principal, code, Perm.EVACUATION_ORDER)
    conds = []
    if places:
        conds.append(areas.ranges(Resident.jurisdiction_code, places))
    if pairs:
        conds.append(tuple_(Resident.jurisdiction_code, Resident.household).in_(list(pairs)))
    found = session.execute(_grouped(or_(*conds))).all() if conds else []
    missing = set(pairs) - {(r.code, r.household) for r in found}
    if missing:
        raise ValidationFailed(
            details=[
                {"field": "households", "message": N_("Not in the resident registry."), "value": f"{c} {h}"}
                for c, h in sorted(missing)[:20]
            ]
        )
    before = {"households": point.threatened_households, "people": point.threatened_people}
    session.execute(delete(HazardThreat).where(HazardThreat.hazard_point_id == point.id))
    rows = [
        {
            "hazard_point_id": point.id,
            "jurisdiction_code": r.code,
            "household": r.household,
            "people": min(r.people, 32767),
            "note": pairs.get((r.code, r.household)),
        }
        for r in found
    ]
    if rows:
        session.execute(insert(HazardThreat), rows)
    point.threatened_households = len(rows)
    point.threatened_people = sum(r["people"] for r in rows)
    audit.record(
        session,
        "update",
        "hazard_threats",
        point.id,
        jurisdiction_code=point.jurisdiction_code,
        before=before,
        after={"households": len(rows), "people": point.threatened_people},
        note="threat list replaced",
    )
    session.flush()
    return threat_list(session, principal, point.id)


def refresh_from_groups(session: Session, kinds: tuple[str, ...] = ("geological",), under: str = "") -> int:
    """Threat lists of the points that have none: every household of the point's village group
    (set-based; the demo's start, which the town then corrects household by household)."""
    hp, r = HazardPoint, Resident
    has_list = select(HazardThreat.hazard_point_id)
    points = select(hp.id, hp.jurisdiction_code).where(
        hp.kind.in_(kinds),
        hp.status == PointStatus.ACTIVE,
        hp.id.not_in(has_list),
        func.length(hp.jurisdiction_code) == 15,
    )
    if under:
        points = points.where(areas.ranges(hp.jurisdiction_code, [under]))
    points = points.subquery()
    households = (
        select(
            points.c.id,
            r.jurisdiction_code,
            r.household,
            func.count(),
            literal(None),
        )
        .join(r, r.jurisdiction_code == points.c.jurisdiction_code)
        .where(r.active)
        .group_by(points.c.id, r.jurisdiction_code, r.household)
    )
    n = session.execute(
        insert(HazardThreat).from_select(
            ["hazard_point_id", "jurisdiction_code", "household", "people", "note"], households
        )
    ).rowcount
    totals = (
        select(
            HazardThreat.hazard_point_id.label("pid"),
            func.count().label("n"),
            func.sum(HazardThreat.people).label("people"),
        )
        .group_by(HazardThreat.hazard_point_id)
        .subquery()
    )
    session.execute(
        hp.__table__.update()
        .where(hp.__table__.c.id.in_(select(totals.c.pid)))
        .values(
            threatened_households=select(totals.c.n)
            .where(totals.c.pid == hp.__table__.c.id)
            .scalar_subquery(),
            threatened_people=select(totals.c.people)
            .where(totals.c.pid == hp.__table__.c.id)
            .scalar_subquery(),
        )
    )
    return n or 0


def warning_threatened(
    session: Session, principal: Principal, warning_id: int, limit: int = 200
) -> ThreatenedOut:
    """The households under a warning's area (its grid cells and divisions), vulnerable first."""
    from yingji.delivery.targeting import resolve_warning
    from yingji.warnings.models import Warning

    warning = visible(principal, session.get(Warning, warning_id))
    prefixes = areas.clip(resolve_warning(session, warning).covered, principal.jurisdiction_code)
    where = areas.ranges(Resident.jurisdiction_code, prefixes)
    g = _grouped(where).subquery()
    households, people, vulnerable = session.execute(
        select(
            func.count(), func.coalesce(func.sum(g.c.people), 0), func.coalesce(func.sum(g.c.vulnerable), 0)
        )
    ).one()
    head = Resident.__table__.alias("head")
    rows = session.execute(
        select(g.c.code, g.c.household, g.c.people, g.c.vulnerable, head.c.name, head.c.mobile)
        .join(head, head.c.id == g.c.head_id)
        .order_by(g.c.vulnerable.desc(), g.c.code, g.c.household)
        .limit(max(0, min(limit, 2000)))
    ).all()
    names = _names(session, sorted({r.code for r in rows}))
    return ThreatenedOut(
        warning_id=warning.id,
        households=households,
        people=int(people),
        vulnerable_people=int(vulnerable),
        areas=prefixes,
        items=[
            ThreatenedHousehold(
                jurisdiction_code=r.code,
                place=names.get(r.code, r.code),
                household=r.household,
                head_name=r.name,
                mobile=mask_phone(r.mobile, principal),
                people=r.people,
                vulnerable=int(r.vulnerable or 0),
            )
            for r in rows
        ],
    )


def _names(session: Session, codes: list[str]) -> dict[str, str]:
    rows = session.execute(select(Jurisdiction.code, Jurisdiction.name).where(Jurisdiction.code.in_(codes)))
    return {code: name for code, name in rows}


# --- routes ----------------------------------------------------------------------------------------


def _check_path(path: str | None) -> None:
    if path is None:
        return
    try:
        shape = json.loads(path)
        ok = shape.get("type") == "LineString" and len(shape.get("coordinates") or []) >= 2
    except (ValueError, AttributeError):
        ok = False
    if not ok:
        raise ValidationFailed.on("path", N_("The route must be a GeoJSON LineString of two points or more."))


def _check_refs(session: Session, principal: Principal, shelter_id: int | None, point_id: int | None) -> None:
    if shelter_id is not None:
        from yingji.shelters.models import Shelter

        if session.get(Shelter, shelter_id) is None:
            raise ValidationFailed.on("shelter_id", N_("No such shelter."))
    if point_id is not None:
        point = session.get(HazardPoint, point_id)
        if point is None or not principal.covers(point.jurisdiction_code):
            raise ValidationFailed.on("hazard_point_id", N_("Not found in your jurisdiction."))


def route_outs(session: Session, routes: list[EvacuationRoute]) -> list[RouteOut]:
    names = _names(session, sorted({r.jurisdiction_code for r in routes}))
    shelters: dict[int, str] = {}
    ids = {r.shelter_id for r in routes if r.shelter_id}
    if ids:
        from yingji.shelters.models import Shelter

        shelters = {
            i: n for i, n in session.execute(select(Shelter.id, Shelter.name).where(Shelter.id.in_(ids)))
        }
    return [
        RouteOut.model_validate(r).model_copy(
            update={"place": names.get(r.jurisdiction_code), "shelter_name": shelters.get(r.shelter_id)}
        )
        for r in routes
    ]


def routes(
    session: Session, principal: Principal, within: str | None = None, hazard_kind: str | None = None
) -> list[EvacuationRoute]:
    stmt = select(EvacuationRoute).where(in_scope(EvacuationRoute.jurisdiction_code, principal))
    if within:
        if not principal.covers(within):
            raise NotFound()
        stmt = stmt.where(areas.ranges(EvacuationRoute.jurisdiction_code, [within]))
    if hazard_kind:
        stmt = stmt.where(EvacuationRoute.hazard_kind.in_([hazard_kind, "any"]))
    return list(session.scalars(stmt.order_by(EvacuationRoute.jurisdiction_code).limit(5000)))


def create_route(session: Session, principal: Principal, data: RouteIn) -> EvacuationRoute:
    try:
        code = division_codes.normalise(data.jurisdiction_code)
    except ValueError:
        raise ValidationFailed.on("jurisdiction_code", N_("Not a division code.")) from None
    writable(principal, code, Perm.EVACUATION_ORDER)
    if session.get(Jurisdiction, code) is None:
        raise ValidationFailed.on("jurisdiction_code", N_("Not a division code."))
    _check_path(data.path)
    _check_refs(session, principal, data.shelter_id, data.hazard_point_id)
    taken = session.scalar(
        select(EvacuationRoute.id).where(
            EvacuationRoute.jurisdiction_code == code, EvacuationRoute.hazard_kind == data.hazard_kind
        )
    )
    if taken:
        raise Conflict(N_("This place already has a route for this hazard: change that one."))
    route = EvacuationRoute(**{**data.model_dump(), "jurisdiction_code": code})
    session.add(route)
    session.flush()
    return route


def update_route(session: Session, principal: Principal, route_id: int, data: RoutePatch) -> EvacuationRoute:
    route = visible(principal, session.get(EvacuationRoute, route_id))
    writable(principal, route.jurisdiction_code, Perm.EVACUATION_ORDER)
    changes = data.model_dump(exclude_unset=True)
    _check_path(changes.get("path"))
    _check_refs(session, principal, changes.get("shelter_id"), changes.get("hazard_point_id"))
    apply_changes(route, changes)
    session.flush()
    return route


def delete_route(session: Session, principal: Principal, route_id: int) -> None:
    route = visible(principal, session.get(EvacuationRoute, route_id))
    writable(principal, route.jurisdiction_code, Perm.EVACUATION_ORDER)
    session.delete(route)
    session.flush()
