"""Where upstream feeds may be fetched from, and the fetch itself.

A feed is polled by the server every few minutes, so a feed address is a request the server makes
on someone's behalf (town, county and duty officers may add feeds). Without limits that is a blind
SSRF: an internal address polled forever. So:

- only ``http`` and ``https``, no credentials in the address;
- only hosts on the administrator's allow-list (``WarningFeedHost``: a name, ``*.`` wildcard,
  address or CIDR);
- never a private, loopback, link-local or otherwise non-public address, unless the allowing entry
  says ``allow_private`` (an intranet upstream);
- the checks run at every fetch and on every redirect hop, and the connection goes to the address
  that was checked (the Host header and TLS SNI keep the name), so a DNS answer that changes between
  the check and the connection (rebinding) cannot reach an address that was not checked.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, require
from yingji.core.errors import Conflict, NotFound, ValidationFailed
from yingji.warnings.models import WarningFeedHost

FETCH_TIMEOUT_S = 10.0
MAX_REDIRECTS = 3
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class FeedUrlRefused(ValidationFailed):
    code = "feed_url_refused"
    message = "The feed address is not allowed."


class SchemeRefused(FeedUrlRefused):
    message = "Only http:// and https:// feed addresses without a user name or password are allowed."


class HostNotAllowed(FeedUrlRefused):
    message = "The host {host} is not on the list of feed hosts the administrator allows."


class PrivateAddress(FeedUrlRefused):
    message = (
        "The host {host} resolves to a private, loopback or link-local address ({address}), which the "
        "administrator has not allowed for this host."
    )


class Unresolvable(FeedUrlRefused):
    message = "The host {host} could not be resolved."


# -- the allow-list ----------------------------------------------------------------------------
def _normal_pattern(pattern: str) -> str:
    """``Cma.Gov.CN.`` → ``cma.gov.cn``; addresses and CIDRs in their canonical form; else ''."""
    text = pattern.strip().lower().rstrip(".")
    try:
        return str(ipaddress.ip_network(text, strict=False) if "/" in text else ipaddress.ip_address(text))
    except ValueError:
        pass
    name = text[2:] if text.startswith("*.") else text
    try:
        ascii_name = name.encode("idna").decode()
    except UnicodeError:
        return ""
    labels = ascii_name.split(".")
    if not ascii_name or any(not lab or len(lab) > 63 for lab in labels):
        return ""
    if any(not all(c.isalnum() or c == "-" for c in lab) for lab in labels):
        return ""
    return ("*." if text.startswith("*.") else "") + ascii_name


def list_hosts(session: Session, principal: Principal) -> list[WarningFeedHost]:
    require(principal, Perm.WARNING_PUBLISH)
    return list(session.scalars(select(WarningFeedHost).order_by(WarningFeedHost.pattern)))


def add_host(
    session: Session, principal: Principal, pattern: str, allow_private: bool = False, note: str = ""
) -> WarningFeedHost:
    """The administrator allows feeds from a host (server-wide)."""
    require(principal, Perm.SYSTEM_MANAGE)
    normal = _normal_pattern(pattern)
    if not normal:
        raise ValidationFailed(
            details=[{"field": "pattern", "message": "A host name, *.domain, address or CIDR is required."}]
        )
    if session.scalar(select(WarningFeedHost.id).where(WarningFeedHost.pattern == normal)) is not None:
        raise Conflict("This host is already allowed.")
    row = WarningFeedHost(
        pattern=normal,
        allow_private=allow_private,
        note=note.strip() or None,
        created_by_user_id=principal.user_id,
    )
    session.add(row)
    session.flush()
    return row


def remove_host(session: Session, principal: Principal, host_id: int) -> None:
    require(principal, Perm.SYSTEM_MANAGE)
    row = session.get(WarningFeedHost, host_id)
    if row is None:
        raise NotFound()
    session.delete(row)


def _entry_for(entries: list[WarningFeedHost], host: str) -> WarningFeedHost | None:
    try:
        literal: Address | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    for entry in entries:
        pattern = entry.pattern
        if literal is not None:
            try:
                if literal in ipaddress.ip_network(pattern, strict=False):
                    return entry
            except ValueError:
                continue
        elif pattern == host or (pattern.startswith("*.") and host.endswith(pattern[1:])):
            return entry
    return None


def _public(address: Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


# -- checking and fetching ---------------------------------------------------------------------
@dataclass(frozen=True)
class Checked:
    scheme: str
    host: str
    port: int
    address: str  # the address to connect to (checked)


def check_url(session: Session, url: str) -> Checked:
    """Refuse (``FeedUrlRefused``) an address feeds may not be fetched from."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or parts.username or parts.password or not parts.hostname:
        raise SchemeRefused()
    host = parts.hostname.lower().rstrip(".")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise SchemeRefused() from None
    entries = list(session.scalars(select(WarningFeedHost)))
    entry = _entry_for(entries, host)
    if entry is None:
        raise HostNotAllowed(host=host)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise Unresolvable(host=host) from None
    addresses = list(dict.fromkeys(ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos))
    if not addresses:
        raise Unresolvable(host=host)
    for address in addresses:
        if not _public(address) and not entry.allow_private:
            raise PrivateAddress(host=host, address=str(address))
    return Checked(parts.scheme, host, port, str(addresses[0]))


def _pinned(url: str, checked: Checked) -> tuple[str, dict, dict]:
    """The URL aimed at the checked address, with the headers and extensions that keep the name."""
    parts = urlsplit(url)
    literal = f"[{checked.address}]" if ":" in checked.address else checked.address
    target = urlunsplit((parts.scheme, f"{literal}:{checked.port}", parts.path or "/", parts.query, ""))
    default = checked.port == (443 if checked.scheme == "https" else 80)
    host_header = checked.host if default else f"{checked.host}:{checked.port}"
    extensions = {"sni_hostname": checked.host} if checked.scheme == "https" else {}
    return target, {"Host": host_header}, extensions


def fetch(session: Session, url: str, *, max_bytes: int) -> bytes:
    """GET ``url`` from an allowed host (size-limited; redirects followed by hand, each checked)."""
    with httpx.Client(timeout=FETCH_TIMEOUT_S, follow_redirects=False, trust_env=False) as client:
        for _hop in range(MAX_REDIRECTS + 1):
            checked = check_url(session, url)
            target, headers, extensions = _pinned(url, checked)
            request = client.build_request("GET", target, headers=headers, extensions=extensions)
            resp = client.send(request, stream=True)
            try:
                if resp.is_redirect and "location" in resp.headers:
                    url = urljoin(url, resp.headers["location"])
                    continue
                resp.raise_for_status()
                chunks, size = [], 0
                for chunk in resp.iter_bytes():
                    size += len(chunk)
                    if size > max_bytes:
                        raise ValueError(f"{url}: larger than {max_bytes} bytes")
                    chunks.append(chunk)
                return b"".join(chunks)
            finally:
                resp.close()
    raise ValueError(f"{url}: more than {MAX_REDIRECTS} redirects")
