"""Composing drafts: templates with locked fields, the area (inside the author's jurisdiction), and
the CAP info blocks built from the form. Drafts are edited only while ``draft``."""

from __future__ import annotations

import os
from datetime import timedelta

from shapely import from_geojson
from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, visible, writable
from yingji.core import clock
from yingji.core.errors import Conflict, NotFound, OutOfJurisdiction, ValidationFailed
from yingji.core.i18n import N_
from yingji.org import codes
from yingji.org.models import Jurisdiction
from yingji.warnings import capmodel, profile, values, versions
from yingji.warnings.codes import Action, S
from yingji.warnings.geometry import area_union
from yingji.warnings.models import Warning
from yingji.warnings.schemas import AreaIn, WarningIn

# Share of a drawn area allowed to fall outside the issuer's boundary (drawing slack at the edge).
AREA_OUTSIDE_TOLERANCE = 0.02
CATEGORIES = ("natural", "accident", "health", "social")  # 突发事件应对法 第二条 (warnable: first three)
TEMPLATE_FIELDS = ("event", "category", "categories", "response_types", "certainty", "sector")


def sender_domain() -> str:
    """The domain part of our CAP ``sender`` (``<senderCode>@<domain>``)."""
    return os.environ.get("YINGJI_CAP_SENDER_DOMAIN", "yingji.local")


def _field_error(field: str, message: str, **params) -> ValidationFailed:
    return ValidationFailed(details=[{"field": field, "message": message, "params": params}])


def _same(given, default) -> bool:
    """A list field is the same in any order: the page posts CAP categories in the value list's
    order (Geo, Met), the template may name them otherwise (Met, Geo)."""
    if isinstance(given, list) and isinstance(default, list):
        return sorted(given) == sorted(default)
    return given == default


def apply_template(data: WarningIn) -> WarningIn:
    """Fill the template's defaults into empty fields; refuse a change to a locked field."""
    tpl = values.template(data.template_key)
    if data.template_key and tpl is None:
        raise _field_error("template_key", N_("Unknown template."))
    if tpl is None:
        return data
    changes: dict = {}
    locked_changed = []
    for name in TEMPLATE_FIELDS:
        given, default = getattr(data, name), tpl.get(name)
        if name in tpl.get("locked", []) and given not in (None, "", []) and not _same(given, default):
            locked_changed.append(name)
        if given in (None, "", []) or name in tpl.get("locked", []):
            changes[name] = default
    if locked_changed:
        raise ValidationFailed(
            details=[
                {
                    "field": f,
                    "message": "This field is fixed by the template {template}.",
                    "params": {"template": data.template_key},
                }
                for f in locked_changed
            ]
        )
    if not data.description:
        changes["description"] = tpl["description"].get(data.level, "")
    if not data.instruction:
        changes["instruction"] = tpl["instruction"].get(data.level, "")
    if not data.channels:
        changes["channels"] = list(tpl.get("channels", []))
    if data.expires is None and tpl.get("hours"):
        start = data.effective or data.onset or clock.now()
        changes["expires"] = start + timedelta(hours=tpl["hours"])
    return data.model_copy(update=changes)


def _check_values(data: WarningIn) -> None:
    problems = []
    for field, allowed_values in (
        ("categories", values.allowed("category")),
        ("response_types", values.allowed("responseType")),
    ):
        for v in getattr(data, field):
            if v not in allowed_values:
                problems.append(
                    {"field": field, "message": "'{value}' is not a CAP value.", "params": {"value": v}}
                )
    for field, element in (("urgency", "urgency"), ("certainty", "certainty"), ("cap_status", "status")):
        v = getattr(data, field)
        if v is not None and v not in values.allowed(element):
            problems.append(
                {"field": field, "message": "'{value}' is not a CAP value.", "params": {"value": v}}
            )
    if data.category is not None and data.category not in CATEGORIES:
        problems.append({"field": "category", "message": "Unknown event category."})
    for c in data.channels:
        if c not in values.profile()["channels"]:
            problems.append(
                {"field": "channels", "message": "Unknown channel code {value}.", "params": {"value": c}}
            )
    if data.expires and (data.effective or data.onset) and data.expires <= (data.effective or data.onset):
        problems.append({"field": "expires", "message": "The warning must expire after it starts."})
    if problems:
        raise ValidationFailed(details=problems)


def _jurisdiction(session: Session, principal: Principal, code: str | None) -> Jurisdiction:
    try:
        code = codes.normalise(code or principal.jurisdiction_code)
    except ValueError:
        raise _field_error("jurisdiction_code", N_("Unknown division code.")) from None
    writable(principal, code, Perm.WARNING_DRAFT)
    place = session.get(Jurisdiction, code)
    if place is None:
        raise _field_error("jurisdiction_code", N_("Unknown division code."))
    return place


def check_area(session: Session, place: Jurisdiction, area: AreaIn) -> list[str]:
    """Division codes of the area, normalised; refuse anything outside ``place`` (403)."""
    out: list[str] = []
    for raw in area.division_codes:
        try:
            code = codes.normalise(raw)
        except ValueError:
            raise _field_error("area.division_codes", N_("Unknown division code.")) from None
        if not code.startswith(place.code):
            raise OutOfJurisdiction(
                details=[
                    {
                        "field": "area.division_codes",
                        "message": "Outside {place}.",
                        "params": {"place": place.name},
                    }
                ]
            )
        if session.get(Jurisdiction, code) is None:
            raise _field_error("area.division_codes", N_("Unknown division code."))
        if code not in out:
            out.append(code)
    drawn = area_union(area.polygons, area.circles)
    if not drawn.is_empty:
        boundary_text = session.scalar(select(Jurisdiction.geometry).where(Jurisdiction.code == place.code))
        if boundary_text:
            boundary = from_geojson(boundary_text).buffer(0)
            outside = drawn.difference(boundary).area / drawn.area if drawn.area else 0.0
            if outside > AREA_OUTSIDE_TOLERANCE:
                raise OutOfJurisdiction(
                    details=[
                        {
                            "field": "area",
                            "message": "The drawn area reaches outside {place}.",
                            "params": {"place": place.name},
                        }
                    ]
                )
    if not out and drawn.is_empty:
        return []
    return out


def _area_desc(session: Session, place: Jurisdiction, division_codes: list[str], given: str) -> str:
    if given.strip():
        return given.strip()
    if division_codes:
        names = session.scalars(select(Jurisdiction.name).where(Jurisdiction.code.in_(division_codes))).all()
        return "、".join(names)
    return place.name


def build_infos(data: WarningIn, area: dict) -> list[dict]:
    """The zh-CN info (and an en-US one when English text is given) of a draft."""
    zh = {
        "language": "zh-CN",
        "categories": data.categories or ["Other"],
        "event": data.event,
        "response_types": data.response_types,
        "urgency": data.urgency or values.default_urgency(data.level),
        "severity": values.cap_severity(data.level),
        "certainty": data.certainty or "Likely",
        "audience": None,
        "event_codes": [["yingji:template", data.template_key]] if data.template_key else [],
        "effective": data.effective,
        "onset": data.onset,
        "expires": data.expires,
        "sender_name": data.sender_name or None,
        "headline": data.headline or None,
        "description": data.description or None,
        "instruction": data.instruction or None,
        "web": data.web or None,
        "contact": data.contact or None,
        "parameters": [],
        "areas": [area],
        "resources": [],
    }
    infos = [zh]
    if data.headline_en or data.description_en or data.instruction_en:
        tpl = values.template(data.template_key) or {}
        en = dict(zh, language="en-US", event=tpl.get("en") or data.event)
        en.update(headline=data.headline_en or None, description=data.description_en or None)
        en.update(instruction=data.instruction_en or None, sender_name=data.sender_name or None)
        infos.append(en)
    return infos


def _fill(session: Session, principal: Principal, warning: Warning, data: WarningIn) -> None:
    data = apply_template(data)
    _check_values(data)
    place = _jurisdiction(session, principal, data.jurisdiction_code)
    division_codes = check_area(session, place, data.area)
    area = {
        "area_desc": _area_desc(session, place, division_codes, data.area.area_desc),
        "polygons": data.area.polygons,
        "circles": data.area.circles,
        "geocodes": profile.geocodes_for(division_codes),
        "altitude": None,
        "ceiling": None,
    }
    warning.jurisdiction_code = place.code
    warning.level = data.level
    warning.category = data.category
    warning.event_type = data.template_key
    warning.template_key = data.template_key
    tpl = values.template(data.template_key)
    warning.locked_fields = list(tpl.get("locked", [])) if tpl else []
    warning.sender_code = profile.sender_code(place.code, data.sector)
    warning.sender = f"{warning.sender_code}@{sender_domain()}"
    warning.cap_status = data.cap_status
    warning.scope = "Public"
    warning.codes = list(data.channels)
    warning.note = data.note or None
    capmodel.set_infos(warning, build_infos(data, area))
    capmodel.sync_summary(warning)


def create_draft(session: Session, principal: Principal, data: WarningIn) -> Warning:
    """A new draft (msgType Alert) in the author's jurisdiction."""
    warning = Warning(
        status=S.DRAFT.value, origin="local", msg_type="Alert", author_user_id=principal.user_id, revision=1
    )
    _fill(session, principal, warning, data)
    session.add(warning)
    versions.record(session, warning, Action.CREATED, principal)
    return warning


def lock(session: Session, principal: Principal, warning_id: int) -> Warning:
    """The warning under a row lock, if the principal can see it (404 otherwise)."""
    warning = session.scalar(select(Warning).where(Warning.id == warning_id).with_for_update())
    if warning is None:
        raise NotFound()
    return visible(principal, warning)


def edit_draft(session: Session, principal: Principal, warning_id: int, data: WarningIn) -> Warning:
    """Change a draft; an edit based on an older revision is refused (409)."""
    warning = lock(session, principal, warning_id)
    writable(principal, warning.jurisdiction_code, Perm.WARNING_DRAFT)
    if warning.status != S.DRAFT:
        raise Conflict("Only a draft can be edited.")
    if data.revision is not None and data.revision != warning.revision:
        raise Conflict("This warning was changed by someone else; reload it.")
    _fill(session, principal, warning, data)
    warning.revision += 1
    versions.record(session, warning, Action.EDITED, principal)
    return warning


def form_of(warning: Warning) -> dict:
    """The compose form's values for an existing warning (the inverse of :func:`build_infos`)."""
    info = warning.primary_info
    area = info.areas[0] if info and info.areas else None
    en = next((i for i in warning.infos if (i.language or "").startswith("en")), None)
    return {
        "template_key": warning.template_key,
        "level": warning.level,
        "jurisdiction_code": warning.jurisdiction_code,
        "event": warning.event or "",
        "category": warning.category,
        "categories": list(info.categories) if info else [],
        "response_types": list(info.response_types or []) if info else [],
        "urgency": info.urgency if info else None,
        "certainty": info.certainty if info else None,
        "sector": profile.sector_of(warning.sender_code),
        "sender_name": warning.sender_name or "",
        "headline": warning.headline or "",
        "description": warning.description or "",
        "instruction": warning.instruction or "",
        "contact": (info.contact if info else None) or "",
        "web": (info.web if info else None) or "",
        "effective": warning.effective,
        "onset": warning.onset,
        "expires": warning.expires,
        "area": {
            "area_desc": area.area_desc if area else "",
            "polygons": list(area.polygons or []) if area else [],
            "circles": list(area.circles or []) if area else [],
            "division_codes": profile.division_codes(area.geocodes or []) if area else [],
        },
        "channels": list(warning.codes or []),
        "cap_status": warning.cap_status,
        "note": warning.note or "",
        "headline_en": (en.headline if en else None) or "",
        "description_en": (en.description if en else None) or "",
        "instruction_en": (en.instruction if en else None) or "",
        "revision": warning.revision,
    }
