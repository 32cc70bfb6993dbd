"""The client's address: the one answer that login throttling, the public tip-off limit, audit rows and
security events all use.

``X-Forwarded-For`` is believed only when the connection comes from a proxy named in
``YINGJI_TRUSTED_PROXIES`` (addresses or CIDRs, comma-separated). Each proxy appends the address it
saw, so the list is read from the right: the first address that is not one of our proxies is the
client; what a client wrote into the header itself lies to the left of it and is never used. With
no proxies configured (the default), the header is ignored and the peer address is the client.
``yingji serve`` gives uvicorn the same list (``forwarded_allow_ips``), so its access log agrees; the
rule gives the same answer whether or not uvicorn has already rewritten the peer.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from starlette.requests import HTTPConnection

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=16)
def _networks(proxies: tuple[str, ...]) -> tuple[tuple[Network, ...], frozenset[str]]:
    """Parsed networks, and literal names (a unix socket, a test client) compared as text."""
    nets, literals = [], set()
    for item in proxies:
        try:
            nets.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            literals.add(item)
    return tuple(nets), frozenset(literals)


def _strip_port(value: str) -> str:
    value = value.strip().strip('"')
    if value.startswith("["):  # [2001:db8::1]:443
        return value[1 : value.find("]")] if "]" in value else value
    if value.count(":") == 1:  # 198.51.100.7:5000 (IPv6 has more colons)
        return value.split(":", 1)[0]
    return value


def is_trusted(host: str | None, proxies: tuple[str, ...]) -> bool:
    if not host or not proxies:
        return False
    nets, literals = _networks(proxies)
    if host in literals:
        return True
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(ip in net for net in nets)


def resolve(peer: str | None, forwarded_for: list[str], proxies: tuple[str, ...]) -> str | None:
    """The client's address given the peer and the X-Forwarded-For header values (in order)."""
    if not is_trusted(peer, proxies):
        return peer
    hops = [_strip_port(h) for value in forwarded_for for h in value.split(",")]
    hops = [h for h in hops if h]
    for hop in reversed(hops):
        if not is_trusted(hop, proxies):
            return hop[:64]
    # Every hop is one of ours (the client sits inside a trusted network): the first one is it.
    return hops[0][:64] if hops else peer


def client_address(conn: HTTPConnection) -> str | None:
    """The address of the client that sent this request (see the module's docstring)."""
    peer = conn.client.host if conn.client else None
    proxies = conn.app.state.settings.trusted_proxies
    if not proxies:
        return peer
    return resolve(peer, conn.headers.getlist("x-forwarded-for"), proxies)
