"""Importing CAP messages (file, API, upstream feeds): validate, deduplicate by sender + identifier,
place in a jurisdiction, link updates and cancels to the messages they reference.

An imported Alert or Update is stored ``published`` (``expired`` if already past ``expires``), a
Cancel ``lifted`` together with the issues it cancels. Ack and Error messages are kept for the
record as ``expired`` (never in force). Imported warnings are passed on to our recipients only
when asked (``relay``: an API flag, a feed setting).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, require
from yingji.core import clock
from yingji.core.errors import Conflict, OutOfJurisdiction
from yingji.org.models import Jurisdiction
from yingji.warnings import capmodel, capxml, hooks, profile, versions
from yingji.warnings.lifecycle import _schedule_expiry
from yingji.warnings.models import Warning


@dataclass
class Imported:
    warning: Warning
    duplicate: bool

    def as_dict(self) -> dict:
        return {
            "id": self.warning.id,
            "identifier": self.warning.identifier,
            "sender": self.warning.sender,
            "status": self.warning.status,
            "duplicate": self.duplicate,
        }


def _existing(session: Session, sender: str, identifier: str) -> Warning | None:
    return session.scalar(select(Warning).where(Warning.sender == sender, Warning.identifier == identifier))


def _root_code(session: Session) -> str:
    return (
        session.scalar(
            select(Jurisdiction.code).order_by(func.length(Jurisdiction.code), Jurisdiction.code).limit(1)
        )
        or ""
    )


def place_of(session: Session, principal: Principal, message: dict) -> str:
    """The jurisdiction of an imported message: the deepest division covering its geocodes,
    narrowed to the importer's jurisdiction when the message covers more than it."""
    found = [
        c
        for c in profile.division_codes(
            [g for info in message["infos"] for area in info["areas"] for g in area["geocodes"]]
        )
        if session.get(Jurisdiction, c) is not None
    ]
    own = principal.jurisdiction_code or _root_code(session)
    if not found:
        return own
    prefix = found[0]
    for code in found[1:]:
        while not code.startswith(prefix):
            prefix = prefix[:-1]
    while prefix and session.get(Jurisdiction, prefix) is None:
        prefix = prefix[:-1]
    if not prefix or own.startswith(prefix):
        return own
    if principal.covers(prefix):
        return prefix
    raise OutOfJurisdiction()


def _referenced(session: Session, message: dict) -> list[Warning]:
    out = []
    for ref in message["references"]:
        sender, identifier, _sent = ref.split(",")
        found = _existing(session, sender, identifier)
        if found is not None:
            out.append(found)
    return out


def _link(session: Session, principal: Principal, warning: Warning, message: dict) -> Warning | None:
    """Attach an Update/Cancel to the chain it references; end the issues it replaces. Returns the
    root of the chain (None when nothing referenced is stored)."""
    referenced = _referenced(session, message)
    if not referenced:
        return None
    root_id = min(r.root_id or r.id for r in referenced)
    root = session.get(Warning, root_id)
    warning.root_id = root_id
    in_force = session.scalars(
        select(Warning)
        .where((Warning.id == root_id) | (Warning.root_id == root_id), Warning.status == "published")
        .with_for_update()
    ).all()
    target = "lifted" if message["msg_type"] == "Cancel" else "updated"
    for issue in in_force:
        if issue is warning:
            continue
        warning.previous_id = issue.id
        issue.status = target
        issue.ended_at = message["sent"]
        versions.record(session, issue, target, principal, f"by {message['identifier']}")
    return root


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
    is returned as it is, marked ``duplicate``."""
    require(principal, Perm.WARNING_PUBLISH)
    message = capxml.parse(data)
    existing = _existing(session, message["sender"], message["identifier"])
    if existing is not None:
        if not principal.covers(existing.jurisdiction_code):
            raise Conflict("This message was already imported.")
        return Imported(existing, True)
    code = place_of(session, principal, message)
    warning = Warning(
        origin=origin, origin_ref=(origin_ref or "")[:300] or None, feed_id=feed_id, relay=relay
    )
    warning.jurisdiction_code = code
    capmodel.apply_alert(warning, message)
    capmodel.set_infos(warning, message["infos"])
    capmodel.sync_summary(warning)
    warning.raw_xml = data.decode("utf-8", errors="replace")
    warning.published_at = clock.now()
    warning.author_user_id = principal.user_id
    msg_type = message["msg_type"]
    now = clock.now()
    if msg_type == "Cancel":
        warning.status, warning.ended_at = "lifted", now
    elif msg_type in ("Ack", "Error") or (warning.expires is not None and warning.expires <= now):
        warning.status, warning.ended_at = "expired", now
    else:
        warning.status = "published"
    try:
        with session.begin_nested():
            session.add(warning)
            session.flush()
    except IntegrityError:  # the same message imported concurrently: keep the first
        found = _existing(session, message["sender"], message["identifier"])
        if found is None:
            raise
        return Imported(found, True)
    root = _link(session, principal, warning, message) if msg_type in ("Update", "Cancel") else None
    versions.record(session, warning, "imported", principal, origin_ref)
    if warning.status == "published":
        _schedule_expiry(session, warning)
    relayed = warning.relay or (root is not None and root.relay)
    if relayed and warning.status == "published":
        warning.relay = True
        hooks.emit(session, warning, "updated" if root is not None else "published")
    elif relayed and msg_type == "Cancel" and root is not None:
        hooks.emit(session, warning, "lifted")
    return Imported(warning, False)
