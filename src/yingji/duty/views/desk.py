"""Duty pages of the desk: the handover log (交接班), leader leave (领导外出请假报备) and the call log
(值班来电登记)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.downloads import audited_download
from yingji.auth.roles import Perm
from yingji.core import clock
from yingji.core.deps import Db, DbSession
from yingji.core.errors import NotFound, YingjiError
from yingji.duty import calls, handover, leave, oncall, rosters
from yingji.duty.codes import OUTCOME_LABELS, CallOutcome
from yingji.duty.common import LEAVE_STATUS_LABELS, ROLE_LABELS
from yingji.duty.forms import (
    day_or_none,
    errors_of,
    field,
    is_form_error,
    local_datetime,
    number,
    optional,
    person_by_mobile,
)
from yingji.duty.schemas import (
    CallIn,
    CallOutcomeIn,
    HandoverConfirm,
    HandoverIn,
    ItemClose,
    LeaveDecision,
    LeaveIn,
)
from yingji.ownership import handing, lists
from yingji.web.templating import render

router = APIRouter(include_in_schema=False)


def _in_savepoint(session, fn, *args):
    with session.begin_nested():
        return fn(*args)


# -- handover -------------------------------------------------------------------------------
def _handover_page(
    request, principal, session, roster_id: int | None, errors=None, status_code=200, form=None
):
    items = rosters.search(session, principal)
    if roster_id is None:
        own = [r for r in items if r.jurisdiction_code == principal.jurisdiction_code] or items
        roster_id = own[0].id if own else None
    roster = rosters.get(session, principal, roster_id) if roster_id is not None else None
    ctx = {"rosters": items, "roster": roster, "errors": errors or [], "role_labels": ROLE_LABELS}
    if roster is not None:
        history = handover.history(session, principal, roster.id, size=10)
        owned = handover.owned_items(session, principal, roster)
        ctx |= {
            "owned": owned,
            "owned_info": handing.describe(session, owned),
            "incoming": handover.incoming_choices(session, roster, principal),
            "handed": (handed := handover.handed_in(session, [h.id for h in history.items])),
            "handed_info": handing.describe_entries(session, [e for v in handed.values() for e in v]),
            "current": oncall.current_shifts(session, [roster])[0] if roster.rotations else None,
            "shift_date": handover.shift_date_now(roster),
            "open_items": handover.open_items(session, roster),
            "history": history,
            "history_items": {h.id: handover.items_of(session, h) for h in history.items},
            "written_now": any(h.shift_date == handover.shift_date_now(roster) for h in history.items),
            "form": form or {},
            "client_key": uuid.uuid4().hex,
        }
    return render(request, "duty/handover.html", ctx, status_code=status_code)


@router.get("/duty/handover")
def handover_page(
    request: Request, principal: CurrentPrincipal, session: DbSession, roster: int | None = None
):
    """The handover of a roster: open items, the form, the log."""
    return _handover_page(request, principal, session, roster)


@router.post("/duty/handover/{roster_id}")
async def handover_write(roster_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    """Hand over the shift from the form."""
    form = await request.form()
    values = {k: field(form, k) for k in ("summary", "new_items", "shift_date", "client_key", "to_user_id")}
    try:
        data = HandoverIn(
            shift_date=day_or_none(values["shift_date"]),
            summary=values["summary"],
            new_items=values["new_items"].splitlines(),
            close_item_ids=[int(x) for x in form.getlist("close") if str(x).isdigit()],
            client_key=values["client_key"] or None,
            to_user_id=int(values["to_user_id"]) if values["to_user_id"].isdigit() else None,
            hand_owned_ids=[int(x) for x in form.getlist("hand") if str(x).isdigit()],
        )
        await run_in_threadpool(_in_savepoint, session, handover.write, session, principal, roster_id, data)
    except (ValidationError, YingjiError) as exc:
        if not is_form_error(exc):
            raise
        return _handover_page(request, principal, session, roster_id, errors_of(exc), 422, values)
    return RedirectResponse(f"/duty/handover?roster={roster_id}", status_code=303)


@router.post("/duty/handover/confirm/{handover_id}")
async def handover_confirm(
    handover_id: int, request: Request, principal: CurrentPrincipal, session: DbSession
):
    """Confirm taking over."""
    form = await request.form()
    h = await run_in_threadpool(
        handover.confirm, session, principal, handover_id, HandoverConfirm(note=optional(form, "note"))
    )
    return RedirectResponse(f"/duty/handover?roster={h.roster_id}", status_code=303)


@router.post("/duty/handover/item/{item_id}/close")
async def handover_item_close(
    item_id: int, request: Request, principal: CurrentPrincipal, session: DbSession
):
    """Close an open item."""
    form = await request.form()
    item = await run_in_threadpool(
        handover.close_item, session, principal, item_id, ItemClose(note=optional(form, "note"))
    )
    return RedirectResponse(f"/duty/handover?roster={item.roster_id}", status_code=303)


# -- leave ----------------------------------------------------------------------------------
def _leave_page(request, principal, session, *, status=None, page=1, errors=None, form=None, status_code=200):
    result = leave.search(session, principal, status=status or None, page=page, size=30)
    units = [r.unit for r in rosters.search(session, principal)]
    return render(
        request,
        "duty/leave.html",
        {
            "page": result,
            "status": status or "",
            "labels": LEAVE_STATUS_LABELS,
            "can_decide": {lv.id: leave.is_superior(session, principal, lv) for lv in result.items},
            "units": units,
            "errors": errors or [],
            "form": form or {},
            "client_key": uuid.uuid4().hex,
            "can_report": principal.can(Perm.DUTY_REPORT),
        },
        status_code=status_code,
    )


@router.get("/duty/leave")
def leave_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    status: Annotated[str | None, Query(pattern="^(|pending|approved|rejected|cancelled)$")] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
):
    """Leader leaves: list, decisions, the report form."""
    return _leave_page(request, principal, session, status=status, page=page)


LEAVE_FIELDS = ("person", "unit_id", "starts_at", "ends_at", "destination", "reason", "deputy", "client_key")


@router.post("/duty/leave")
async def leave_report(request: Request, principal: CurrentPrincipal, session: DbSession):
    """File a leave from the form."""
    form = await request.form()
    values = {k: field(form, k) for k in LEAVE_FIELDS}

    def build() -> LeaveIn:
        return LeaveIn(
            person_id=person_by_mobile(session, principal, values["person"], "person") or 0,
            unit_id=number(form, "unit_id", 0),
            starts_at=local_datetime(values["starts_at"]),
            ends_at=local_datetime(values["ends_at"]),
            destination=values["destination"],
            reason=values["reason"] or None,
            deputy_person_id=person_by_mobile(session, principal, values["deputy"], "deputy"),
            client_key=values["client_key"] or None,
        )

    try:
        data = await run_in_threadpool(build)
        await run_in_threadpool(_in_savepoint, session, leave.report, session, principal, data)
    except (ValidationError, YingjiError) as exc:
        if isinstance(exc, NotFound) or not is_form_error(exc):
            raise
        return _leave_page(request, principal, session, errors=errors_of(exc), form=values, status_code=422)
    return RedirectResponse("/duty/leave", status_code=303)


@router.post("/duty/leave/{leave_id}/decide")
async def leave_decide(leave_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    """Approve or reject a leave."""
    form = await request.form()
    decision = LeaveDecision(approve=field(form, "approve") == "1", note=optional(form, "note"))
    await run_in_threadpool(leave.decide, session, principal, leave_id, decision)
    return RedirectResponse("/duty/leave", status_code=303)


@router.post("/duty/leave/{leave_id}/cancel")
def leave_cancel(leave_id: int, principal: CurrentPrincipal, session: DbSession):
    """Withdraw a leave."""
    leave.cancel(session, principal, leave_id)
    return RedirectResponse("/duty/leave", status_code=303)


# -- the call log (值班来电登记) ----------------------------------------------------------------
CALL_FIELDS = (
    "received_at",
    "caller_name",
    "caller_phone",
    "summary",
    "outcome",
    "incident_number",
    "transferred_to",
    "outcome_note",
    "client_key",
)


def _call_filters(outcome, date_from, date_to, q, mine) -> calls.CallFilters:
    return calls.CallFilters(
        outcome=outcome or None,
        date_from=day_or_none(date_from),
        date_to=day_or_none(date_to),
        q=q or None,
        mine=mine == "1",
    )


def _calls_page(
    request, principal, session, f, raw, *, page=1, show=None, errors=None, form=None, status=200
):
    result = calls.search(session, principal, f, page=page)
    shown = calls.get(session, principal, show) if show else None
    ctx = {
        "page": result,
        "rows": calls.outs(session, principal, result.items),
        "f": raw,
        "outcomes": OUTCOME_LABELS,
        "errors": errors or [],
        "form": form or {},
        "client_key": uuid.uuid4().hex,
        "now": clock.to_local(clock.now()).strftime("%Y-%m-%dT%H:%M"),
        "can_log": principal.can(Perm.DUTY_REPORT),
        "shown": calls.outs(session, principal, [shown])[0] if shown else None,
    }
    if shown is not None:
        ctx |= lists.panel_ctx(session, principal, calls.KIND, shown.id, f"/duty/calls?show={shown.id}#owner")
    return render(request, "duty/calls.html", ctx, status_code=status)


OutcomeQ = Annotated[str | None, Query(pattern="^(|" + "|".join(o.value for o in CallOutcome) + ")$")]


@router.get("/duty/calls")
def calls_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    outcome: OutcomeQ = None,
    date_from: str | None = None,
    date_to: str | None = None,
    q: Annotated[str | None, Query(max_length=60)] = None,
    mine: str | None = None,
    show: int | None = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
):
    """The duty desk's call log: the form, the filtered list, one call with its owner."""
    raw = {"outcome": outcome or "", "date_from": date_from or "", "date_to": date_to or "", "q": q or ""}
    raw["mine"] = mine or ""
    f = _call_filters(outcome, date_from, date_to, q, mine)
    return _calls_page(request, principal, session, f, raw, page=page, show=show)


@router.get("/duty/calls/export")
def calls_export(
    principal: CurrentPrincipal,
    session: DbSession,
    db: Db,
    outcome: OutcomeQ = None,
    date_from: str | None = None,
    date_to: str | None = None,
    q: Annotated[str | None, Query(max_length=60)] = None,
    mine: str | None = None,
):
    """The filtered call log as Excel (audited)."""
    f = _call_filters(outcome, date_from, date_to, q, mine)
    body = calls.sheet(session, principal, f)
    return audited_download(
        db,
        principal,
        body,
        entity="duty_calls",
        filename="duty-calls.xlsx",
        jurisdiction_code=principal.jurisdiction_code,
        note=f"outcome={outcome} from={date_from} to={date_to} q={q}",
    )


def _call_in(form) -> CallIn:
    return CallIn(
        received_at=local_datetime(field(form, "received_at")),
        caller_name=optional(form, "caller_name"),
        caller_phone=optional(form, "caller_phone"),
        summary=field(form, "summary"),
        outcome=field(form, "outcome") or CallOutcome.PENDING.value,
        incident_number=optional(form, "incident_number"),
        transferred_to=optional(form, "transferred_to"),
        outcome_note=optional(form, "outcome_note"),
        client_key=optional(form, "client_key"),
    )


@router.post("/duty/calls")
async def call_log(request: Request, principal: CurrentPrincipal, session: DbSession):
    """Log a call from the form: the officer who answered is its first receiver and owner."""
    form = await request.form()
    values = {k: field(form, k) for k in CALL_FIELDS}
    try:
        data = _call_in(form)
        call, _created = await run_in_threadpool(
            _in_savepoint, session, calls.record, session, principal, data
        )
    except (ValidationError, YingjiError) as exc:
        if not is_form_error(exc):
            raise
        f = calls.CallFilters()
        return _calls_page(request, principal, session, f, {}, errors=errors_of(exc), form=values, status=422)
    return RedirectResponse(f"/duty/calls?show={call.id}", status_code=303)


@router.post("/duty/calls/{call_id}/outcome")
async def call_settle(call_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    """Record what became of a pending call."""
    form = await request.form()
    try:
        data = CallOutcomeIn(
            outcome=field(form, "outcome"),
            incident_number=optional(form, "incident_number"),
            transferred_to=optional(form, "transferred_to"),
            outcome_note=optional(form, "outcome_note"),
        )
        await run_in_threadpool(_in_savepoint, session, calls.settle, session, principal, call_id, data)
    except (ValidationError, YingjiError) as exc:
        if not is_form_error(exc):
            raise
        f = calls.CallFilters()
        return _calls_page(
            request, principal, session, f, {}, show=call_id, errors=errors_of(exc), status=422
        )
    return RedirectResponse(f"/duty/calls?show={call_id}", status_code=303)
