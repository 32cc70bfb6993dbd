"""首接负责制 for tip-offs: the staff member who first takes a public tip-off (受理, or the check's
start) owns it until a named hand-over; the tip-off's place is the one holding office."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, writable
from yingji.core.errors import Conflict
from yingji.core.i18n import N_
from yingji.ownership import kinds, taking
from yingji.ownership.codes import TakenHow
from yingji.ownership.models import Owned
from yingji.risk.tipoffs import handling
from yingji.risk.tipoffs.codes import OWNER_KIND, TipoffState
from yingji.risk.tipoffs.models import Tipoff

KIND = OWNER_KIND


def _describe(session: Session, ids: list[int]) -> dict[int, kinds.ItemInfo]:
    rows = session.execute(
        select(Tipoff.id, Tipoff.public_ref, Tipoff.title, Tipoff.state, Tipoff.jurisdiction_code).where(
            Tipoff.id.in_(ids)
        )
    ).all()
    return {
        r.id: kinds.ItemInfo(
            f"{r.public_ref} {r.title}",
            f"/risk/tipoffs/{r.id}",
            r.state != TipoffState.CLOSED.value,
            r.jurisdiction_code,
        )
        for r in rows
    }


kinds.register(kinds.Kind(KIND, N_("Tip-off"), Perm.DANGER_MANAGE, _describe))


def take(session: Session, principal: Principal, row: Tipoff) -> Owned | None:
    owned, _created = taking.take(
        session,
        principal,
        KIND,
        row.id,
        jurisdiction_code=row.jurisdiction_code,
        holder_code=row.jurisdiction_code,
        how=TakenHow.CLAIMED,
    )
    return owned


def claim(session: Session, principal: Principal, tipoff_id: int) -> Tipoff:
    """受理: the first officer of the place who takes the tip-off owns it (a second claim changes nothing)."""
    row = handling.get(session, principal, tipoff_id)
    writable(principal, row.jurisdiction_code, Perm.DANGER_MANAGE)
    if row.state == TipoffState.CLOSED.value:
        raise Conflict("This tip-off is closed; nobody takes it in any more.")
    take(session, principal, row)
    return row


def of(session: Session, ids: list[int]) -> dict[int, Owned]:
    """The owner row of each tip-off (one holding office each)."""
    return {i: rows[0] for i, rows in taking.owners_of(session, KIND, ids).items()}
