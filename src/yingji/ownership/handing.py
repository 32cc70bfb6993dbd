"""Handing an item over (移交) to a named person, and that person's acceptance.

Only the current owner hands over, or a manager of the holding office (``OWNER_REASSIGN`` over it:
the owner is away), which the hand-over row and the audit log record as such. The new owner must be
able to act on the item: an active user whose jurisdiction covers the holding office and whose role
holds the kind's permission. The owned row is locked, and the form's owner is compared with the
current one, so two hand-overs of one item never both win."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth import audit
from yingji.auth.models import User
from yingji.auth.roles import Perm, Role, permissions_of
from yingji.auth.scope import Principal, in_scope, visible
from yingji.auth.security import note_refusal
from yingji.core import clock
from yingji.core.errors import Conflict, Forbidden, ValidationFailed
from yingji.core.i18n import N_, translate
from yingji.events import publish
from yingji.notify.channels import Message
from yingji.notify.inbox import InboxChannel
from yingji.ownership import kinds
from yingji.ownership.models import Owned, OwnerHandover


class NotOwner(Forbidden):
    code = "not_owner"
    message = "Only its owner ({owner}) or a manager of the place may hand this item over."


class TargetNotEligible(Forbidden):
    code = "owner_target_not_eligible"
    message = "{name} may not take this item: outside its place or without the permission to handle it."


class SameOwner(Conflict):
    code = "owner_same_person"
    message = "{name} already owns this item."


class OwnerChanged(Conflict):
    code = "owner_changed"
    message = "This item has changed hands meanwhile: its owner is now {owner}. Reload and check."


class ItemClosed(Conflict):
    code = "owner_item_closed"
    message = "This item is closed: its owner stays on the record and is no longer handed over."


class NotYours(Forbidden):
    code = "handover_not_yours"
    message = "Only the person it was handed to may accept this hand-over."


def lock(session: Session, principal: Principal, owned_id: int) -> Owned:
    """The ownership row, locked, if the principal sees its item (404 otherwise)."""
    row = session.scalar(
        select(Owned)
        .where(Owned.id == owned_id)
        .with_for_update(of=Owned)
        .execution_options(populate_existing=True)
    )
    return visible(principal, row)


# At the holding office itself only its leaders reassign (an officer does not take a colleague's items);
# from a level above, any OWNER_REASSIGN holder over it (the county over a town's desk).
LEADER_ROLES = frozenset({Role.ADMIN.value, Role.COMMANDER.value})


def is_manager(principal: Principal, holder_code: str) -> bool:
    if not (principal.can(Perm.OWNER_REASSIGN) and principal.covers(holder_code)):
        return False
    return len(principal.jurisdiction_code) < len(holder_code) or principal.role in LEADER_ROLES


def may_hand_over(principal: Principal, row: Owned) -> bool | None:
    """True for the owner, None for a manager of the holding office (allowed, recorded as such),
    False for anyone else."""
    if principal.user_id is not None and principal.user_id == row.owner_user_id:
        return True
    if is_manager(principal, row.holder_code):
        return None
    return False


def eligible(user: User | None, row: Owned) -> bool:
    if user is None or not user.active:
        return False
    kind = kinds.kind(row.kind)
    return row.holder_code.startswith(user.jurisdiction_code) and kind.handle in permissions_of(user.role)


def candidates(session: Session, row: Owned) -> list[User]:
    """The people of the holding office who may take the item (the form's choices), owner left out."""
    users = session.scalars(
        select(User)
        .where(User.jurisdiction_code == row.holder_code, User.active)
        .order_by(User.display_name, User.id)
    )
    return [u for u in users if eligible(u, row) and u.id != row.owner_user_id]


def hand_over(
    session: Session,
    principal: Principal,
    owned_id: int,
    to_user_id: int,
    *,
    note: str | None = None,
    expected_owner_id: int | None = None,
    shift_handover_id: int | None = None,
) -> OwnerHandover:
    """Move the item to ``to_user_id`` (a named, eligible person); the new owner is told at once."""
    row = lock(session, principal, owned_id)
    allowed = may_hand_over(principal, row)
    if allowed is False:
        note_refusal(principal, "forbidden", 403, jurisdiction_code=row.holder_code, note="not_owner")
        raise NotOwner(owner=row.owner_name)
    if expected_owner_id is not None and expected_owner_id != row.owner_user_id:
        raise OwnerChanged(owner=row.owner_name)
    info = kinds.kind(row.kind).describe(session, [row.item_id]).get(row.item_id)
    if info is not None and not info.open:
        raise ItemClosed()
    target = session.get(User, to_user_id)
    if target is None or not target.active:
        raise ValidationFailed(details=[{"field": "to_user_id", "message": "Choose an active user by name."}])
    if not eligible(target, row):
        note_refusal(principal, "forbidden", 403, jurisdiction_code=row.holder_code, note="owner_target")
        raise TargetNotEligible(name=target.display_name)
    if target.id == row.owner_user_id:
        raise SameOwner(name=target.display_name)
    now = clock.now()
    entry = OwnerHandover(
        owned_id=row.id,
        kind=row.kind,
        item_id=row.item_id,
        jurisdiction_code=row.jurisdiction_code,
        from_user_id=row.owner_user_id,
        from_name=row.owner_name,
        to_user_id=target.id,
        to_name=target.display_name,
        at=now,
        note=(note or "").strip() or None,
        by_user_id=principal.user_id,
        by_name=principal.display_name,
        as_manager=allowed is None,
        shift_handover_id=shift_handover_id,
    )
    session.add(entry)
    row.owner_user_id, row.owner_name, row.owner_since = target.id, target.display_name, now
    row.handovers = (row.handovers or 0) + 1
    session.flush()
    if allowed is None:  # the listener records the rows; this says who acted over whose head
        audit.record(
            session,
            "reassign",
            "owned_items",
            row.id,
            jurisdiction_code=row.jurisdiction_code,
            note=f"handed over by a manager: {entry.from_name} → {entry.to_name}",
        )
    _tell(session, row, entry)
    return entry


def _tell(session: Session, row: Owned, entry: OwnerHandover) -> None:
    kind = kinds.kind(row.kind)
    info = kind.describe(session, [row.item_id]).get(row.item_id)
    subject = translate(
        N_("Handed over to you by {name}: {item}"),
        "zh_CN",
        name=entry.from_name,
        item=info.label if info else row.item_id,
    )
    InboxChannel().send(
        session,
        [
            Message(
                recipient_user_id=entry.to_user_id,
                subject=subject,
                body=entry.note or "",
                link=info.url if info else "/ownership/mine",
                category="ownership",
                jurisdiction_code=row.jurisdiction_code,
                key=f"owner-handover:{entry.id}",
            )
        ],
    )
    publish(
        session,
        "owner.changed",
        row.jurisdiction_code,
        {"kind": row.kind, "item_id": row.item_id, "owner_user_id": row.owner_user_id},
    )


def accept(session: Session, principal: Principal, handover_id: int) -> OwnerHandover:
    """The new owner confirms they have taken it (接收确认); accepting twice changes nothing."""
    entry = session.scalar(
        select(OwnerHandover).where(OwnerHandover.id == handover_id).with_for_update(of=OwnerHandover)
    )
    visible(principal, entry)
    if entry.to_user_id != principal.user_id:
        note_refusal(principal, "forbidden", 403, jurisdiction_code=entry.jurisdiction_code, note="handover")
        raise NotYours()
    if entry.accepted_at is None:
        entry.accepted_at = clock.now()
        session.flush()
    return entry


def pending_for(session: Session, principal: Principal) -> list[OwnerHandover]:
    """Hand-overs to the principal not yet accepted (their inbox shows them first)."""
    return list(
        session.scalars(
            select(OwnerHandover)
            .where(OwnerHandover.to_user_id == principal.user_id, OwnerHandover.accepted_at.is_(None))
            .order_by(OwnerHandover.id.desc())
            .limit(200)
        )
    )


def held(
    session: Session, principal: Principal, user_id: int, *, holder_code: str | None = None
) -> list[Owned]:
    """The items a person owns now, in the principal's scope, open ones only, oldest first."""
    stmt = select(Owned).where(Owned.owner_user_id == user_id, in_scope(Owned.jurisdiction_code, principal))
    if holder_code is not None:
        stmt = stmt.where(Owned.holder_code == holder_code)
    rows = list(session.scalars(stmt.order_by(Owned.owner_since, Owned.id).limit(500)))
    infos = describe(session, rows)
    return [r for r in rows if r.id in infos and infos[r.id].open]


def describe(session: Session, rows: list[Owned]) -> dict[int, kinds.ItemInfo]:
    """What each ownership row's item is (label, page, open), by the row's id; one query per kind."""
    by_kind: dict[str, list[Owned]] = {}
    for r in rows:
        by_kind.setdefault(r.kind, []).append(r)
    found: dict[int, kinds.ItemInfo] = {}
    for name, group in by_kind.items():
        infos = kinds.kind(name).describe(session, [r.item_id for r in group])
        for r in group:
            if r.item_id in infos:
                found[r.id] = infos[r.item_id]
    return found


def get_owned(session: Session, principal: Principal, owned_id: int) -> Owned:
    return visible(principal, session.get(Owned, owned_id))


def describe_entries(session: Session, entries: list[OwnerHandover]) -> dict[int, kinds.ItemInfo]:
    """What each hand-over's item is, by the hand-over's id; one query per kind."""
    by_kind: dict[str, list[OwnerHandover]] = {}
    for e in entries:
        by_kind.setdefault(e.kind, []).append(e)
    found: dict[int, kinds.ItemInfo] = {}
    for name, group in by_kind.items():
        infos = kinds.kind(name).describe(session, [e.item_id for e in group])
        found |= {e.id: infos[e.item_id] for e in group if e.item_id in infos}
    return found
