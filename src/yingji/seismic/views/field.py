"""The phone page of a report (灾情速报 / 宏观异常 / 月报) and the reports list. The form carries a
client key made when the page is drawn: sent twice on a weak network, it is one report."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.roles import Perm
from yingji.core import clock
from yingji.core.deps import DbSession
from yingji.core.errors import YingjiError
from yingji.core.i18n import gettext
from yingji.incidents import photos as photo_store
from yingji.seismic import registry, reports
from yingji.seismic.api import KindQ
from yingji.seismic.models import SeismicMember
from yingji.seismic.schemas import ReportIn
from yingji.seismic.views.common import page
from yingji.web.forms import errors_with_refusals as form_errors
from yingji.web.forms import in_savepoint

router = APIRouter(include_in_schema=False)
NUMBERS = ("intensity", "deaths", "injured", "houses_collapsed", "houses_damaged")


def _own_members(session, principal) -> list[SeismicMember]:
    """The members of one's place (to pick oneself as the observer)."""
    return list(registry.search(session, principal, size=200).items)


@router.get("/seismic/report")
def report_form(request: Request, principal: CurrentPrincipal, session: DbSession, kind: KindQ = None):
    now = clock.to_local(clock.now())
    form = {
        "kind": kind or "quick",
        "jurisdiction_code": principal.jurisdiction_code,
        "occurred_at": f"{now:%Y-%m-%dT%H:%M}",
    }
    ctx = {
        "form": form,
        "errors": {},
        "members": registry.outs(session, principal, _own_members(session, principal)),
    }
    return page(request, "seismic/report.html", ctx)


@router.post("/seismic/report")
async def report_send(request: Request, principal: CurrentPrincipal, session: DbSession):
    raw = await request.form()
    form = {k: str(v).strip() for k, v in raw.items() if isinstance(v, str)}
    settings = request.app.state.settings
    uploads = [
        await f.read(settings.max_upload_mb * 1024 * 1024 + 1)
        for f in raw.getlist("photo")
        if isinstance(f, UploadFile) and f.filename
    ]
    try:
        when = datetime.fromisoformat(form.get("occurred_at") or "")
        data = ReportIn(
            kind=form.get("kind") or "",
            jurisdiction_code=form.get("jurisdiction_code") or "",
            member_id=int(form["member_id"]) if form.get("member_id", "").isdigit() else None,
            occurred_at=when.replace(tzinfo=clock.LOCAL_TZ) if when.tzinfo is None else when,
            month=form.get("month") or None,
            location=form.get("location") or None,
            lon=form.get("lon") or None,
            lat=form.get("lat") or None,
            description=form.get("description") or None,
            client_key=form.get("client_key") or None,
            **{k: int(form[k]) for k in NUMBERS if form.get(k, "").isdigit()},
        )

        def run():
            report = reports.submit(session, principal, data)
            for blob in uploads:
                reports.add_photo(
                    session,
                    principal,
                    report.id,
                    blob,
                    upload_dir=photo_store.upload_dir_of(settings),
                    max_bytes=photo_store.max_bytes_of(settings),
                )
            return report

        report = await run_in_threadpool(in_savepoint, session, run)
    except (ValueError, ValidationError, YingjiError) as exc:
        if isinstance(exc, (ValidationError, YingjiError)):
            errors = form_errors(exc)
        else:  # the time field did not parse
            errors = {"occurred_at": gettext("This value is not valid.")}
        members = await run_in_threadpool(
            lambda: registry.outs(session, principal, _own_members(session, principal))
        )
        return page(request, "seismic/report.html", {"form": form, "errors": errors, "members": members}, 422)
    return RedirectResponse(f"/seismic/reports?sent={report.id}", status_code=303)


@router.get("/seismic/reports")
def reports_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    kind: KindQ = None,
    sent: int | None = None,
    page_no: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
):
    result = reports.search(session, principal, kind=kind, page=page_no)
    ctx = {
        "page": result,
        "rows": reports.outs(session, result.items),
        "kind": kind or "",
        "sent": sent,
        "can_review": principal.can(Perm.TRAINING_MANAGE),
    }
    return page(request, "seismic/reports.html", ctx)


@router.post("/seismic/reports/{report_id}/move")
async def report_move(report_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    form = await request.form()
    await run_in_threadpool(
        in_savepoint, session, reports.move, session, principal, report_id, str(form.get("state", ""))
    )
    return RedirectResponse("/seismic/reports", status_code=303)
