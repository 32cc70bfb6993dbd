"""The audit log page: every recorded change in the user's jurisdiction, by entity and id."""

from __future__ import annotations

from fastapi import APIRouter, Request

from yingji.auth import audit, demo_accounts
from yingji.auth.deps import CurrentPrincipal
from yingji.core.deps import DbSession
from yingji.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/audit")
def audit_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    entity: str | None = None,
    entity_id: str | None = None,
    page: int = 1,
):
    result = audit.search(
        session, principal, entity=entity or None, entity_id=entity_id or None, page=max(page, 1)
    )
    return render(
        request,
        "audit.html",
        {
            "page": result,
            "entity": entity or "",
            "entity_id": entity_id or "",
            "demo_logins": demo_accounts.warning(request.app.state.db),
        },
    )
