"""Pages of disaster processes: the list (and opening one), the process page (roll-up by place with
累计 / 实时, the reports with due and late, the relief grade and why, the figures' history,
verification, the named lists, exports), the report form (desk and phone: sent with fetch and kept in
localStorage until the server confirms, idempotent by client key) and a report's page."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request, UploadFile
from fastapi.responses import JSONResponse, RedirectResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.roles import Perm
from yingji.core.clock import LOCAL_TZ
from yingji.core.deps import DbSession
from yingji.core.errors import ValidationFailed, YingjiError
from yingji.damage import indicators, namelists, photos, processes, reports, rollup, values
from yingji.damage.codes import EventState, ReportKind, ReportState
from yingji.damage.schemas import CasualtyIn, EventIn, FigureIn, HouseIn, ReportIn, VerifyIn
from yingji.damage.views.common import error_texts, page, refused
from yingji.incidents import photos as incident_photos
from yingji.org import codes as division_codes
from yingji.org import places
from yingji.web.forms import in_savepoint

router = APIRouter()


def _local(value: str) -> datetime:
    when = datetime.fromisoformat(value)
    return when.replace(tzinfo=LOCAL_TZ) if when.tzinfo is None else when


@router.get("/damage")
def events_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    state: Annotated[str | None, Query(pattern="^(" + "|".join(s.value for s in EventState) + ")?$")] = None,
    page_no: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
):
    result = processes.search(session, principal, state=state or None, page=page_no)
    ctx = {
        "page": result,
        "rows": processes.outs(session, result.items),
        "state": state or "",
        "can_open": principal.can(Perm.DAMAGE_REPORT),
        "form": {},
        "errors": [],
    }
    return page(request, "damage/list.html", ctx)


@router.post("/damage")
async def event_open(request: Request, principal: CurrentPrincipal, session: DbSession):
    form = await request.form()
    values_ = {
        k: str(form.get(k, "")).strip()
        for k in ("name", "hazard", "jurisdiction_code", "occurred_at", "note")
    }
    try:
        data = EventIn(
            name=values_["name"],
            hazard=values_["hazard"],
            jurisdiction_code=values_["jurisdiction_code"],
            occurred_at=_local(values_["occurred_at"]) if values_["occurred_at"] else None,
            note=values_["note"] or None,
            response_launched=form.get("response_launched") == "1",
        )
        event = await run_in_threadpool(in_savepoint, session, processes.open_event, session, principal, data)
    except (ValidationError, YingjiError, ValueError) as exc:
        if not refused(exc):
            raise
        result = processes.search(session, principal)
        ctx = {
            "page": result,
            "rows": processes.outs(session, result.items),
            "state": "",
            "can_open": True,
            "form": values_,
            "errors": error_texts(exc),
        }
        return page(request, "damage/list.html", ctx, status_code=422)
    return RedirectResponse(f"/damage/{event.id}", status_code=303)


def _event_ctx(session, principal, event, place: str | None = None, errors=None) -> dict:
    data = rollup.table(session, principal, event, place)
    rows = reports.list_for(session, principal, event)
    history = values.history(
        session,
        event.id,
        limit=30,
        within=None if principal.covers(event.jurisdiction_code) else principal.jurisdiction_code,
    )
    names = places.names(session, [h.jurisdiction_code for h in history])
    houses = [namelists.house_out(h, principal) for h in namelists.houses(session, principal, event)]
    return {
        "event": processes.outs(session, [event])[0],
        "ev": event,
        "table": data,
        "reports": reports.outs(session, rows),
        "history": history,
        "history_names": names,
        "main": indicators.main_indicators(),
        "all": list(indicators.indicators().values()),
        "casualties": namelists.casualties(session, principal, event),
        "houses": houses,
        "house_places": places.names(session, [h["jurisdiction_code"] for h in houses]),
        "can_report": principal.can(Perm.DAMAGE_REPORT),
        "can_verify": principal.can(Perm.DAMAGE_VERIFY) and principal.covers(event.jurisdiction_code),
        "moves": [s.value for s in processes.EVENT_MOVES[processes.EventState(event.state)]],
        "errors": errors or [],
    }


@router.get("/damage/{event_id:int}")
def event_page(
    event_id: int, request: Request, principal: CurrentPrincipal, session: DbSession, place: str | None = None
):
    event = processes.get(session, principal, event_id)
    code = None
    if place:
        try:
            code = division_codes.normalise(place)
        except ValueError:
            code = None
        if (
            code is None
            or not code.startswith(event.jurisdiction_code)
            or not processes.may_see(principal, code)
        ):
            from yingji.core.errors import NotFound

            raise NotFound()
    return page(request, "damage/event.html", _event_ctx(session, principal, event, code))


async def _post(request, session, principal, event_id, fn, *args):
    try:
        await run_in_threadpool(in_savepoint, session, fn, *args)
    except (ValidationError, YingjiError, ValueError) as exc:
        if not refused(exc):
            raise
        event = processes.get(session, principal, event_id)
        return page(
            request,
            "damage/event.html",
            _event_ctx(session, principal, event, errors=error_texts(exc)),
            status_code=422 if not isinstance(exc, YingjiError) else exc.status_code,
        )
    return RedirectResponse(f"/damage/{event_id}", status_code=303)


@router.post("/damage/{event_id:int}/state")
async def event_move(event_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    form = await request.form()
    return await _post(
        request,
        session,
        principal,
        event_id,
        processes.move,
        session,
        principal,
        event_id,
        str(form.get("state", "")),
        str(form.get("note", "")).strip()[:2000] or None,
    )


@router.post("/damage/{event_id:int}/verify")
async def event_verify(event_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    form = await request.form()

    def work():
        event = processes.get(session, principal, event_id, lock=True)
        num = lambda k: float(form[k]) if str(form.get(k, "")).strip() else None  # noqa: E731
        data = VerifyIn(
            jurisdiction_code=str(form.get("jurisdiction_code", "")),
            indicator=str(form.get("indicator", "")),
            cumulative=num("cumulative"),
            current=num("current"),
            note=str(form.get("note", "")),
        )
        values.verify(session, principal, event, data)

    return await _post(request, session, principal, event_id, work)


@router.post("/damage/{event_id:int}/houses")
async def house_add(event_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    form = await request.form()
    keys = (
        "jurisdiction_code",
        "household",
        "head_name",
        "id_tail",
        "mobile",
        "degree",
        "rooms",
        "structure",
    )

    def work():
        event = processes.get(session, principal, event_id)
        data = HouseIn(**{k: str(form.get(k, "")).strip() for k in keys if str(form.get(k, "")).strip()})
        namelists.add_house(session, principal, event, data)

    return await _post(request, session, principal, event_id, work)


@router.post("/damage/{event_id:int}/casualties")
async def casualty_add(event_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    form = await request.form()
    keys = ("kind", "name", "gender", "age", "id_tail", "jurisdiction_code", "address", "on", "cause")

    def work():
        event = processes.get(session, principal, event_id)
        data = CasualtyIn(**{k: str(form.get(k, "")).strip() for k in keys if str(form.get(k, "")).strip()})
        namelists.add_casualty(session, principal, event, data)

    return await _post(request, session, principal, event_id, work)


# -- the report form ----------------------------------------------------------------------------
def _form_ctx(session, principal, event, form: dict, errors: list[str]) -> dict:
    code = form.get("jurisdiction_code") or principal.jurisdiction_code
    if not (code.startswith(event.jurisdiction_code) or event.jurisdiction_code.startswith(code)):
        code = event.jurisdiction_code
    children = []
    if division_codes.level_of(code) in ("town", "county") and len(code) < 12:
        children = places.children(session, principal, code)[:60]
    return {
        "event": processes.outs(session, [event])[0],
        "form": form,
        "errors": errors,
        "place": code,
        "place_name": places.names(session, [code]).get(code, code),
        "children": children,
        "main": indicators.main_indicators(),
        "all": list(indicators.indicators().values()),
    }


def _figures(form) -> list[FigureIn]:
    """Fields ``f.<place>.<indicator>.<cum|cur>`` → figures (one per place and indicator)."""
    found: dict[tuple[str, str], dict] = {}
    for key, value in form.multi_items():
        if not key.startswith("f.") or not str(value).strip():
            continue
        try:
            _f, place, indicator, which = key.split(".")
            number = float(str(value).strip())
        except ValueError:
            raise ValidationFailed.on(key, "Give a number.") from None
        slot = found.setdefault((place, indicator), {"jurisdiction_code": place, "indicator": indicator})
        slot["cumulative" if which == "cum" else "current"] = number
    return [FigureIn(**v) for v in found.values()]


@router.get("/damage/{event_id:int}/report")
def report_form(
    event_id: int,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    kind: Annotated[
        str, Query(pattern="^(" + "|".join(k.value for k in ReportKind) + ")$")
    ] = ReportKind.CONTINUED.value,
    place: str | None = None,
):
    reports_require = principal.can(Perm.DAMAGE_REPORT)
    if not reports_require:
        from yingji.core.errors import Forbidden

        raise Forbidden()
    event = processes.get(session, principal, event_id)
    try:
        code = division_codes.normalise(place) if place else principal.jurisdiction_code
    except ValueError:
        code = principal.jurisdiction_code
    form = {"kind": kind, "jurisdiction_code": code}
    return page(request, "damage/report_form.html", _form_ctx(session, principal, event, form, []))


@router.post("/damage/{event_id:int}/report")
async def report_send(event_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    form = await request.form()
    wants_json = "application/json" in request.headers.get("accept", "")
    plain = {
        k: str(form.get(k, "")).strip()
        for k in ("kind", "jurisdiction_code", "explanation", "situation", "relief", "client_key")
    }

    def work():
        data = ReportIn(
            kind=plain["kind"],
            jurisdiction_code=plain["jurisdiction_code"] or None,
            figures=_figures(form),
            narrative={k: plain[k] for k in ("situation", "relief") if plain[k]},
            explanation=plain["explanation"] or None,
            client_key=plain["client_key"] or None,
            submit=form.get("send") != "draft",
        )
        return reports.save(session, principal, event_id, data)[0]

    try:
        report = await run_in_threadpool(in_savepoint, session, work)
    except (ValidationError, YingjiError) as exc:
        if not refused(exc):
            raise
        texts = error_texts(exc)
        if wants_json:
            return JSONResponse({"error": {"message": "；".join(texts), "details": []}}, status_code=422)
        event = processes.get(session, principal, event_id)
        values_ = dict(plain) | {k: str(v) for k, v in form.multi_items() if k.startswith("f.")}
        return page(
            request,
            "damage/report_form.html",
            _form_ctx(session, principal, event, values_, texts),
            status_code=422,
        )
    url = f"/damage/reports/{report.id}"
    if wants_json:
        return JSONResponse({"id": report.id, "url": url, "number": report.id})
    return RedirectResponse(url, status_code=303)


@router.get("/damage/reports/{report_id:int}")
def report_page(
    report_id: int, request: Request, principal: CurrentPrincipal, session: DbSession, errors=None
):
    report = reports.get(session, principal, report_id)
    out = reports.outs(session, [report], with_figures=True)[0]
    event = session.get(processes.DisasterEvent, report.event_id)
    names = places.names(session, [f["jurisdiction_code"] for f in out["figures"]])
    ctx = {
        "r": out,
        "event": processes.outs(session, [event])[0],
        "names": names,
        "photos": photos.of_report(session, report.id),
        "inds": indicators.indicators(),
        "can_decide": reports.may_decide(principal, report.jurisdiction_code)
        and report.state == ReportState.SUBMITTED,
        "can_submit": principal.can(Perm.DAMAGE_REPORT)
        and principal.covers(report.jurisdiction_code)
        and report.state in (ReportState.DRAFT, ReportState.RETURNED),
        "errors": errors or [],
    }
    return page(request, "damage/report.html", ctx)


async def _report_post(request, session, principal, report_id, fn, *args):
    try:
        await run_in_threadpool(in_savepoint, session, fn, *args)
    except (ValidationError, YingjiError, ValueError) as exc:
        if not refused(exc):
            raise
        response = report_page(report_id, request, principal, session, errors=error_texts(exc))
        response.status_code = exc.status_code if isinstance(exc, YingjiError) else 422
        return response
    return RedirectResponse(f"/damage/reports/{report_id}", status_code=303)


@router.post("/damage/reports/{report_id:int}/submit")
async def report_submit(report_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    return await _report_post(
        request, session, principal, report_id, reports.submit, session, principal, report_id
    )


@router.post("/damage/reports/{report_id:int}/decision")
async def report_decide(report_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    form = await request.form()
    accept = form.get("accept") == "1"
    reason = str(form.get("reason", "")).strip()[:2000] or None
    return await _report_post(
        request, session, principal, report_id, reports.decide, session, principal, report_id, accept, reason
    )


@router.post("/damage/reports/{report_id:int}/photos")
async def report_photo(
    report_id: int, request: Request, principal: CurrentPrincipal, session: DbSession, file: UploadFile
):
    settings = request.app.state.settings
    limit = incident_photos.max_bytes_of(settings)
    data = await file.read(limit + 1)
    form = await request.form()

    def work():
        report = reports.get(session, principal, report_id)
        photos.store(
            session,
            principal,
            report,
            data,
            str(form.get("caption", "")),
            upload_dir=incident_photos.upload_dir_of(settings),
            max_bytes=limit,
        )

    return await _report_post(request, session, principal, report_id, work)
