"""The compose page: template, level, texts, the area (map drawing or divisions), a live preview of
who it reaches; the same form edits a draft."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, require
from yingji.core.deps import DbSession
from yingji.core.errors import Conflict, NotFound, YingjiError
from yingji.core.i18n import current_locale
from yingji.org import codes
from yingji.org.models import Jurisdiction
from yingji.warnings import capmodel, compose, forms, queries, recipients, values
from yingji.warnings.models import Warning
from yingji.web.templating import render

router = APIRouter(include_in_schema=False)
MAX_DIVISIONS_LISTED = 3000


def _place(session: Session, principal: Principal, code: str | None) -> Jurisdiction | None:
    try:
        wanted = codes.normalise(code) if code else principal.jurisdiction_code
    except ValueError:
        raise NotFound() from None
    if wanted and not principal.covers(wanted):
        raise NotFound()
    return session.get(Jurisdiction, wanted) if wanted else None


def _divisions(session: Session, place: Jurisdiction | None) -> list[Jurisdiction]:
    """Towns and villages under the issuer's jurisdiction, for choosing the area by division."""
    if place is None:
        return []
    stmt = (
        select(Jurisdiction)
        .where(
            Jurisdiction.code.startswith(place.code), Jurisdiction.level.in_(("county", "town", "village"))
        )
        .where(Jurisdiction.code != place.code)
        .order_by(Jurisdiction.code)
        .limit(MAX_DIVISIONS_LISTED)
    )
    return list(session.scalars(stmt))


def _form_page(
    request: Request,
    session: Session,
    principal: Principal,
    form: dict,
    *,
    warning: Warning | None = None,
    errors: list[str] | None = None,
    status_code: int = 200,
):
    place = _place(session, principal, form.get("jurisdiction_code"))
    boundary = (
        session.scalar(select(Jurisdiction.geometry).where(Jurisdiction.code == place.code))
        if place
        else None
    )
    ctx = {
        "form": form,
        "w": warning,
        "place": place,
        "boundary": boundary or "",
        "divisions": _divisions(session, place),
        "templates": values.templates(),
        "templates_json": json.dumps(values.templates(), ensure_ascii=False),
        "LEVELS": values.levels(),
        "CAP": values.cap_values(),
        "CHANNELS": values.channel_labels(current_locale()),
        "SECTORS": values.profile()["sender_code"]["sectors"],
        "area_json": json.dumps({"polygons": form["area"]["polygons"], "circles": form["area"]["circles"]}),
        "errors": errors or [],
    }
    return render(request, "warnings/compose.html", ctx, status_code=status_code)


def _blank(principal: Principal, template_key: str | None, place: Jurisdiction | None) -> dict:
    tpl = values.template(template_key) or {}
    return {
        "template_key": template_key or "",
        "level": "blue",
        "jurisdiction_code": place.code if place else principal.jurisdiction_code,
        "event": tpl.get("event", ""),
        "category": tpl.get("category", "natural"),
        "categories": tpl.get("categories", []),
        "response_types": tpl.get("response_types", []),
        "urgency": None,
        "certainty": tpl.get("certainty"),
        "sector": tpl.get("sector"),
        "sender_name": "",
        "headline": "",
        "description": "",
        "instruction": "",
        "contact": "",
        "web": "",
        "effective": None,
        "onset": None,
        "expires": None,
        "area": {"area_desc": "", "polygons": [], "circles": [], "division_codes": []},
        "channels": tpl.get("channels", []),
        "cap_status": "Actual",
        "note": "",
        "headline_en": "",
        "description_en": "",
        "instruction_en": "",
        "revision": None,
    }


@router.get("/warnings/new")
def new_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    template: str | None = None,
    within: str | None = None,
):
    require(principal, Perm.WARNING_DRAFT)
    place = _place(session, principal, within)
    return _form_page(request, session, principal, _blank(principal, template, place))


@router.post("/warnings/new")
async def new_post(request: Request, principal: CurrentPrincipal, session: DbSession):
    raw = await forms.read(request)
    try:
        warning = compose.create_draft(session, principal, forms.parse(raw))
    except YingjiError as exc:
        session.rollback()
        merged = {**_blank(principal, raw.get("template_key"), None), **raw}
        return _form_page(
            request, session, principal, merged, errors=forms.error_lines(exc), status_code=exc.status_code
        )
    return RedirectResponse(f"/warnings/{warning.id}", status_code=303)


@router.get("/warnings/{warning_id}/edit")
def edit_page(warning_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    warning = queries.get_warning(session, principal, warning_id)
    if warning.status != "draft":
        raise Conflict("Only a draft can be edited.")
    return _form_page(request, session, principal, compose.form_of(warning), warning=warning)


@router.post("/warnings/{warning_id}/edit")
async def edit_post(warning_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    raw = await forms.read(request)
    try:
        warning = compose.edit_draft(session, principal, warning_id, forms.parse(raw))
    except YingjiError as exc:
        session.rollback()
        warning = queries.get_warning(session, principal, warning_id)
        merged = {**compose.form_of(warning), **raw}
        return _form_page(
            request,
            session,
            principal,
            merged,
            warning=warning,
            errors=forms.error_lines(exc),
            status_code=exc.status_code,
        )
    return RedirectResponse(f"/warnings/{warning.id}", status_code=303)


@router.post("/warnings/compose-preview")
async def compose_preview(request: Request, principal: CurrentPrincipal, session: DbSession):
    """Who the form's area would reach, without saving anything (htmx, on change)."""
    require(principal, Perm.WARNING_DRAFT)
    raw = await forms.read(request)
    try:
        data = compose.apply_template(forms.parse(raw))
        place = compose._jurisdiction(session, principal, data.jurisdiction_code)
        division_codes = compose.check_area(session, place, data.area)
    except YingjiError as exc:
        return render(request, "warnings/_preview.html", {"preview": None, "errors": forms.error_lines(exc)})
    transient = Warning(jurisdiction_code=place.code, level=data.level, status="draft", msg_type="Alert")
    area = {
        "area_desc": data.area.area_desc or place.name,
        "polygons": data.area.polygons,
        "circles": data.area.circles,
        "geocodes": [["行政区划代码", codes.division_code_12(c)] for c in division_codes],
        "altitude": None,
        "ceiling": None,
    }
    capmodel.set_infos(transient, compose.build_infos(data, area))
    try:
        preview = recipients.preview(session, transient)
    finally:
        session.rollback()
    return render(request, "warnings/_preview.html", {"preview": preview, "errors": []})
