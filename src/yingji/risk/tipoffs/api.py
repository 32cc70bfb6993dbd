"""Tip-off API (/api/v1/risk/tipoffs…): the list and one tip-off (never the reporter), the check,
the reward's approval and payment, the sealed contact for REWARD_APPROVE of the place, statistics
and their Excel sheet (audited)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.downloads import audited_download
from yingji.core.deps import Db, DbSession
from yingji.core.i18n import current_locale
from yingji.files.openapi import XLSX_FILE
from yingji.org.params import PageNo, PageSize, page_of
from yingji.risk.tipoffs import handling, owners, rewards, stats
from yingji.risk.tipoffs.codes import RewardState, TipoffKind, TipoffState
from yingji.risk.tipoffs.schemas import (
    ApproveIn,
    ContactOut,
    PayIn,
    RefuseIn,
    StatsOut,
    TipoffOut,
    TipoffPageOut,
    VerifyIn,
)

router = APIRouter(prefix="/api/v1/risk", tags=["risk"])  # mounted as the risk.tipoffs domain
KindQ = Annotated[str | None, Query(pattern="^(" + "|".join(k.value for k in TipoffKind) + ")$")]
StateQ = Annotated[str | None, Query(pattern="^(" + "|".join(k.value for k in TipoffState) + ")$")]
RewardQ = Annotated[str | None, Query(pattern="^(" + "|".join(k.value for k in RewardState) + ")$")]
MonthQ = Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}$")]
YearQ = Annotated[int | None, Query(ge=2000, le=2100)]


@router.get("/tipoffs", response_model=TipoffPageOut)
def list_tipoffs(
    principal: CurrentPrincipal,
    session: DbSession,
    kind: KindQ = None,
    state: StateQ = None,
    reward_state: RewardQ = None,
    month: MonthQ = None,
    page: PageNo = 1,
    size: PageSize = 50,
) -> dict:
    result = handling.search(
        session,
        principal,
        kind=kind,
        state=state,
        reward_state=reward_state,
        month=month,
        page=page,
        size=size,
    )
    return page_of(result, handling.outs(session, result.items))


@router.get("/tipoffs/stats", response_model=StatsOut)
def tipoff_stats(
    request: Request, principal: CurrentPrincipal, session: DbSession, year: YearQ = None
) -> dict:
    return stats.summary(session, principal, year, current_locale())


@router.get("/tipoffs/stats/export", response_class=Response, responses=XLSX_FILE, response_model=None)
def tipoff_stats_export(
    request: Request, principal: CurrentPrincipal, session: DbSession, db: Db, year: YearQ = None
) -> Response:
    body = stats.sheet(session, principal, year, current_locale())
    return audited_download(
        db,
        principal,
        body,
        entity="risk_tipoffs",
        filename=f"tipoff-stats-{year or 'all'}.xlsx",
        jurisdiction_code=principal.jurisdiction_code,
        note=f"stats year={year}",
    )


def _one(session, row) -> dict:
    return handling.outs(session, [row])[0]


@router.get("/tipoffs/{tipoff_id}", response_model=TipoffOut)
def get_tipoff(tipoff_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    return _one(session, handling.get(session, principal, tipoff_id))


@router.get("/tipoffs/{tipoff_id}/contact", response_model=ContactOut)
def tipoff_contact(
    request: Request, tipoff_id: int, principal: CurrentPrincipal, session: DbSession, db: Db
) -> dict:
    """The reporter, for the reward: REWARD_APPROVE holders of the place only (audited)."""
    return handling.contact(session, principal, tipoff_id, request.app.state.settings.secret_key, db)


@router.post("/tipoffs/{tipoff_id}/claim", response_model=TipoffOut)
def claim_tipoff(tipoff_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    """受理: the first officer of the place to take the tip-off owns it (首接); again changes nothing."""
    return _one(session, owners.claim(session, principal, tipoff_id))


@router.post("/tipoffs/{tipoff_id}/start", response_model=TipoffOut)
def start_check(tipoff_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    return _one(session, rewards.start(session, principal, tipoff_id))


@router.post("/tipoffs/{tipoff_id}/verify", response_model=TipoffOut)
def verify_tipoff(tipoff_id: int, data: VerifyIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    return _one(session, rewards.verify(session, principal, tipoff_id, data))


@router.post("/tipoffs/{tipoff_id}/approve", response_model=TipoffOut)
def approve_reward(tipoff_id: int, data: ApproveIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    return _one(session, rewards.approve(session, principal, tipoff_id, data.amount_cny))


@router.post("/tipoffs/{tipoff_id}/refuse", response_model=TipoffOut)
def refuse_reward(tipoff_id: int, data: RefuseIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    return _one(session, rewards.refuse(session, principal, tipoff_id, data.reason))


@router.post("/tipoffs/{tipoff_id}/pay", response_model=TipoffOut)
def pay_reward(tipoff_id: int, data: PayIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    return _one(session, rewards.pay(session, principal, tipoff_id, data))
