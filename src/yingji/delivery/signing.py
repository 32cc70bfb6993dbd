"""Signed acknowledgement links: ``/ack/{delivery_id}.{expires}.{signature}``.

The signature is an HMAC-SHA256 of the delivery id and the expiry time, keyed by the application
secret (``YINGJI_SECRET_KEY``), so a grid worker confirms from the SMS without logging in, a changed
id or expiry is refused, and an old link stops working. The web process verifies with its settings'
secret; the worker that writes the SMS signs with the same secret from the environment.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from datetime import datetime, timedelta
from functools import lru_cache

from yingji.core import clock

LINK_VALIDITY = timedelta(hours=48)


@lru_cache(maxsize=1)
def app_secret() -> str:
    """The secret of this process's settings (the same env as ``yingji serve``)."""
    from yingji.config import load_settings

    return load_settings().secret_key


def public_url() -> str:
    """Where phones reach the server (YINGJI_PUBLIC_URL), e.g. https://yj.example.gov.cn."""
    url = os.environ.get("YINGJI_PUBLIC_URL")
    if url:
        return url.rstrip("/")
    host, port = os.environ.get("YINGJI_HOST", "127.0.0.1"), os.environ.get("YINGJI_PORT", "8000")
    return f"http://{host}:{port}"


def _mac(secret: str, delivery_id: int, expires: int) -> str:
    digest = hmac.new(secret.encode(), f"ack:{delivery_id}:{expires}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode()


def sign(secret: str, delivery_id: int, now: datetime | None = None) -> str:
    expires = int(((now or clock.now()) + LINK_VALIDITY).timestamp())
    return f"{delivery_id}.{expires}.{_mac(secret, delivery_id, expires)}"


class BadToken(ValueError):
    """Tampered, malformed or expired."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # "invalid" or "expired"


def verify(secret: str, token: str) -> int:
    """The delivery id of a valid token; raises BadToken."""
    try:
        raw_id, raw_exp, mac = token.split(".", 2)
        delivery_id, expires = int(raw_id), int(raw_exp)
    except ValueError:
        raise BadToken("invalid") from None
    if not hmac.compare_digest(mac, _mac(secret, delivery_id, expires)):
        raise BadToken("invalid")
    if clock.now().timestamp() > expires:
        raise BadToken("expired")
    return delivery_id


def link(secret: str, delivery_id: int) -> str:
    return f"{public_url()}/ack/{sign(secret, delivery_id)}"
