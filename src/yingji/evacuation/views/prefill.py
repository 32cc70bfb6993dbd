"""The new-order form: what it starts with when it comes from a warning, an alarm, an incident or a
hazard point (title, source, area), the places and hazard points it offers, and the one call into
the orders service."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.scope import Principal, in_scope
from yingji.core.i18n import gettext
from yingji.evacuation.codes import OrderSource
from yingji.evacuation.schemas import OrderIn
from yingji.monitoring import alarms as monitoring_alarms
from yingji.monitoring.models import HazardPoint
from yingji.org import codes as org_codes
from yingji.org import places
from yingji.warnings import queries as warning_queries


def int_or_none(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) < 18 else None


def normalised(raw: list[str]) -> list[str]:
    """Division codes in the database's form; a malformed one is kept as typed (the service then
    names it in its 422)."""
    out = []
    for code in raw:
        try:
            out.append(org_codes.normalise(code))
        except ValueError:
            out.append(code)
    return out


def form_of(
    session: Session,
    p: Principal,
    *,
    warning_id: int | None = None,
    alarm_id: int | None = None,
    incident_id: int | None = None,
    hazard_point_id: int | None = None,
) -> dict:
    """The form's first values; a source the user cannot see is a 404."""
    form: dict = {"source": OrderSource.MANUAL.value, "area_codes": [], "title": "", "reason": ""}
    if warning_id:
        w = warning_queries.get_warning(session, p, warning_id)
        form |= {
            "source": OrderSource.WARNING.value,
            "warning_id": w.id,
            "title": gettext("Evacuation under the warning: {title}", title=w.headline or w.event or ""),
            "area_codes": [c for c in w.area_codes() if p.covers(c)] or [p.jurisdiction_code],
            "reason": w.instruction or "",
        }
    elif alarm_id:
        a = monitoring_alarms.get(session, p, alarm_id)
        point = session.get(HazardPoint, a.hazard_point_id) if a.hazard_point_id else None
        form |= {
            "source": OrderSource.ALARM.value,
            "alarm_id": a.id,
            "hazard_point_id": point.id if point else None,
            "hazard_kind": point.kind if point else None,
            "title": gettext(
                "Evacuation on the alarm of {place}", place=point.name if point else a.jurisdiction_code
            ),
            "area_codes": [] if point else [a.jurisdiction_code],
        }
    elif incident_id:
        from yingji.incidents import listing

        i = listing.get(session, p, incident_id)
        form |= {
            "source": OrderSource.INCIDENT.value,
            "incident_id": i.id,
            "title": gettext("Evacuation for the incident: {title}", title=i.title),
            "area_codes": [i.jurisdiction_code],
        }
    elif hazard_point_id:
        point = session.get(HazardPoint, hazard_point_id)
        if point is None or not p.covers(point.jurisdiction_code):
            from yingji.core.errors import NotFound

            raise NotFound()
        form |= {
            "source": OrderSource.HAZARD.value,
            "hazard_point_id": point.id,
            "hazard_kind": point.kind,
            "title": gettext("Evacuation of the threatened at {place}", place=point.name),
        }
    return form


def context(session: Session, p: Principal, form: dict, errors: dict) -> dict:
    """What the form template needs: the places one and two levels down, the hazard points with a
    threat list, the form and its errors."""
    root = places.root(session, p)
    children = places.children(session, p, root.code) if root else []
    picked = set(form.get("area_codes") or [])
    known = {c.code for c in children}
    points = list(
        session.scalars(
            select(HazardPoint)
            .where(in_scope(HazardPoint.jurisdiction_code, p), HazardPoint.threatened_households > 0)
            .order_by(HazardPoint.threatened_people.desc())
            .limit(200)
        )
    )
    if form.get("hazard_point_id") and all(x.id != form["hazard_point_id"] for x in points):
        extra = session.get(HazardPoint, form["hazard_point_id"])
        if extra is not None:
            points.insert(0, extra)
    return {
        "form": form,
        "errors": errors,
        "root": root,
        "children": children,
        "picked": picked,
        "other_codes": " ".join(org_codes.division_code_12(c) if c.isdigit() else c for c in picked - known),
        "points": points,
        "sources": [s.value for s in OrderSource],
        "from_source": form.get("source") in (OrderSource.WARNING, OrderSource.ALARM, OrderSource.INCIDENT),
    }


def issue(session: Session, p: Principal, data: OrderIn):
    """Issue the order (the evacuation service)."""
    from yingji.evacuation import orders

    return orders.issue(session, p, data)
