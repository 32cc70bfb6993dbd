"""Incident pages of the handling: the list, the live report inbox, the duty-board panels, the
incident page and its one-click actions (acknowledge, forward, verify, merge)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse
from markupsafe import Markup

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.roles import Perm
from yingji.core.deps import DbSession
from yingji.core.errors import NotFound, ValidationFailed
from yingji.incidents import (
    chain,
    deadlines,
    duplicates,
    labels,
    levels,
    listing,
    owners,
    photos,
    status,
)
from yingji.incidents.api import duplicate_options
from yingji.incidents.codes import ReceiptHow
from yingji.ownership import lists
from yingji.web.templating import fragment, kept, render

router = APIRouter(include_in_schema=False)


def _ctx(**extra) -> dict:
    return {"L": labels.Labels} | extra


def _optional_date(value: str | None, field: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(details=[{"field": field, "message": "This value is not valid."}]) from None


# -- the list -----------------------------------------------------------------------------------
@router.get("/incidents")
def list_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    status_: Annotated[str | None, Query(alias="status")] = None,
    category: str | None = None,
    grade: str | None = None,
    within: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    q: str | None = None,
    after: str | None = None,
    drill: Annotated[str | None, Query(pattern="^(real|drill)?$")] = None,
):
    f = listing.Filters(
        status_ or None,
        category or None,
        grade or None,
        within or None,
        _optional_date(date_from, "date_from"),
        _optional_date(date_to, "date_to"),
        q or None,
        drill=drill or None,
    )

    def rows() -> Markup:
        page = listing.search(session, principal, f, after=after, size=50)
        owners = listing.shown_owners(session, principal, page.items)
        return fragment(request, "incidents/_list_rows.html", _ctx(page=page, owners=owners))

    # the rows depend on the reader's jurisdiction only (scope, the owner shown, place paths)
    ctx = _ctx(
        rows=kept(listing.pages, request, rows, request.url.query),
        f=f,
        raw={"date_from": date_from or "", "date_to": date_to or ""},
        statuses=status.STATUSES,
        categories=labels.category_choices(),
    )
    return render(request, "incidents/list.html", ctx)


# -- the live inbox and the duty-board panels ----------------------------------------------------
def _inbox_ctx(request: Request, session, principal, limit: int) -> dict:
    options = duplicate_options(request) if principal.can(Perm.INCIDENT_MANAGE) else None
    rows = listing.inbox(session, principal, limit=limit, duplicate_options=options)
    my_level = levels.level_of(principal.jurisdiction_code)
    return _ctx(rows=rows, can_receive=my_level in levels.RECEIVING and principal.can(Perm.INCIDENT_REPORT))


@router.get("/incidents/inbox")
def inbox_page(request: Request, principal: CurrentPrincipal, session: DbSession):
    return render(request, "incidents/inbox.html", _inbox_ctx(request, session, principal, 50))


@router.get("/incidents/inbox/items")
def inbox_items(request: Request, principal: CurrentPrincipal, session: DbSession):
    """The inbox rows (htmx polls this every few seconds)."""
    return render(request, "incidents/_inbox_items.html", _inbox_ctx(request, session, principal, 50))


@router.get("/incidents/panel/inbox")
def panel_inbox(request: Request, principal: CurrentPrincipal, session: DbSession):
    """Recent reports in scope, for the duty board (partial HTML)."""
    return render(request, "incidents/_panel_inbox.html", _inbox_ctx(request, session, principal, 10))


@router.get("/incidents/panel/overdue")
def panel_overdue(request: Request, principal: CurrentPrincipal, session: DbSession):
    """Overdue reporting deadlines in scope, for the duty board (partial HTML)."""
    return render(request, "incidents/_panel_overdue.html", _ctx(rows=listing.overdue(session, principal)))


# -- one incident -------------------------------------------------------------------------------
@router.get("/incidents/{incident_id:int}")
def incident_page(incident_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    incident = listing.get(session, principal, incident_id)
    receipts = deadlines.receipts_of(session, incident.id)
    my_level = levels.level_of(principal.jurisdiction_code)
    can_report = principal.can(Perm.INCIDENT_REPORT) and principal.covers(incident.jurisdiction_code)
    can_manage = principal.can(Perm.INCIDENT_MANAGE) and principal.covers(incident.jurisdiction_code)
    usable = incident.merged_into_id is None and incident.status != status.IncidentStatus.CLOSED
    # a level the incident was sent up to (上报) has not taken it in until one of its officers accepts it
    mine = receipts.get(my_level)
    pending_here = mine is None or (
        mine.how == ReceiptHow.FORWARDED and not listing.taken_here(session, principal, incident.id)
    )
    ctx = _ctx(
        incident=incident,
        deadlines=deadlines.deadlines_of(session, incident.id),
        receipts=sorted(receipts.values(), key=lambda r: levels.RANK.get(r.level, 0)),
        photos=photos.photos_of(session, incident.id),
        events=listing.timeline_of(session, incident.id),
        place_level=levels.level_of(incident.jurisdiction_code),
        can_report=can_report and usable,
        can_manage=can_manage and incident.merged_into_id is None,
        can_receive=can_report and usable and my_level in levels.RECEIVING and pending_here,
        forward_to=[
            lv for lv in levels.chain_above(incident.jurisdiction_code, my_level) if lv not in receipts
        ]
        if can_report and usable and my_level in levels.RECEIVING
        else [],
        can_verify=can_manage
        and status.can_move(incident.status, status.IncidentStatus.VERIFIED)
        and incident.merged_into_id is None,
        candidates=duplicates.of_incident(session, principal, incident, **duplicate_options(request))
        if can_manage and usable
        else [],
    ) | lists.panel_ctx(session, principal, owners.KIND, incident.id, f"/incidents/{incident.id}#owner")
    return render(request, "incidents/incident.html", ctx)


def _back(incident_id: int, next_url: str | None) -> RedirectResponse:
    target = next_url if next_url and next_url.startswith("/incidents") and "//" not in next_url else None
    return RedirectResponse(target or f"/incidents/{incident_id}", status_code=303)


@router.post("/incidents/{incident_id:int}/acknowledge")
def acknowledge_action(
    incident_id: int, principal: CurrentPrincipal, session: DbSession, next: Annotated[str, Form()] = ""
):
    chain.acknowledge(session, principal, incident_id)
    return _back(incident_id, next)


@router.post("/incidents/{incident_id:int}/forward")
def forward_action(
    incident_id: int,
    principal: CurrentPrincipal,
    session: DbSession,
    to: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
):
    if to and to not in levels.RECEIVING:
        raise ValidationFailed(details=[{"field": "to", "message": "Forward to a level above your own."}])
    chain.forward(session, principal, incident_id, to or None)
    return _back(incident_id, next)


@router.post("/incidents/{incident_id:int}/verify")
def verify_action(incident_id: int, principal: CurrentPrincipal, session: DbSession):
    chain.verify(session, principal, incident_id)
    return _back(incident_id, None)


@router.post("/incidents/{incident_id:int}/merge")
def merge_action(
    incident_id: int,
    principal: CurrentPrincipal,
    session: DbSession,
    duplicate_id: Annotated[str, Form()] = "",
):
    if not duplicate_id.isdigit():
        raise NotFound()
    kept = duplicates.merge(session, principal, incident_id, int(duplicate_id))
    return _back(kept.id, None)
