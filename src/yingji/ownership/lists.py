"""What pages and answers show of ownership: one's own items (我的接报) and the owner panel of an item."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.models import User
from yingji.auth.scope import Principal
from yingji.ownership import handing, kinds, taking
from yingji.ownership.codes import HOW_LABELS, TakenHow
from yingji.ownership.models import Owned, OwnerHandover


@dataclass
class MineRow:
    owned: Owned
    info: kinds.ItemInfo
    kind_label: str
    pending: OwnerHandover | None = None  # handed to me, not yet accepted


def mine(session: Session, principal: Principal) -> list[MineRow]:
    """The open items the principal owns now, the ones handed to them and not yet accepted first."""
    rows = handing.held(session, principal, principal.user_id) if principal.user_id else []
    infos = handing.describe(session, rows)
    pending = {h.owned_id: h for h in handing.pending_for(session, principal)}
    found = [
        MineRow(r, infos[r.id], kinds.kind(r.kind).label, pending.get(r.id))
        for r in rows
        if r.id in infos and r.owner_user_id == principal.user_id
    ]
    return sorted(found, key=lambda m: (m.pending is None, m.owned.owner_since))


@dataclass
class OfficeOwner:
    owned: Owned
    history: list[OwnerHandover]
    can_hand: bool  # the owner, or a manager of the office
    as_manager: bool
    candidates: list[User] = field(default_factory=list)
    pending_mine: OwnerHandover | None = None


def panel(session: Session, principal: Principal, kind: str, item_id: int) -> list[OfficeOwner]:
    """Every office's owner of an item the caller already showed the principal (so in scope), with
    its hand-overs, and the hand-over form's choices where the principal may hand it over."""
    rows = taking.owners_of(session, kind, [item_id]).get(item_id, [])
    history = taking.history(session, [r.id for r in rows])
    info = kinds.kind(kind).describe(session, [item_id]).get(item_id)
    result = []
    for r in rows:
        # a closed item keeps its owner on the record; it is no longer handed over
        allowed = handing.may_hand_over(principal, r) if info is not None and info.open else False
        log = history.get(r.id, [])
        pending = next(
            (h for h in reversed(log) if h.to_user_id == principal.user_id and h.accepted_at is None), None
        )
        if pending is not None and r.owner_user_id != principal.user_id:
            pending = None  # handed on again since: nothing left to accept
        result.append(
            OfficeOwner(
                r,
                log,
                allowed is not False,
                allowed is None,
                handing.candidates(session, r) if allowed is not False else [],
                pending,
            )
        )
    return result


def how_label(how: str) -> str:
    return HOW_LABELS.get(TakenHow(how), how) if how in set(TakenHow) else how


def holder_names(session: Session, rows: list[Owned]) -> dict[str, str]:
    from yingji.org.models import Jurisdiction

    codes = {r.holder_code for r in rows}
    if not codes:
        return {}
    return dict(
        session.execute(
            select(Jurisdiction.code, Jurisdiction.name).where(Jurisdiction.code.in_(codes))
        ).all()
    )


def panel_ctx(session: Session, principal: Principal, kind: str, item_id: int, next_url: str) -> dict:
    """What ``ownership/_panel.html`` needs on an item's page."""
    owners = panel(session, principal, kind, item_id)
    return {
        "owners": owners,
        "owner_places": holder_names(session, [o.owned for o in owners]),
        "owner_next": next_url,
        "owner_how": how_label,
    }
