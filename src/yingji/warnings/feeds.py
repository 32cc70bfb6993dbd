"""Upstream feeds: configured CAP or Atom URLs polled on the job queue; each new entry is imported
(deduplicated by sender + identifier, and by the entry keys already fetched). Addresses are limited
to the hosts the administrator allows (``feedhosts``); a feed's Update or Cancel acts only on
warnings of its own sender that came from outside (``authority``)."""

from __future__ import annotations

from urllib.parse import urljoin

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, in_scope, visible, writable
from yingji.core import clock
from yingji.core.errors import Conflict, ValidationFailed, YingjiError
from yingji.org import codes
from yingji.warnings import atom, authority, capimport, capxml, feedhosts
from yingji.warnings.authority import record_refusal
from yingji.warnings.models import WarningFeed
from yingji.warnings.schemas import FeedIn

SEEN_KEEP = 500


def list_feeds(session: Session, principal: Principal) -> list[WarningFeed]:
    return list(
        session.scalars(
            select(WarningFeed)
            .where(in_scope(WarningFeed.jurisdiction_code, principal))
            .order_by(WarningFeed.id)
        )
    )


def create_feed(session: Session, principal: Principal, data: FeedIn) -> WarningFeed:
    """Register an upstream feed in the principal's jurisdiction."""
    try:
        code = codes.normalise(data.jurisdiction_code or principal.jurisdiction_code)
    except ValueError:
        raise ValidationFailed(
            details=[{"field": "jurisdiction_code", "message": "Unknown division code."}]
        ) from None
    writable(principal, code, Perm.WARNING_PUBLISH)
    feedhosts.check_url(session, data.url)  # only hosts the administrator allows
    if session.scalar(select(WarningFeed.id).where(WarningFeed.url == data.url)) is not None:
        raise Conflict("This feed is already registered.")
    feed = WarningFeed(
        name=data.name,
        url=data.url,
        kind=data.kind,
        jurisdiction_code=code,
        relay=data.relay,
        interval_s=data.interval_s,
        enabled=data.enabled,
        imported_count=0,
        seen=[],
    )
    session.add(feed)
    session.flush()
    return feed


def delete_feed(session: Session, principal: Principal, feed_id: int) -> None:
    feed = visible(principal, session.get(WarningFeed, feed_id))
    writable(principal, feed.jurisdiction_code, Perm.WARNING_PUBLISH)
    session.delete(feed)


def _owner(feed: WarningFeed) -> Principal:
    """The feed imports as the system, bound to the feed's jurisdiction."""
    return Principal.system(feed.jurisdiction_code, what=f"feed:{feed.id}")


def poll(session: Session, feed: WarningFeed) -> dict:
    """Fetch the feed once and import what is new. Returns counts; errors are kept on the feed."""
    now = clock.now()
    feed.last_polled_at = now
    counts = {"entries": 0, "imported": 0, "duplicates": 0, "refused": 0}
    try:
        body = feedhosts.fetch(session, feed.url, max_bytes=capxml.MAX_CAP_BYTES)
        entries = [{"key": feed.url, "xml": body}] if feed.kind == "cap" else atom.read_index(body)
    except (httpx.HTTPError, ValueError, YingjiError) as exc:
        feed.last_error = str(exc)[:2000]
        return counts
    seen = list(feed.seen or [])
    errors: list[str] = []
    refusals: list[authority.AuthorityRefused] = []
    for entry in entries:
        counts["entries"] += 1
        if feed.kind == "atom" and entry["key"] in seen:
            counts["duplicates"] += 1
            continue
        try:
            data = entry.get("xml") or feedhosts.fetch(
                session, urljoin(feed.url, entry["url"]), max_bytes=capxml.MAX_CAP_BYTES
            )
            with session.begin_nested():  # a refused entry leaves nothing behind
                result = capimport.import_message(
                    session,
                    _owner(feed),
                    data,
                    origin="feed",
                    origin_ref=feed.url,
                    relay=feed.relay,
                    feed_id=feed.id,
                )
        except authority.AuthorityRefused as exc:
            counts["refused"] += 1
            errors.append(f"{entry['key']}: {exc}")
            refusals.append(exc)
            continue
        except capxml.CapRejected as exc:
            counts["refused"] += 1
            errors.append(f"{entry['key']}: " + "; ".join(capxml.describe(exc, "en")))
            continue
        except (httpx.HTTPError, ValueError, YingjiError) as exc:
            counts["refused"] += 1
            errors.append(f"{entry['key']}: {exc}")
            continue
        counts["duplicates" if result.duplicate else "imported"] += 1
        if feed.kind == "atom":
            seen.append(entry["key"])
    feed.seen = seen[-SEEN_KEEP:]
    feed.imported_count = (feed.imported_count or 0) + counts["imported"]
    feed.last_error = "\n".join(errors)[:2000] or None
    feed.last_ok_at = now
    for exc in refusals:
        record_refusal(session, _owner(feed), exc, exc.target, note=f"feed {feed.id}: {feed.url}"[:300])
    return counts


def due_feeds(session: Session) -> list[WarningFeed]:
    now = clock.now()
    feeds = session.scalars(select(WarningFeed).where(WarningFeed.enabled.is_(True))).all()
    return [
        f
        for f in feeds
        if f.last_polled_at is None or (now - f.last_polled_at).total_seconds() >= f.interval_s
    ]
