"""Warning pages: the list, one warning with its actions (submit, approve, publish, update, lift),
CAP import; compose and the public pages live in their own modules."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Query, Request, UploadFile
from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.roles import Perm
from yingji.auth.scope import require
from yingji.core.deps import DbSession
from yingji.core.errors import NotFound, YingjiError
from yingji.core.i18n import N_, current_locale, gettext
from yingji.geo import layers
from yingji.org import places
from yingji.warnings import (
    authority,
    capimport,
    capxml,
    feedhosts,
    feeds,
    lifecycle,
    queries,
    recipients,
    values,
    versions,
)
from yingji.warnings.forms import error_lines
from yingji.warnings.schemas import FeedIn
from yingji.warnings.views_compose import router as compose_router
from yingji.warnings.views_public import router as public_router
from yingji.web import nav
from yingji.web.templating import render

router = APIRouter(include_in_schema=False)
router.include_router(compose_router)
router.include_router(public_router)

WARNINGS = N_("Warnings")  # 预警发布
nav.register(WARNINGS, nav.NavItem("warnings", N_("Warnings"), "/warnings", Perm.ORG_READ))
nav.register(
    WARNINGS, nav.NavItem("warnings-new", N_("Compose a warning"), "/warnings/new", Perm.WARNING_DRAFT)
)
nav.register(
    WARNINGS, nav.NavItem("warnings-import", N_("Import CAP"), "/warnings/import", Perm.WARNING_PUBLISH)
)
nav.register(
    WARNINGS,
    nav.NavItem(
        "warnings-sources", N_("Upstream feeds and authorities"), "/warnings/sources", Perm.WARNING_PUBLISH
    ),
)
nav.register(WARNINGS, nav.NavItem("warnings-public", N_("Public warning page"), "/public/warnings", None))

VIEW_LABELS = {
    "current": N_("In force"),
    "pending": N_("Awaiting approval or publishing"),
    "drafts": N_("Drafts"),
    "ended": N_("Ended"),
    "all": N_("All"),
}


def common() -> dict:
    """Labels every warning template uses."""
    return {
        "LEVELS": values.levels(),
        "STATUS_LABELS": lifecycle.STATUS_LABELS,
        "ACTION_LABELS": versions.ACTION_LABELS,
        "CAP": values.cap_values(),
        "CHANNELS": values.channel_labels(current_locale()),
        "ARTICLE_64": lifecycle.ARTICLE_64,
    }


@router.get("/warnings")
def list_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    view: str = "current",
    level: str | None = None,
    q: str = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
):
    found = queries.list_warnings(session, principal, view=view, level=level or None, q=q, page=page, size=30)
    ctx = {"page": found, "view": view, "level": level or "", "q": q, "VIEW_LABELS": VIEW_LABELS, **common()}
    ctx["areas"] = queries.area_codes(session, found.items)
    return render(request, "warnings/list.html", ctx)


def area_json(warning) -> str:
    """Polygons and circles of a warning for the page's map (``data-area``)."""
    areas = warning.all_areas()
    return json.dumps(
        {
            "polygons": [p for a in areas for p in (a.polygons or [])],
            "circles": [c for a in areas for c in (a.circles or [])],
        }
    )


def _actions(principal, warning, pending_lift=None) -> dict[str, bool]:
    inside = principal.covers(warning.jurisdiction_code)
    status = warning.status
    # Imported messages and lifts are sent as they are: never edited here, always through approval.
    as_sent = warning.origin != "local" or warning.msg_type == "Cancel"
    direct = lifecycle.can_publish_directly(warning) and not as_sent
    author = warning.author_user_id == principal.user_id
    own_block = values.requires_approval(warning.level) and author and values.approver_must_differ()
    return {
        "edit": inside and status == "draft" and principal.can(Perm.WARNING_DRAFT) and not as_sent,
        "submit": inside
        and status == "draft"
        and principal.can(Perm.WARNING_DRAFT)
        and warning.origin == "local",
        "approve": inside and status == "submitted" and principal.can(Perm.WARNING_APPROVE) and not own_block,
        "reject": inside and status == "submitted" and principal.can(Perm.WARNING_APPROVE),
        "return": lifecycle.may_return(principal, warning),
        "publish": inside
        and principal.can(Perm.WARNING_PUBLISH)
        and (status == "approved" or (direct and status in ("draft", "submitted"))),
        "update": inside and status == "published" and principal.can(Perm.WARNING_DRAFT),
        "lift": inside
        and status == "published"
        and principal.can(Perm.WARNING_PUBLISH)
        and pending_lift is None,
    }


def _detail(request: Request, principal, session, warning, errors: list[str] | None = None, status_code=200):
    pending = lifecycle.pending_lift(session, warning) if warning.status == "published" else None
    ctx = {
        "pending_lift": pending,
        "lift_needs_approval": values.requires_approval(warning.level),
        "w": warning,
        "chain": queries.chain(session, warning),
        "history": versions.history(session, warning.id),
        "missing": lifecycle.missing_contents(warning)
        if warning.status in ("draft", "submitted", "approved")
        else [],
        "actions": _actions(principal, warning, pending),
        "area_json": area_json(warning),
        "divisions_json": layers.shapes_of(session, warning.area_codes()) or "",
        "area_codes": warning.area_codes(),
        "errors": errors or [],
        **common(),
    }
    return render(request, "warnings/detail.html", ctx, status_code=status_code)


@router.get("/warnings/import")
def import_page(request: Request, principal: CurrentPrincipal):
    return render(request, "warnings/import.html", {"errors": [], "result": None, **common()})


@router.post("/warnings/import")
async def import_post(request: Request, principal: CurrentPrincipal, session: DbSession, file: UploadFile):
    data = capxml.as_utf8(await file.read(capxml.MAX_CAP_BYTES + 1))
    form = await request.form()
    relay = form.get("relay") == "1"
    try:
        result = capimport.import_message(
            session,
            principal,
            data,
            origin="import",
            origin_ref=(file.filename or "upload")[:300],
            relay=relay,
        )
    except capxml.CapRejected as exc:
        session.rollback()
        lines = [error_lines(exc)[0], *capxml.describe(exc, current_locale())]
        return render(request, "warnings/import.html", {"errors": lines, "result": None, **common()}, 422)
    except YingjiError as exc:
        session.rollback()
        if isinstance(exc, authority.AuthorityRefused):
            authority.record_refusal(session, principal, exc, exc.target, (file.filename or "upload")[:100])
        return render(
            request,
            "warnings/import.html",
            {"errors": error_lines(exc), "result": None, **common()},
            exc.status_code,
        )
    return RedirectResponse(
        f"/warnings/{result.warning.id}?imported={'dup' if result.duplicate else 'new'}", status_code=303
    )


# -- upstream feeds, the hosts they may come from, sender authorities --------------------------------
def _sources(request: Request, principal, session, errors: list[str] | None = None, status_code=200):
    feed_rows = feeds.list_feeds(session, principal)
    authorities = authority.list_authorities(session, principal) if principal.can(Perm.RULES_MANAGE) else []
    ctx = {
        "feeds": feed_rows,
        "hosts": feedhosts.list_hosts(session, principal),
        "authorities": authorities,
        "place_names": places.names(
            session, [f.jurisdiction_code for f in feed_rows] + [a.jurisdiction_code for a in authorities]
        ),
        "errors": errors or [],
    }
    return render(request, "warnings/sources.html", ctx, status_code=status_code)


@router.get("/warnings/sources")
def sources_page(request: Request, principal: CurrentPrincipal, session: DbSession):
    require(principal, Perm.WARNING_PUBLISH)
    return _sources(request, principal, session)


SOURCE_ACTIONS = {
    "feed-add": lambda s, p, f: feeds.create_feed(
        s,
        p,
        FeedIn(
            name=f.get("name", ""),
            url=f.get("url", ""),
            kind=f.get("kind") or "atom",
            relay=f.get("relay") == "1",
            interval_s=int(f.get("interval_s") or 300),
        ),
    ),
    "feed-delete": lambda s, p, f: feeds.delete_feed(s, p, int(f.get("id") or 0)),
    "host-add": lambda s, p, f: feedhosts.add_host(
        s, p, f.get("pattern", ""), f.get("allow_private") == "1", f.get("note", "")
    ),
    "host-delete": lambda s, p, f: feedhosts.remove_host(s, p, int(f.get("id") or 0)),
    "authority-add": lambda s, p, f: authority.add_authority(
        s,
        p,
        f.get("sender", ""),
        f.get("authority", ""),
        f.get("jurisdiction_code") or None,
        f.get("note", ""),
    ),
    "authority-delete": lambda s, p, f: authority.remove_authority(s, p, int(f.get("id") or 0)),
}


@router.post("/warnings/sources/{action}")
async def sources_post(action: str, request: Request, principal: CurrentPrincipal, session: DbSession):
    if action not in SOURCE_ACTIONS:
        raise NotFound()
    form = {k: str(v) for k, v in (await request.form()).items()}
    try:
        with session.begin_nested():
            SOURCE_ACTIONS[action](session, principal, form)
    except (ValidationError, ValueError):
        return _sources(request, principal, session, [gettext("The submitted data is not valid.")], 422)
    except YingjiError as exc:
        return _sources(request, principal, session, error_lines(exc, with_fields=False), exc.status_code)
    return RedirectResponse("/warnings/sources", status_code=303)


@router.get("/warnings/{warning_id}")
def detail_page(warning_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    return _detail(request, principal, session, queries.get_warning(session, principal, warning_id))


@router.get("/warnings/{warning_id}/preview")
def preview_partial(warning_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    warning = queries.get_warning(session, principal, warning_id)
    return render(request, "warnings/_preview.html", {"preview": recipients.preview(session, warning)})


REASON_MISSING = {
    "lift": N_("Give the reason for lifting."),
    "return": N_("Give the reason for returning the warning."),
}

ACTIONS = {
    "submit": lambda s, p, i, f: lifecycle.submit(s, p, i),
    "approve": lambda s, p, i, f: lifecycle.approve(s, p, i, str(f.get("note") or "")),
    "reject": lambda s, p, i, f: lifecycle.reject(s, p, i, str(f.get("note") or "")),
    "return": lambda s, p, i, f: lifecycle.return_for_edit(s, p, i, str(f.get("reason") or "")),
    "publish": lambda s, p, i, f: lifecycle.publish(s, p, i),
    "update": lambda s, p, i, f: lifecycle.start_update(s, p, i),
    "lift": lambda s, p, i, f: lifecycle.lift(s, p, i, str(f.get("reason") or "").strip()),
}


async def action_post(
    warning_id: int, action: str, request: Request, principal: CurrentPrincipal, session: DbSession
):
    """A lifecycle button; on refusal the page shows why (e.g. what 第六十四条 still needs)."""
    form = await request.form()
    if action in ("lift", "return") and not str(form.get("reason") or "").strip():
        warning = queries.get_warning(session, principal, warning_id)
        why = (
            "Give the reason for lifting."
            if action == "lift"
            else "Give the reason for returning the warning."
        )
        return _detail(request, principal, session, warning, [gettext(why)], 422)
    try:
        result = ACTIONS[action](session, principal, warning_id, form)
    except YingjiError as exc:
        session.rollback()
        warning = queries.get_warning(session, principal, warning_id)
        # The 第六十四条 refusal lists the missing items one per row, by name (no field codes).
        lines = error_lines(exc, with_fields=not isinstance(exc, lifecycle.ContentMissing))
        return _detail(request, principal, session, warning, lines, exc.status_code)
    target = result.id if action in ("update", "lift") else warning_id
    suffix = "/edit" if action == "update" else ""
    return RedirectResponse(f"/warnings/{target}{suffix}", status_code=303)


def _route(action: str):
    async def endpoint(warning_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
        return await action_post(warning_id, action, request, principal, session)

    endpoint.__name__ = f"warning_{action}_post"
    return endpoint


# One explicit route per action, so no catch-all shadows other domains' /warnings/{id}/… pages.
for _action in ACTIONS:
    router.add_api_route(f"/warnings/{{warning_id}}/{_action}", _route(_action), methods=["POST"])
