"""Local dual-prevention settings API: what is in force at a place and where it comes from."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from yingji.auth.deps import CurrentPrincipal
from yingji.core.deps import DbSession
from yingji.core.errors import NotFound
from yingji.org import places
from yingji.org.params import query_code
from yingji.risk import settings
from yingji.risk.schemas import SettingsIn, SettingsOut, answer

router = APIRouter()


# -- local settings -------------------------------------------------------------------------
def settings_out(session, code: str) -> dict:
    """The settings in force at a place and where each comes from."""
    local = settings.effective(session, code)
    return {
        "jurisdiction_code": code,
        "lec_mapping": local.lec_mapping,
        "ls_banding": local.ls_banding,
        "remind_days": local.remind_days,
        "enforcement": local.enforcement,
        "set_by": local.set_by,
    }


@router.get("/risk/settings/{code}", response_model=SettingsOut)
def get_settings(code: str, principal: CurrentPrincipal, session: DbSession) -> JSONResponse:
    """The dual-prevention settings in force at a place."""
    place = places.get(session, principal, query_code(code) or "")
    return answer(settings_out(session, place.code))


@router.put("/risk/settings/{code}", response_model=SettingsOut)
def put_settings(
    code: str, data: SettingsIn, principal: CurrentPrincipal, session: DbSession
) -> JSONResponse:
    """Set or clear a place's own settings (rules.manage)."""
    normal = query_code(code)
    if normal is None:
        raise NotFound()
    settings.put(session, principal, normal, data.model_dump(exclude_unset=True))
    return answer(settings_out(session, normal))
