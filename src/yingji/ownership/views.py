"""Ownership pages: 我的接报 (one's own items), and the hand-over and acceptance forms of the owner
panel that item pages include (``ownership/_panel.html``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.roles import Perm
from yingji.core.deps import DbSession
from yingji.core.errors import ValidationFailed
from yingji.core.i18n import N_
from yingji.ownership import handing, lists
from yingji.web import nav
from yingji.web.templating import render

router = APIRouter(include_in_schema=False)
# Shown to those who take items in at a desk (the viewer and field roles own nothing).
nav.register(
    N_("Command"), nav.NavItem("owner-mine", N_("My items"), "/ownership/mine", Perm.DUTY_REPORT, order=-1)
)


def _back(next_url: str) -> RedirectResponse:
    """Back to the page the form was on (only a local path)."""
    safe = next_url.startswith("/") and not next_url.startswith("//") and "\\" not in next_url
    return RedirectResponse(next_url if safe else "/ownership/mine", status_code=303)


@router.get("/ownership/mine")
def mine_page(request: Request, principal: CurrentPrincipal, session: DbSession):
    return render(request, "ownership/mine.html", {"rows": lists.mine(session, principal)})


@router.post("/ownership/owned/{owned_id}/handover")
def handover_action(
    owned_id: int,
    principal: CurrentPrincipal,
    session: DbSession,
    to_user_id: Annotated[str, Form()] = "",
    note: Annotated[str, Form(max_length=500)] = "",
    expected_owner_id: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
):
    if not to_user_id.isdigit():
        raise ValidationFailed(details=[{"field": "to_user_id", "message": "Choose an active user by name."}])
    handing.hand_over(
        session,
        principal,
        owned_id,
        int(to_user_id),
        note=note,
        expected_owner_id=int(expected_owner_id) if expected_owner_id.isdigit() else None,
    )
    return _back(next)


@router.post("/ownership/handovers/{handover_id}/accept")
def accept_action(
    handover_id: int, principal: CurrentPrincipal, session: DbSession, next: Annotated[str, Form()] = ""
):
    handing.accept(session, principal, handover_id)
    return _back(next)
