"""Who may change a warning through an imported CAP Update or Cancel.

A CAP message only *claims* its sender, and the references a Cancel needs are public (our Atom feed
lists them), so anyone may write a Cancel of any warning. An imported Update or Cancel therefore
acts on a stored warning only when

1. its sender is that warning's sender, or an authority configured for that sender over the
   warning's place (``WarningSenderAuthority``, e.g. the provincial bureau over a city's sender), and
2. the principal importing it may change that warning: the warnings permission inside the warning's
   jurisdiction (a town officer cannot end the city's warning, a county officer not another
   county's), and
3. for a feed (a system principal bound to the feed's jurisdiction): the warning came from outside
   (a feed or an import, never one issued here) and has the message's own sender; configured
   authorities do not apply to feeds.

Whether an allowed change then takes effect at once or waits for a leader is the level's approval
rule (``lifecycle``). A refusal names its reason and is recorded as a security event by the caller.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth import security
from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, require, writable
from yingji.core.errors import Forbidden, NotFound, ValidationFailed
from yingji.core.i18n import N_
from yingji.org import codes
from yingji.org.models import Jurisdiction
from yingji.warnings import values
from yingji.warnings.models import Warning, WarningSenderAuthority


class AuthorityRefused(Forbidden):
    """An imported Update or Cancel that may not change the warning it references."""

    code = "warning_authority_refused"
    message = "This message may not change the warning it references."
    # the security-event kind under which the caller records the refusal
    event = "warning_authority_refused"
    target: Warning | None = None  # the warning it tried to change (not shown to the client)


class SenderMismatch(AuthorityRefused):
    message = (
        "The message's sender {sender} is neither the sender of the warning it updates or cancels "
        "nor an authority configured for that sender; nothing was changed."
    )


class OutsideJurisdiction(AuthorityRefused):
    message = "The warning this message updates or cancels is outside your jurisdiction; nothing was changed."


class FeedOnLocal(AuthorityRefused):
    message = (
        "A feed may only update or cancel warnings that came from its own sender, never a warning "
        "issued here; nothing was changed."
    )


security.register_kind(AuthorityRefused.event, N_("Refused: a CAP update or cancel without authority"))


def record_refusal(
    session: Session, principal: Principal, exc: AuthorityRefused, target: Warning | None, note: str = ""
) -> None:
    """The refused attempt as a security event: after the response in a request (whatever the
    request's outcome), else in ``session`` (a feed poll's job transaction)."""
    security.record(
        session,
        principal,
        exc.event,
        entity="warnings",
        entity_id=target.id if target is not None else None,
        jurisdiction_code=target.jurisdiction_code if target is not None else principal.jurisdiction_code,
        note=(f"{exc}" + (f" ({note})" if note else ""))[:500],
    )


def authorities_of(session: Session, sender: str, code: str) -> set[str]:
    """The senders configured as authorities over ``sender``'s warnings at ``code``."""
    rows = session.execute(
        select(WarningSenderAuthority.authority, WarningSenderAuthority.jurisdiction_code).where(
            WarningSenderAuthority.sender == sender
        )
    ).all()
    return {authority for authority, place in rows if code.startswith(place)}


def check(
    session: Session, principal: Principal, sender: str, targets: list[Warning], *, via_feed: bool
) -> None:
    """Raise :class:`AuthorityRefused` unless a message from ``sender``, imported by ``principal``,
    may change every warning in ``targets``."""
    require(principal, Perm.WARNING_PUBLISH)
    for target in targets:
        refusal: AuthorityRefused | None = None
        if via_feed and target.origin == "local":
            refusal = FeedOnLocal()
        elif sender not in {target.sender} | (
            set() if via_feed else authorities_of(session, target.sender, target.jurisdiction_code)
        ):
            refusal = SenderMismatch(sender=sender)
        elif not principal.covers(target.jurisdiction_code):
            refusal = OutsideJurisdiction()  # (scope's own 403 would name no reason)
        if refusal is not None:
            refusal.target = target
            raise refusal


def needs_approval(principal: Principal, *, via_feed: bool, levels: set[str | None]) -> bool:
    """A change made by a person at a level that needs a leader's approval waits for it; the CLI
    operator (system) and a feed (the upstream sender's own decision) act at once."""
    if via_feed or principal.user_id is None:
        return False
    return any(values.requires_approval(level) for level in levels)


# -- configuring authorities -------------------------------------------------------------------
def list_authorities(session: Session, principal: Principal) -> list[WarningSenderAuthority]:
    from yingji.auth.scope import in_scope

    require(principal, Perm.RULES_MANAGE)
    return list(
        session.scalars(
            select(WarningSenderAuthority)
            .where(in_scope(WarningSenderAuthority.jurisdiction_code, principal))
            .order_by(WarningSenderAuthority.sender, WarningSenderAuthority.authority)
        )
    )


def add_authority(
    session: Session, principal: Principal, sender: str, authority: str, code: str | None, note: str = ""
) -> WarningSenderAuthority:
    """Allow ``authority`` to update or cancel ``sender``'s warnings within ``code`` (a rule of the
    principal's own jurisdiction: it can only widen who acts on warnings they could change anyway)."""
    require(principal, Perm.RULES_MANAGE)
    sender, authority = sender.strip(), authority.strip()
    details = [
        {"field": f, "message": "A CAP sender is required (no spaces, commas or angle brackets)."}
        for f, v in (("sender", sender), ("authority", authority))
        if not v or len(v) > 200 or any(c in v for c in " ,<>&\t\r\n")
    ]
    if not details and sender == authority:
        details.append({"field": "authority", "message": "A sender is always its own authority."})
    try:
        place = codes.normalise(code or principal.jurisdiction_code)
    except ValueError:
        place = ""
    if not place or session.get(Jurisdiction, place) is None:
        details.append({"field": "jurisdiction_code", "message": "Unknown division code."})
    if details:
        raise ValidationFailed(details=details)
    writable(principal, place, Perm.RULES_MANAGE)
    existing = session.scalar(
        select(WarningSenderAuthority).where(
            WarningSenderAuthority.sender == sender,
            WarningSenderAuthority.authority == authority,
            WarningSenderAuthority.jurisdiction_code == place,
        )
    )
    if existing is not None:
        return existing
    row = WarningSenderAuthority(
        sender=sender,
        authority=authority,
        jurisdiction_code=place,
        note=note.strip() or None,
        created_by_user_id=principal.user_id,
    )
    session.add(row)
    session.flush()
    return row


def remove_authority(session: Session, principal: Principal, authority_id: int) -> None:
    row = session.get(WarningSenderAuthority, authority_id)
    if row is None or not principal.covers(row.jurisdiction_code):
        raise NotFound()
    writable(principal, row.jurisdiction_code, Perm.RULES_MANAGE)
    session.delete(row)
