"""Importing CAP messages (file, API, upstream feeds): validate, deduplicate by sender + identifier,
place in a jurisdiction, link updates and cancels to the messages they reference.

An imported Alert or Update is stored ``published`` (``expired`` if already past ``expires``), a
Cancel ``lifted`` together with the issues it cancels. Ack and Error messages are kept for the
record as ``expired`` (never in force). Imported warnings are passed on to our recipients only
when asked (``relay``: an API flag, a feed setting).

An Update or Cancel changes a stored warning only with authority over it (``authority``: the same
sender, and the importer's jurisdiction); a person's import at a red or orange level waits
(``submitted``) for a leader's approval like a warning composed here (``lifecycle.publish``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, require
from yingji.core import clock
from yingji.core.errors import Conflict, OutOfJurisdiction, ValidationFailed
from yingji.org.models import Jurisdiction
from yingji.warnings import authority, capmodel, capxml, hooks, profile, versions
from yingji.warnings.codes import Action, S
from yingji.warnings.hooks import WarningEvent
from yingji.warnings.lifecycle import _schedule_expiry, check_move
from yingji.warnings.models import Warning


class Placement:
    """Why an imported message sits in its jurisdiction (reported with the import)."""

    AREA = "area"  # the deepest known division covering its geocodes
    CHAIN = "chain"  # an Update or Cancel: where the warning it changes is
    IMPORTER = "importer"  # area outside every known division: the importer's own jurisdiction
    ROOT = "root"  # area outside every known division, imported with the whole scope: the root


@dataclass
class Imported:
    warning: Warning
    duplicate: bool
    placement: str | None = None  # None for a duplicate (placed when first imported)

    def as_dict(self) -> dict:
        return {
            "id": self.warning.id,
            "identifier": self.warning.identifier,
            "sender": self.warning.sender,
            "status": self.warning.status,
            "duplicate": self.duplicate,
            "jurisdiction_code": self.warning.jurisdiction_code,
            "placement": self.placement,
        }


def _existing(session: Session, sender: str, identifier: str) -> Warning | None:
    return session.scalar(select(Warning).where(Warning.sender == sender, Warning.identifier == identifier))


def _root_code(session: Session) -> str | None:
    return session.scalar(
        select(Jurisdiction.code).order_by(func.length(Jurisdiction.code), Jurisdiction.code).limit(1)
    )


def placement_of(session: Session, principal: Principal, message: dict) -> tuple[str, str]:
    """The jurisdiction of an imported message and why (:class:`Placement`): the deepest division
    covering its geocodes, narrowed to the importer's jurisdiction when the message covers more
    than it; an area outside every known division goes to the importer's jurisdiction, or to the
    root for an importer with the whole scope. A database without any division refuses the
    message (nowhere to keep it) instead of failing on the foreign key."""
    found = [
        c
        for c in profile.division_codes(
            [g for info in message["infos"] for area in info["areas"] for g in area["geocodes"]]
        )
        if session.get(Jurisdiction, c) is not None
    ]
    own = principal.jurisdiction_code or None  # "" is the whole country (the CLI, workers)
    if own is None:
        own = _root_code(session)
        if own is None:
            raise Conflict(
                "No jurisdiction is set up yet, so the message has nowhere to be kept: import the "
                "divisions first (yingji import divisions), then import the message again."
            )
    if not found:
        return own, Placement.IMPORTER if principal.jurisdiction_code else Placement.ROOT
    prefix = found[0]
    for code in found[1:]:
        while not code.startswith(prefix):
            prefix = prefix[:-1]
    while prefix and session.get(Jurisdiction, prefix) is None:
        prefix = prefix[:-1]
    if not prefix or own.startswith(prefix):
        return own, Placement.AREA
    if principal.covers(prefix):
        return prefix, Placement.AREA
    raise OutOfJurisdiction()


def place_of(session: Session, principal: Principal, message: dict) -> str:
    """The jurisdiction of an imported message (see :func:`placement_of`)."""
    return placement_of(session, principal, message)[0]


def _referenced(session: Session, references: list[str]) -> list[Warning]:
    out = []
    for ref in references:
        sender, identifier, _sent = ref.split(",")
        found = _existing(session, sender, identifier)
        if found is not None:
            out.append(found)
    return out


def _targets(session: Session, references: list[str]) -> tuple[Warning | None, list[Warning]]:
    """The root of the chain an Update/Cancel references and every warning it would change: the
    referenced messages, the root and the issues of the chain in force (locked)."""
    referenced = _referenced(session, references)
    if not referenced:
        return None, []
    root_id = min(r.root_id or r.id for r in referenced)
    in_force = session.scalars(
        select(Warning)
        .where((Warning.id == root_id) | (Warning.root_id == root_id), Warning.status == S.PUBLISHED)
        .with_for_update()
    ).all()
    root = session.get(Warning, root_id)
    targets = {w.id: w for w in [*referenced, root, *in_force] if w is not None}
    return root, list(targets.values())


def _end_replaced(session: Session, principal: Principal, warning: Warning, root: Warning) -> None:
    """End the issues of the chain that ``warning`` (an Update or Cancel taking effect) replaces."""
    in_force = session.scalars(
        select(Warning)
        .where((Warning.id == root.id) | (Warning.root_id == root.id), Warning.status == S.PUBLISHED)
        .with_for_update()
    ).all()
    target = S.LIFTED if warning.msg_type == "Cancel" else S.UPDATED
    for issue in in_force:
        if issue is warning:
            continue
        warning.previous_id = issue.id
        issue.status = target.value
        issue.ended_at = warning.sent or clock.now()
        versions.record(session, issue, Action(target), principal, f"by {warning.identifier}")


def _take_effect(session: Session, principal: Principal, warning: Warning, root: Warning | None) -> None:
    """An imported message in force now: end what it replaces, start its expiry timer, pass it on
    to our recipients when it is relayed."""
    if root is not None:
        _end_replaced(session, principal, warning, root)
    if warning.status == S.PUBLISHED:
        _schedule_expiry(session, warning)
    relayed = warning.relay or (root is not None and root.relay)
    if relayed and warning.status == S.PUBLISHED:
        warning.relay = True
        hooks.emit(session, warning, WarningEvent.UPDATED if root is not None else WarningEvent.PUBLISHED)
    elif relayed and warning.msg_type == "Cancel" and root is not None:
        hooks.emit(session, warning, WarningEvent.LIFTED)


def import_message(
    session: Session,
    principal: Principal,
    data: bytes,
    *,
    origin: str = "import",
    origin_ref: str | None = None,
    relay: bool = False,
    feed_id: int | None = None,
) -> Imported:
    """Validate and store one CAP message; a message already stored (same sender + identifier)
    is returned as it is, marked ``duplicate``.

    An Update or Cancel of a stored warning must pass :func:`authority.check`; one that a person
    imports at a level needing approval (or an Alert they ask to relay at such a level) is stored
    ``submitted`` and changes nothing until a leader approves and publishes it."""
    require(principal, Perm.WARNING_PUBLISH)
    message = capxml.parse(data)
    existing = _existing(session, message["sender"], message["identifier"])
    if existing is not None:
        if not principal.covers(existing.jurisdiction_code):
            raise Conflict("This message was already imported.")
        return Imported(existing, True)
    msg_type = message["msg_type"]
    via_feed = origin == "feed"
    root, targets = (None, [])
    if msg_type in ("Update", "Cancel"):
        root, targets = _targets(session, message["references"])
        authority.check(session, principal, message["sender"], targets, via_feed=via_feed)
    if root is not None:
        code, placement = root.jurisdiction_code, Placement.CHAIN
    else:
        code, placement = placement_of(session, principal, message)
    warning = Warning(
        origin=origin, origin_ref=(origin_ref or "")[:300] or None, feed_id=feed_id, relay=relay
    )
    warning.jurisdiction_code = code
    capmodel.apply_alert(warning, message)
    capmodel.set_infos(warning, message["infos"])
    capmodel.sync_summary(warning)
    warning.raw_xml = capxml.document_text(data)  # readable whatever its encoding
    warning.author_user_id = principal.user_id
    now = clock.now()
    relayed = relay or (root is not None and root.relay)
    levels = {t.level for t in targets if t.status == S.PUBLISHED}
    if warning.level or not levels:  # a Cancel without info has no level: its target's decides
        levels.add(warning.level)
    held = (
        msg_type not in ("Ack", "Error")
        and (warning.expires is None or warning.expires > now)
        and (root is not None or relayed)
        and authority.needs_approval(principal, via_feed=via_feed, levels=levels)
    )
    if held:
        warning.status, warning.submitted_at = S.SUBMITTED.value, now
        warning.root_id = root.id if root is not None else None
    elif msg_type == "Cancel":
        warning.status, warning.ended_at = S.LIFTED.value, now
    elif msg_type in ("Ack", "Error") or (warning.expires is not None and warning.expires <= now):
        warning.status, warning.ended_at = S.EXPIRED.value, now
    else:
        warning.status = S.PUBLISHED.value
    if not held:
        warning.published_at = now
        warning.root_id = root.id if root is not None else None
    try:
        with session.begin_nested():
            session.add(warning)
            session.flush()
    except IntegrityError:  # the same message imported concurrently: keep the first
        found = _existing(session, message["sender"], message["identifier"])
        if found is None:
            raise
        return Imported(found, True)
    if held:
        versions.record(session, warning, Action.IMPORT_HELD, principal, origin_ref)
        return Imported(warning, False, placement)
    versions.record(session, warning, Action.IMPORTED, principal, origin_ref)
    _take_effect(session, principal, warning, root)
    return Imported(warning, False, placement)


def publish_held(session: Session, principal: Principal, warning: Warning) -> Warning:
    """Publish an imported message that waited for approval (the caller checked the approval):
    the authority is checked again, for the publisher and as things stand now."""
    if warning.expires is not None and warning.expires <= clock.now():
        raise ValidationFailed(details=[{"field": "expires", "message": "The warning has already expired."}])
    root = None
    if warning.msg_type in ("Update", "Cancel"):
        root, targets = _targets(session, list(warning.references or []))
        authority.check(session, principal, warning.sender, targets, via_feed=warning.origin == "feed")
    target = S.LIFTED if warning.msg_type == "Cancel" else S.PUBLISHED
    if target == S.LIFTED and (root is None or not any(t.status == S.PUBLISHED for t in targets)):
        raise Conflict("This warning is not in force.")
    check_move(warning.status, target)
    warning.status = target.value
    warning.published_at = clock.now()
    warning.published_by_user_id = principal.user_id
    if target == S.LIFTED:
        warning.ended_at = warning.published_at
    warning.root_id = root.id if root is not None else None
    versions.record(session, warning, Action(target), principal)
    _take_effect(session, principal, warning, root)
    return warning
