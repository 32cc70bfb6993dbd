"""The inbox page and its unread badge. The inbox API is ``notify.api`` (included here until the
domain registry names it)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from yingji.auth.deps import CurrentPrincipal
from yingji.core.deps import DbSession
from yingji.core.i18n import N_
from yingji.notify import api, inbox
from yingji.web import nav
from yingji.web.templating import render

router = APIRouter()
router.include_router(api.router)
nav.register(N_("Command"), nav.NavItem("inbox", N_("Inbox"), "/inbox", None))


@router.get("/inbox", include_in_schema=False)
def inbox_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    unread: bool = False,
    page: Annotated[int, Query(ge=1)] = 1,
):
    result = inbox.messages(session, principal, unread_only=unread, page=page)
    return render(request, "notify/inbox.html", {"page": result, "unread": unread})


@router.get("/inbox/badge", include_in_schema=False)
def inbox_badge(principal: CurrentPrincipal, session: DbSession) -> HTMLResponse:
    """The unread count for the top bar (htmx polls it)."""
    n = inbox.unread_count(session, principal)
    return HTMLResponse(f'<span class="badge badge-red">{n}</span>' if n else "")


@router.post("/inbox/read", include_in_schema=False)
def inbox_read_all(principal: CurrentPrincipal, session: DbSession):
    inbox.mark_read(session, principal)
    return RedirectResponse("/inbox", status_code=303)
