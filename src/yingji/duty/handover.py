"""The shift handover log (交接班): the outgoing officer writes what happened and the open items;
open items carry over from shift to shift until someone closes them; the incoming officer
confirms. Writing needs ``DUTY_REPORT`` in the roster's jurisdiction."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from yingji.auth.models import User
from yingji.auth.roles import Perm, permissions_of
from yingji.auth.scope import Principal, visible, writable
from yingji.core import clock
from yingji.core.errors import Conflict, NotFound, ValidationFailed
from yingji.core.pagination import Page, paginate
from yingji.duty import rosters, rotation
from yingji.duty.common import insert_once, who
from yingji.duty.models import Handover, HandoverItem, Roster
from yingji.duty.schemas import HandoverConfirm, HandoverIn, ItemClose
from yingji.ownership import handing
from yingji.ownership.models import Owned, OwnerHandover


def shift_date_now(roster: Roster, at: datetime | None = None) -> date:
    """The date of the roster's shift on duty at ``at`` (default now)."""
    return rotation.shift_date_at(
        at or clock.now(), roster.shift_start_minute, rotation.zone(roster.timezone)
    )


def open_items(session: Session, roster: Roster) -> list[HandoverItem]:
    """Items still open: what the next shift inherits."""
    return list(
        session.scalars(
            select(HandoverItem)
            .where(HandoverItem.roster_id == roster.id, HandoverItem.closed_at.is_(None))
            .order_by(HandoverItem.id)
        )
    )


def history(session: Session, principal: Principal, roster_id: int, page: int = 1, size: int = 20) -> Page:
    """A roster's handovers, newest first."""
    roster = rosters.get(session, principal, roster_id)
    stmt = select(Handover).where(Handover.roster_id == roster.id)
    return paginate(session, stmt.order_by(Handover.shift_date.desc(), Handover.id.desc()), page, size)


def get(session: Session, principal: Principal, handover_id: int) -> Handover:
    """One handover, in scope."""
    return visible(principal, session.get(Handover, handover_id))


def items_of(session: Session, handover: Handover) -> dict[str, list[HandoverItem]]:
    """The items a handover opened and those it closed."""
    rows = session.scalars(
        select(HandoverItem)
        .where(
            or_(
                HandoverItem.opened_handover_id == handover.id,
                HandoverItem.closed_handover_id == handover.id,
            )
        )
        .order_by(HandoverItem.id)
    ).all()
    return {
        "opened": [i for i in rows if i.opened_handover_id == handover.id],
        "closed": [i for i in rows if i.closed_handover_id == handover.id],
    }


def _close(item: HandoverItem, principal: Principal, handover: Handover | None, note: str | None) -> None:
    item.closed_at = clock.now()
    item.closed_by = who(principal)
    item.closed_handover_id = handover.id if handover else None
    item.close_note = note


def write(session: Session, principal: Principal, roster_id: int, data: HandoverIn) -> tuple[Handover, bool]:
    """The outgoing officer's log of a shift (default: the shift on duty now); closes the items
    named, opens the new ones. A retry with the same client key returns the first log."""
    roster = session.get(Roster, roster_id, with_for_update={"of": Roster})
    if roster is None:
        raise NotFound()
    writable(principal, roster.jurisdiction_code, Perm.DUTY_REPORT)
    day = data.shift_date or shift_date_now(roster)
    open_by_id = {i.id: i for i in open_items(session, roster)}
    unknown = [i for i in data.close_item_ids if i not in open_by_id]
    handover = Handover(
        roster_id=roster.id,
        shift_date=day,
        jurisdiction_code=roster.jurisdiction_code,
        summary=data.summary,
        written_by_user_id=principal.user_id,
        written_by=who(principal),
        written_at=clock.now(),
        client_key=data.client_key,
    )
    retry = data.client_key is not None and (
        session.scalar(select(Handover.id).where(Handover.client_key == data.client_key)) is not None
    )
    if unknown and not retry:
        raise ValidationFailed(
            details=[{"field": "close_item_ids", "message": "This item is not open on this roster."}]
        )
    handover, created = insert_once(
        session, principal, handover, Conflict("The handover of this shift has already been written.")
    )
    if not created:
        return handover, False
    _hand_owned(session, principal, roster, handover, data)
    for item_id in data.close_item_ids:
        _close(open_by_id[item_id], principal, handover, None)
    for text in data.new_items:
        session.add(
            HandoverItem(
                roster_id=roster.id,
                jurisdiction_code=roster.jurisdiction_code,
                text=text,
                opened_handover_id=handover.id,
                opened_at=clock.now(),
            )
        )
    session.flush()
    return handover, True


def owned_items(session: Session, principal: Principal, roster: Roster) -> list[Owned]:
    """首接负责制: the open items the principal owns at the roster's desk (what their hand-over lists)."""
    if principal.user_id is None:
        return []
    return handing.held(session, principal, principal.user_id, holder_code=roster.jurisdiction_code)


def incoming_choices(session: Session, roster: Roster, principal: Principal) -> list[User]:
    """Who may be named as the incoming officer: active users of the desk's place on duty work."""
    users = session.scalars(
        select(User)
        .where(User.jurisdiction_code == roster.jurisdiction_code, User.active, User.id != principal.user_id)
        .order_by(User.display_name, User.id)
    )
    return [u for u in users if Perm.DUTY_REPORT in permissions_of(u.role)]


def _hand_owned(session: Session, principal: Principal, roster: Roster, handover: Handover, data) -> None:
    """Hand the chosen owned items (or all of them) to the named incoming officer, in the same act."""
    mine = {o.id: o for o in owned_items(session, principal, roster)}
    wanted = list(mine) if data.hand_all else list(dict.fromkeys(data.hand_owned_ids))
    if not wanted:
        return
    if data.to_user_id is None:
        raise ValidationFailed(
            details=[{"field": "to_user_id", "message": "Name the incoming officer the items are handed to."}]
        )
    unknown = [i for i in wanted if i not in mine]
    if unknown:
        raise ValidationFailed(
            details=[{"field": "hand_owned_ids", "message": "You do not own this item at this desk."}]
        )
    for owned_id in wanted:
        handing.hand_over(
            session,
            principal,
            owned_id,
            data.to_user_id,
            note=f"交接班 {handover.shift_date.isoformat()}",
            expected_owner_id=principal.user_id,
            shift_handover_id=handover.id,
        )


def handed_in(session: Session, handover_ids: list[int]) -> dict[int, list[OwnerHandover]]:
    """The ownership hand-overs made in each shift hand-over."""
    if not handover_ids:
        return {}
    found: dict[int, list[OwnerHandover]] = {}
    rows = session.scalars(
        select(OwnerHandover)
        .where(OwnerHandover.shift_handover_id.in_(handover_ids))
        .order_by(OwnerHandover.id)
    )
    for r in rows:
        found.setdefault(r.shift_handover_id, []).append(r)
    return found


def confirm(session: Session, principal: Principal, handover_id: int, data: HandoverConfirm) -> Handover:
    """The incoming officer takes over; confirming twice changes nothing. The items handed to them
    by name in this hand-over are accepted with it."""
    handover = session.get(Handover, handover_id, with_for_update={"of": Handover})
    if handover is None:
        raise NotFound()
    writable(principal, handover.jurisdiction_code, Perm.DUTY_REPORT)
    if handover.confirmed_at is None:
        handover.confirmed_at = clock.now()
        handover.confirmed_by_user_id = principal.user_id
        handover.confirmed_by = who(principal)
        handover.confirm_note = data.note
        session.flush()
    for entry in handed_in(session, [handover.id]).get(handover.id, []):
        if entry.to_user_id == principal.user_id and entry.accepted_at is None:
            handing.accept(session, principal, entry.id)
    return handover


def close_item(session: Session, principal: Principal, item_id: int, data: ItemClose) -> HandoverItem:
    """Close an open item outside a handover (it was dealt with during the shift)."""
    item = session.get(HandoverItem, item_id, with_for_update={"of": HandoverItem})
    if item is None:
        raise NotFound()
    writable(principal, item.jurisdiction_code, Perm.DUTY_REPORT)
    if item.closed_at is not None:
        raise Conflict("This item is already closed.")
    _close(item, principal, None, data.note)
    session.flush()
    return item
