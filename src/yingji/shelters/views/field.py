"""The check-in page for phones (安置登记): find a person by ID number, mobile or household, check the
household in with one big button, or register a walk-in. With scripts on, a check-in goes into an
outbox in localStorage with its ``client_key`` and is resent until the server answers (weak network);
without them the plain form posts here, with a key the page was given."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.roles import Perm
from yingji.auth.scope import require, writable
from yingji.core.deps import DbSession
from yingji.core.errors import YingjiError
from yingji.core.i18n import gettext
from yingji.org import codes as division_codes
from yingji.shelters import checkin, registry
from yingji.shelters.schemas import CheckInIn
from yingji.shelters.views.common import message, page, shown
from yingji.web.forms import errors_with_refusals as form_errors
from yingji.web.forms import in_savepoint

router = APIRouter(include_in_schema=False)
FIELDS = ("id_number", "mobile", "home_code", "household")


def _ctx(session, principal, shelter_id: int, **extra) -> dict:
    shelter = registry.get(session, principal, shelter_id)
    writable(principal, shelter.jurisdiction_code, Perm.SHELTER_CHECKIN)
    return {
        "shelter": shelter,
        "out": registry.outs(session, principal, [shelter])[0],
        "stays": [
            checkin.stay_out(s, principal) for s in checkin.stays(session, principal, shelter.id, limit=20)
        ],
        "key": uuid.uuid4().hex,
        "found": None,
        "search": {},
        "errors": {},
        "done": None,
    } | extra


@router.get("/shelters/{shelter_id:int}/checkin")
def checkin_page(
    shelter_id: int, request: Request, principal: CurrentPrincipal, session: DbSession, done: str = ""
):
    require(principal, Perm.SHELTER_CHECKIN)
    return page(
        request, "shelters/checkin.html", _ctx(session, principal, shelter_id, done=done[:60] or None)
    )


@router.post("/shelters/{shelter_id:int}/checkin/find")
async def checkin_find(shelter_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    form = await request.form()
    search = {k: str(form.get(k, "")).strip()[:40] for k in FIELDS}
    home = search["home_code"]
    try:
        code = division_codes.normalise(home) if home else None
    except ValueError:
        code = None
    found, errors = None, {}
    try:
        found = await run_in_threadpool(
            checkin.find,
            session,
            principal,
            id_number=search["id_number"] or None,
            mobile=search["mobile"] or None,
            home_code=code,
            household=search["household"] or None,
        )
    except YingjiError as exc:
        if not shown(exc):
            raise
        errors = {"_": message(exc)}
    if found:  # one card per household: the button checks the household in
        found = list({(p["home_code"], p["household"]): p for p in reversed(found)}.values())[::-1]
    search["id_number"] = ""  # never echoed back into the page
    ctx = await run_in_threadpool(
        _ctx, session, principal, shelter_id, found=found, search=search, errors=errors
    )
    return page(request, "shelters/checkin.html", ctx, 422 if errors else 200)


@router.post("/shelters/{shelter_id:int}/checkin")
async def checkin_post(shelter_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    form = await request.form()
    raw = {
        k: str(form.get(k, "")).strip()
        for k in (
            "client_key",
            "resident_id",
            "home_code",
            "household",
            "id_number",
            "name",
            "mobile",
            "people",
            "vulnerable",
            "needs",
            "zone",
            "override_note",
        )
    }
    data = {k: v for k, v in raw.items() if v}
    try:
        body = CheckInIn(**data)
        _stay, _, _ = await run_in_threadpool(
            in_savepoint, session, checkin.check_in, session, principal, shelter_id, body
        )
    except (ValidationError, YingjiError) as exc:
        if not shown(exc):
            raise
        errors = form_errors(exc) if isinstance(exc, ValidationError) else {"_": message(exc)}
        if isinstance(exc, ValidationError):
            errors = {"_": gettext("Please correct the marked fields.") + " " + " ".join(errors)}
        ctx = await run_in_threadpool(
            _ctx, session, principal, shelter_id, errors=errors, search={"override": True}
        )
        status_code = exc.status_code if isinstance(exc, YingjiError) else 422
        return page(request, "shelters/checkin.html", ctx, status_code)
    return RedirectResponse(f"/shelters/{shelter_id}/checkin?done=1", status_code=303)
