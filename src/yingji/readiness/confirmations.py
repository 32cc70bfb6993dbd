"""Confirmations by hand (READINESS_MANAGE over the place): an item of a town's or village's
scorecard confirmed with a note (and files as evidence), by whom and when, in force until the end of
the year. A computed item whose data say "not met" is confirmed only as an explicit override, which
the scorecard shows as such; a computed item already met needs no confirmation."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, visible, writable
from yingji.core import clock
from yingji.core.errors import Conflict, NotFound, ValidationFailed
from yingji.core.i18n import N_
from yingji.org.models import Jurisdiction
from yingji.readiness import codes, evidence, facts, scorecards
from yingji.readiness.models import Confirmation
from yingji.readiness.schemas import ConfirmIn


def year_end(day: date) -> date:
    return date(day.year, 12, 31)


def _item(ref: str, level: str) -> codes.Item:
    item = codes.items_by_ref().get(ref)
    if item is None or next(m for m in codes.models() if m.key == item.model).level != level:
        raise ValidationFailed.on("item", N_("This item is not on the checklist of this place."))
    return item


def confirm(
    session: Session, principal: Principal, data: ConfirmIn, *, known: facts.Facts | None = None
) -> Confirmation:
    """Confirm an item of a place; ``known``: facts already computed over a scope containing the
    place in this transaction (the demo confirms many places at once)."""
    place = visible(principal, session.get(Jurisdiction, data.jurisdiction_code), data.jurisdiction_code)
    if place.level not in codes.LEVELS:
        raise ValidationFailed.on("jurisdiction_code", N_("Scorecards are kept for towns and villages only."))
    writable(principal, place.code, Perm.READINESS_MANAGE)
    item = _item(data.item, place.level)
    day = scorecards.today()
    f = known if known is not None else facts.compute(session, place.code, day)
    rules = [(r, None if r in f.unavailable else place.code in f.met.get(r, ())) for r in item.rules]
    computed_ok = all(v for _, v in rules if v is not None)
    if computed_ok and not scorecards.needs_hand(item, rules):
        raise Conflict("This item is met from live data; it needs no confirmation.")
    if not computed_ok and not data.override:
        raise Conflict(
            "The data of this item say it is not met; confirm it only as an override, "
            "which the scorecard shows."
        )
    now = clock.now()
    who = principal.display_name or principal.username
    for old in session.scalars(
        select(Confirmation).where(
            Confirmation.jurisdiction_code == place.code,
            Confirmation.item_ref == item.ref,
            Confirmation.withdrawn_at.is_(None),
        )
    ):
        old.withdrawn_at, old.withdrawn_by = now, who  # superseded by the new one
    row = Confirmation(
        jurisdiction_code=place.code,
        level=place.level,
        item_ref=item.ref,
        note=data.note,
        override=bool(data.override and not computed_ok),
        confirmed_by=who,
        confirmed_by_user_id=principal.user_id,
        confirmed_at=now,
        expires_on=year_end(day),
    )
    session.add(row)
    session.flush()
    return row


def get(session: Session, principal: Principal, confirmation_id: int) -> Confirmation:
    return visible(principal, session.get(Confirmation, confirmation_id))


def withdraw(session: Session, principal: Principal, confirmation_id: int) -> Confirmation:
    row = get(session, principal, confirmation_id)
    writable(principal, row.jurisdiction_code, Perm.READINESS_MANAGE)
    if row.withdrawn_at is not None:
        raise Conflict("This confirmation was already withdrawn.")
    row.withdrawn_at = clock.now()
    row.withdrawn_by = principal.display_name or principal.username
    session.flush()
    return row


def add_evidence(
    session: Session, principal: Principal, confirmation_id: int, data: bytes, filename, *, root, max_bytes
):
    row = get(session, principal, confirmation_id)
    writable(principal, row.jurisdiction_code, Perm.READINESS_MANAGE)
    if row.withdrawn_at is not None:
        raise Conflict("This confirmation was already withdrawn.")
    return evidence.attach(
        session,
        principal,
        code=row.jurisdiction_code,
        data=data,
        filename=filename,
        root=root,
        max_bytes=max_bytes,
        confirmation_id=row.id,
    )


def history(session: Session, principal: Principal, code: str) -> list[Confirmation]:
    """Every confirmation of a place, newest first (withdrawn and expired ones too)."""
    visible(principal, session.get(Jurisdiction, code), code)
    return list(
        session.scalars(
            select(Confirmation)
            .where(Confirmation.jurisdiction_code == code)
            .order_by(Confirmation.confirmed_at.desc(), Confirmation.id.desc())
        )
    )


def out(row: Confirmation) -> dict:
    return {
        "id": row.id,
        "jurisdiction_code": row.jurisdiction_code,
        "item": row.item_ref,
        "note": row.note,
        "override": row.override,
        "confirmed_by": row.confirmed_by,
        "confirmed_at": row.confirmed_at,
        "expires_on": row.expires_on,
        "withdrawn_at": row.withdrawn_at,
        "evidence": [evidence.out(e) for e in row.evidence],
    }


__all__ = ["NotFound", "add_evidence", "confirm", "get", "history", "out", "withdraw"]
