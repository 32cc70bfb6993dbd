"""The compose page: template, level, texts, the area (map drawing or divisions), a live preview of
who it reaches; the same form edits a draft."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, require
from yingji.core.deps import DbSession
from yingji.core.errors import Conflict, NotFound, YingjiError
from yingji.core.i18n import current_locale
from yingji.geo import simplify
from yingji.org import codes, places
from yingji.org.models import Jurisdiction
from yingji.warnings import capmodel, compose, forms, queries, recipients, values
from yingji.warnings.codes import S
from yingji.warnings.models import Warning
from yingji.web.templating import render

router = APIRouter(include_in_schema=False)
TREE_LEVELS = ("county", "town", "village")  # a warning's area is named down to the village
MAX_FOUND = 40  # search-as-you-type answers shown at once
OUTLINE_BAND = {"province": 0, "city": 0, "county": 1}  # town and below: band 2


def _place(session: Session, principal: Principal, code: str | None) -> Jurisdiction | None:
    try:
        wanted = codes.normalise(code) if code else principal.jurisdiction_code
    except ValueError:
        raise NotFound() from None
    if wanted and not principal.covers(wanted):
        raise NotFound()
    return session.get(Jurisdiction, wanted) if wanted else None


def _chosen(session: Session, codes_: list[str]) -> list[dict]:
    """The divisions already in the area, with their names and paths (the chips above the tree)."""
    wanted = [c for c in codes_ if c]
    names = places.names(session, [a for c in wanted for a in codes.ancestors(c)] + wanted)
    return [{"code": c, "name": names.get(c, c), "path": _path(c, names)} for c in wanted]


def _path(code: str, names: dict[str, str], top: str = "") -> str:
    """The enclosing divisions below ``top`` (county · town), for telling same-named places apart."""
    return " · ".join(names[a] for a in codes.ancestors(code) if a in names and len(a) > len(top))


def _outline(session: Session, place: Jurisdiction | None) -> str:
    """The issuer's boundary for the map, simplified for the zoom the map opens at (a county outline
    as stored is ~135 KB; the page's whole budget is 200 KB)."""
    if place is None:
        return ""
    text = session.scalar(select(Jurisdiction.geometry).where(Jurisdiction.code == place.code))
    if not text:
        return ""
    return simplify.simplified(place.code, text, OUTLINE_BAND.get(place.level, 2))


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
    ctx = {
        "form": form,
        "w": warning,
        "place": place,
        "boundary": _outline(session, place),
        "chosen": _chosen(session, list(form["area"].get("division_codes") or [])),
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
    if warning.status != S.DRAFT:
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


@router.get("/warnings/compose-divisions")
def compose_divisions(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    within: str | None = None,
    parent: str | None = None,
    q: str = "",
):
    """One level of the division tree (the children of ``parent``), or the divisions whose name
    holds ``q``, inside the issuer's place: loaded as the author opens a branch or types, so the
    page never carries thousands of hidden checkboxes."""
    require(principal, Perm.WARNING_DRAFT)
    place = _place(session, principal, within)
    if place is None:
        raise NotFound()
    q = q.strip()[:50]
    stmt = select(Jurisdiction).where(Jurisdiction.level.in_(TREE_LEVELS))
    if q:
        stmt = stmt.where(
            Jurisdiction.code.startswith(place.code),
            Jurisdiction.code != place.code,
            Jurisdiction.name.contains(q, autoescape=True),
        ).order_by(func.length(Jurisdiction.code), Jurisdiction.code)
        rows = list(session.scalars(stmt.limit(MAX_FOUND + 1)))
    else:
        try:
            under = codes.normalise(parent) if parent else place.code
        except ValueError:
            raise NotFound() from None
        if not under.startswith(place.code):
            raise NotFound()
        rows = list(
            session.scalars(stmt.where(Jurisdiction.parent_code == under).order_by(Jurisdiction.code))
        )
    more = len(rows) > MAX_FOUND if q else False
    rows = rows[:MAX_FOUND] if q else rows
    names = places.names(session, [a for r in rows for a in codes.ancestors(r.code)]) if q else {}
    items = [
        {
            "code": r.code,
            "name": r.name,
            "level": r.level,
            "path": _path(r.code, names, place.code) if q else "",
            "branch": r.level != TREE_LEVELS[-1],
        }
        for r in rows
    ]
    return render(
        request, "warnings/_divisions.html", {"items": items, "q": q, "more": more, "within": place.code}
    )


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
    transient = Warning(
        jurisdiction_code=place.code, level=data.level, status=S.DRAFT.value, msg_type="Alert"
    )
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
