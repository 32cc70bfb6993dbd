"""The inbox page, its unread badge, and the inbox API."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from yingji.auth.deps import CurrentPrincipal
from yingji.core.deps import DbSession
from yingji.core.i18n import N_
from yingji.notify import inbox
from yingji.notify.schemas import ChangedOut, InboxOut
from yingji.web import nav
from yingji.web.templating import render

router = APIRouter()
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


@router.get("/api/v1/inbox", tags=["inbox"], response_model=InboxOut)
def api_inbox(
    principal: CurrentPrincipal,
    session: DbSession,
    unread: bool = False,
    page: Annotated[int, Query(ge=1)] = 1,
) -> dict:
    result = inbox.messages(session, principal, unread_only=unread, page=page)
    return {
        "items": [
            {
                "id": m.id,
                "category": m.category,
                "severity": m.severity,
                "subject": m.subject,
                "body": m.body,
                "link": m.link,
                "created_at": m.created_at,
                "read_at": m.read_at,
            }
            for m in result.items
        ],
        "total": result.total,
        "unread": inbox.unread_count(session, principal),
    }


@router.post("/api/v1/inbox/{message_id}/read", tags=["inbox"], response_model=ChangedOut)
def api_mark_read(message_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    return {"changed": inbox.mark_read(session, principal, message_id)}
