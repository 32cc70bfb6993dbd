"""One warning's page: its CAP contents, chain, history, what 第六十四条 still misses, who it
would reach, and its lifecycle buttons (submit, approve, reject, return, publish, update, lift)."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.roles import Perm
from yingji.core.deps import DbSession
from yingji.core.errors import YingjiError
from yingji.core.i18n import N_, gettext
from yingji.geo import layers
from yingji.warnings import lifecycle, queries, recipients, values, versions
from yingji.warnings.codes import UNSENT, S
from yingji.warnings.forms import error_lines
from yingji.warnings.views.lists import common
from yingji.web.templating import render

router = APIRouter(include_in_schema=False)


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
        "edit": inside and status == S.DRAFT and principal.can(Perm.WARNING_DRAFT) and not as_sent,
        "submit": inside
        and status == S.DRAFT
        and principal.can(Perm.WARNING_DRAFT)
        and warning.origin == "local",
        "approve": inside and status == S.SUBMITTED and principal.can(Perm.WARNING_APPROVE) and not own_block,
        "reject": inside and status == S.SUBMITTED and principal.can(Perm.WARNING_APPROVE),
        "return": lifecycle.may_return(principal, warning),
        "publish": inside
        and principal.can(Perm.WARNING_PUBLISH)
        and (status == S.APPROVED or (direct and status in (S.DRAFT, S.SUBMITTED))),
        "update": inside and status == S.PUBLISHED and principal.can(Perm.WARNING_DRAFT),
        "lift": inside
        and status == S.PUBLISHED
        and principal.can(Perm.WARNING_PUBLISH)
        and pending_lift is None,
    }


def _detail(request: Request, principal, session, warning, errors: list[str] | None = None, status_code=200):
    pending = lifecycle.pending_lift(session, warning) if warning.status == S.PUBLISHED else None
    ctx = {
        "pending_lift": pending,
        "lift_needs_approval": values.requires_approval(warning.level),
        "w": warning,
        "chain": queries.chain(session, warning),
        "history": versions.history(session, warning.id),
        "missing": lifecycle.missing_contents(warning) if warning.status in UNSENT else [],
        "actions": _actions(principal, warning, pending),
        "area_json": area_json(warning),
        "divisions_json": layers.shapes_of(session, warning.area_codes()) or "",
        "area_codes": warning.area_codes(),
        "errors": errors or [],
        **common(),
    }
    return render(request, "warnings/detail.html", ctx, status_code=status_code)


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
