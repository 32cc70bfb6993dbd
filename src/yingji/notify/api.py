"""The inbox API (/api/v1/inbox): the signed-in user's messages and marking them read."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from yingji.auth.deps import CurrentPrincipal
from yingji.core.deps import DbSession
from yingji.notify import inbox
from yingji.notify.schemas import ChangedOut, InboxOut

router = APIRouter()


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
