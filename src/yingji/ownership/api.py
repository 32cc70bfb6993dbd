"""Ownership API (/api/v1/ownership): one's own items, an item's owners with their hand-overs, the
people it may be handed to, the hand-over and its acceptance."""

from __future__ import annotations

from fastapi import APIRouter

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.scope import visible
from yingji.core.deps import DbSession
from yingji.core.errors import NotFound
from yingji.ownership import handing, kinds, lists, out, taking
from yingji.ownership.schemas import CandidateOut, HandoverIn, HandoverOut, MineOut, OwnedOut

router = APIRouter(prefix="/api/v1/ownership", tags=["ownership"])


@router.get("/mine", response_model=MineOut)
def my_items(principal: CurrentPrincipal, session: DbSession) -> dict:
    """我的接报: the open items I own now (handed to me and not yet accepted first), and my pending
    hand-overs."""
    rows = lists.mine(session, principal)
    return {
        "items": [
            out.owner(m.owned) | {"label": m.info.label, "url": m.info.url, "open": m.info.open} for m in rows
        ],
        "pending": [out.handover(h) for h in handing.pending_for(session, principal)],
    }


@router.get("/{kind}/{item_id}", response_model=list[OwnedOut])
def item_owners(kind: str, item_id: int, principal: CurrentPrincipal, session: DbSession) -> list[dict]:
    """The first receiver and owner of an item at each office that took it, with the hand-overs."""
    spec = kinds.kind(kind)
    info = spec.describe(session, [item_id]).get(item_id)
    if info is None:
        raise NotFound()
    visible(principal, info, info.jurisdiction_code)
    rows = taking.owners_of(session, kind, [item_id]).get(item_id, [])
    history = taking.history(session, [r.id for r in rows])
    return [out.owner(r) | {"history": [out.handover(h) for h in history.get(r.id, [])]} for r in rows]


@router.get("/owned/{owned_id}/candidates", response_model=list[CandidateOut])
def candidates(owned_id: int, principal: CurrentPrincipal, session: DbSession) -> list[dict]:
    """The people of the holding office who may take the item."""
    row = handing.get_owned(session, principal, owned_id)
    return [{"id": u.id, "name": u.display_name} for u in handing.candidates(session, row)]


@router.post("/owned/{owned_id}/handover", response_model=HandoverOut, status_code=201)
def hand_over(owned_id: int, data: HandoverIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    """Hand the item over to a named person (the owner, or a manager of the place: recorded so)."""
    entry = handing.hand_over(
        session,
        principal,
        owned_id,
        data.to_user_id,
        note=data.note,
        expected_owner_id=data.expected_owner_id,
    )
    return out.handover(entry)


@router.post("/handovers/{handover_id}/accept", response_model=HandoverOut)
def accept(handover_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    """The new owner confirms the hand-over (接收确认)."""
    return out.handover(handing.accept(session, principal, handover_id))
