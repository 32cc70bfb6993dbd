"""The team dispatch panel of an incident (partial HTML, for the incident page): recommendations with
their reasons, a commit button, and the teams already sent."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.roles import Perm
from yingji.core.deps import DbSession
from yingji.core.errors import Conflict, ValidationFailed
from yingji.core.i18n import gettext
from yingji.forces import codes, team_dispatch
from yingji.forces.schemas import DispatchIn
from yingji.forces.views.common import page
from yingji.web.forms import in_savepoint

router = APIRouter(include_in_schema=False)


def _caps(values: list[str]) -> list[str] | None:
    found = [v for v in values if v in codes.CAPABILITIES]
    return found or None


def _panel(request, session, principal, incident_id: int, caps: list[str] | None, **extra):
    status_code = extra.pop("status_code", 200)
    incident, needs, recs = team_dispatch.recommend(
        session, principal, incident_id, capabilities=caps, limit=10
    )
    ctx = {
        "incident": incident,
        "needs": needs,
        "recommendations": recs,
        "dispatched": team_dispatch.dispatched(session, principal, incident.id),
        "client_key": uuid.uuid4().hex,
        "can_dispatch": principal.can(Perm.DISPATCH),
        "message": None,
        "error": None,
    } | extra
    return page(request, "forces/_dispatch.html", ctx, status_code=status_code)


@router.get("/incidents/{incident_id}/dispatch/teams")
def dispatch_panel(
    incident_id: int,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    capabilities: Annotated[list[str] | None, Query()] = None,
):
    """Recommended teams for the incident (nearest on-call teams with the needed capabilities)."""
    return _panel(request, session, principal, incident_id, _caps(capabilities or []))


@router.post("/incidents/{incident_id}/dispatch/teams")
def dispatch_commit(
    incident_id: int,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    client_key: Annotated[str, Form()],
    team_ids: Annotated[list[int] | None, Form()] = None,
    capabilities: Annotated[list[str] | None, Form()] = None,
):
    """Send the ticked teams; the panel comes back refreshed (htmx) or the incident page reloads."""
    caps = _caps(capabilities or [])
    try:
        data = DispatchIn(team_ids=team_ids or [], client_key=client_key, capabilities=caps)
    except ValidationError:
        error = gettext("Tick at least one team.")
        return _panel(request, session, principal, incident_id, caps, error=error, status_code=422)
    try:
        rows = in_savepoint(session, team_dispatch.commit, session, principal, incident_id, data)
    except (Conflict, ValidationFailed) as exc:
        error = gettext(exc.message, **exc.params)
        return _panel(request, session, principal, incident_id, caps, error=error, status_code=409)
    if not request.headers.get("hx-request"):
        return RedirectResponse(f"/incidents/{incident_id}", status_code=303)
    message = gettext("{count} teams dispatched.", count=len(rows))
    return _panel(request, session, principal, incident_id, caps, message=message)
