"""The local settings page of a place (LEC mapping, LS banding, reminders)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.roles import Perm
from yingji.auth.scope import require
from yingji.core.deps import DbSession
from yingji.core.errors import YingjiError
from yingji.org import places
from yingji.org.params import url_code
from yingji.risk import (
    settings,
    tables,
)
from yingji.risk.schemas import SettingsIn
from yingji.risk.views.common import form_dict, page, refuse_or_errors
from yingji.web.forms import in_savepoint

router = APIRouter(include_in_schema=False)


def _settings_ctx(
    session, principal, code: str, form: dict | None = None, errors: dict | None = None
) -> dict:
    place = places.get(session, principal, code)
    local = settings.effective(session, place.code)
    own = settings.own(session, principal, place.code)
    return {
        "place": place,
        "local": local,
        "own": own,
        "mappings": tables.mapping_labels(),
        "bandings": tables.banding_labels(),
        "form": form or {},
        "errors": errors or {},
    }


@router.get("/risk/settings")
def settings_page(request: Request, principal: CurrentPrincipal, session: DbSession, code: str | None = None):
    """The local settings of a place."""
    require(principal, Perm.RULES_MANAGE)
    target = url_code(code) or principal.jurisdiction_code or "52"
    return page(request, "risk/settings.html", _settings_ctx(session, principal, target))


@router.post("/risk/settings")
async def settings_save(request: Request, principal: CurrentPrincipal, session: DbSession):
    """Save a place's local settings."""
    form = await form_dict(request)
    code = url_code(str(form.get("code", ""))) or principal.jurisdiction_code
    try:
        values = SettingsIn(
            lec_mapping=form.get("lec_mapping") or None,
            ls_banding=form.get("ls_banding") or None,
            remind_days=int(form["remind_days"]) if str(form.get("remind_days", "")).isdigit() else None,
            source=form.get("source") or None,
        ).model_dump(exclude={"enforcement"})
        await run_in_threadpool(in_savepoint, session, settings.put, session, principal, code, values)
    except (ValidationError, YingjiError) as exc:
        errors = refuse_or_errors(exc)
        ctx = await run_in_threadpool(_settings_ctx, session, principal, code, form, errors)
        return page(request, "risk/settings.html", ctx, status_code=422)
    return RedirectResponse(f"/risk/settings?code={code}", status_code=303)
