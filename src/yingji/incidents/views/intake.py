"""Intake pages: the desktop form, the phone page, the follow-up report form and the duplicate hint.

The phone page posts with ``fetch`` (Accept: application/json) and keeps the draft and its
idempotency key in localStorage until the server answers, so a failed send is retried with the
same key; without JavaScript both forms post normally.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, require
from yingji.core import clock
from yingji.core.deps import DbSession
from yingji.core.errors import YingjiError
from yingji.incidents import duplicates, forms, intake, labels, listing, photos, reports
from yingji.incidents.api import duplicate_options
from yingji.incidents.models import MEASURES
from yingji.ownership.codes import TakenHow
from yingji.web.templating import render

router = APIRouter(include_in_schema=False)


def _ctx(**extra) -> dict:
    return {"L": labels.Labels, "categories": labels.category_choices(), "measures": MEASURES} | extra


def _wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


async def _read_photos(request: Request, files) -> list[tuple[bytes, str]]:
    limit = photos.max_bytes_of(request.app.state.settings)
    return [(await f.read(limit + 1), f.filename) for f in files]


def _store_photos(session, principal: Principal, incident, blobs, settings, report_id=None) -> None:
    for data, name in blobs:
        photos.store(
            session,
            principal,
            incident,
            data,
            name,
            upload_dir=photos.upload_dir_of(settings),
            max_bytes=photos.max_bytes_of(settings),
            report_id=report_id,
        )


def _file_incident(session, principal: Principal, values: dict, blobs, settings, how=TakenHow.DESK):
    """Create (or find again, for a retried key) the incident and keep its photos — all or nothing."""
    data = forms.incident_in(values)
    with session.begin_nested():
        incident, created = intake.create(session, principal, data, how=how)
        _store_photos(session, principal, incident, blobs, settings)
    return incident, created


def _new_form(principal: Principal, page: str) -> dict:
    now = clock.to_local(clock.now()).strftime("%Y-%m-%dT%H:%M")
    return {"idempotency_key": str(uuid.uuid4()), "occurred_at": now, "source": "chain", "page": page}


@router.get("/incidents/new")
def new_page(request: Request, principal: CurrentPrincipal):
    require(principal, Perm.INCIDENT_REPORT)
    return render(request, "incidents/new.html", _ctx(form=_new_form(principal, "desktop"), errors={}))


@router.post("/incidents/new")
async def new_submit(request: Request, principal: CurrentPrincipal, session: DbSession):
    require(principal, Perm.INCIDENT_REPORT)
    values, files = await forms.read(request)
    blobs = await _read_photos(request, files)
    settings = request.app.state.settings
    try:
        incident, _created = await run_in_threadpool(
            _file_incident, session, principal, values, blobs, settings
        )
    except YingjiError as exc:
        if exc.status_code in (403, 404):
            raise
        ctx = _ctx(form=values | {"page": "desktop"}, errors=forms.errors_of(exc))
        return render(request, "incidents/new.html", ctx, status_code=exc.status_code)
    return RedirectResponse(f"/incidents/{incident.id}", status_code=303)


@router.get("/incidents/phone")
def phone_page(request: Request, principal: CurrentPrincipal, session: DbSession, done: int | None = None):
    require(principal, Perm.INCIDENT_REPORT)
    sent = listing.get(session, principal, done) if done else None
    from yingji.field.workers import me  # the reporter is the signed-in person: name and phone filled in

    who = me(session, principal)
    form = _new_form(principal, "phone") | {"reporter_name": who.name, "reporter_phone": who.phone or ""}
    return render(request, "incidents/phone.html", _ctx(form=form, errors={}, sent=sent))


@router.post("/incidents/phone")
async def phone_submit(request: Request, principal: CurrentPrincipal, session: DbSession):
    """JSON for the page's script (errors too, through the error handler); a redirect without it."""
    require(principal, Perm.INCIDENT_REPORT)
    values, files = await forms.read(request)
    blobs = await _read_photos(request, files)
    settings = request.app.state.settings
    if _wants_json(request):
        incident, created = await run_in_threadpool(
            _file_incident, session, principal, values, blobs, settings, TakenHow.PHONE
        )
        body = {
            "id": incident.id,
            "number": incident.number,
            "url": f"/incidents/{incident.id}",
            "created": created,
        }
        return JSONResponse(body, status_code=201 if created else 200)
    try:
        incident, _created = await run_in_threadpool(
            _file_incident, session, principal, values, blobs, settings, TakenHow.PHONE
        )
    except YingjiError as exc:
        if exc.status_code in (403, 404):
            raise
        ctx = _ctx(form=values | {"page": "phone"}, errors=forms.errors_of(exc), sent=None)
        return render(request, "incidents/phone.html", ctx, status_code=exc.status_code)
    return RedirectResponse(f"/incidents/phone?done={incident.id}", status_code=303)


@router.get("/incidents/duplicates-hint")
def duplicates_hint(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    category: str = "",
    lon: str = "",
    lat: str = "",
    occurred_at: str = "",
):
    """Possible duplicates while the intake form is being filled in (htmx partial)."""
    found = []
    try:
        point = (float(lon), float(lat)) if lon and lat else None
        at = forms._local_time(occurred_at, "occurred_at") if occurred_at else clock.now()
    except (ValueError, YingjiError):
        point, at = None, None
    if category and point and at:
        found = duplicates.candidates(
            session,
            principal,
            category=category,
            lon=point[0],
            lat=point[1],
            occurred_at=clock.to_utc(at) if isinstance(at, datetime) else clock.now(),
            **duplicate_options(request),
        )
    return render(request, "incidents/_duplicates.html", _ctx(found=found))


# -- follow-up reports --------------------------------------------------------------------------
def _report_form(incident) -> dict:
    return {m: str(getattr(incident, m) or 0) for m in MEASURES} | {
        "idempotency_key": str(uuid.uuid4()),
        "kind": "follow_up",
        "source": "chain",
    }


@router.get("/incidents/{incident_id:int}/report")
def report_page(incident_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    incident = listing.get(session, principal, incident_id)
    require(principal, Perm.INCIDENT_REPORT)
    return render(
        request, "incidents/report.html", _ctx(incident=incident, form=_report_form(incident), errors={})
    )


def _file_report(session, principal: Principal, incident_id: int, values: dict, blobs, settings):
    data = forms.report_in(values)
    with session.begin_nested():
        report, _created = reports.add_report(session, principal, incident_id, data)
        _store_photos(session, principal, report.incident, blobs, settings, report_id=report.id)
    return report


@router.post("/incidents/{incident_id:int}/report")
async def report_submit(incident_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    values, files = await forms.read(request)
    blobs = await _read_photos(request, files)
    settings = request.app.state.settings
    try:
        await run_in_threadpool(_file_report, session, principal, incident_id, values, blobs, settings)
    except YingjiError as exc:
        if exc.status_code in (403, 404):
            raise
        incident = await run_in_threadpool(listing.get, session, principal, incident_id)
        ctx = _ctx(incident=incident, form=values, errors=forms.errors_of(exc))
        return render(request, "incidents/report.html", ctx, status_code=exc.status_code)
    return RedirectResponse(f"/incidents/{incident_id}", status_code=303)
