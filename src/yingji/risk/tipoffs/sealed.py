"""The reporter's contact, sealed with the app secret (YINGJI_SECRET_KEY).

AES-256-GCM (the ``cryptography`` package) under a key derived from the secret with its own label; a
12-byte random nonce per seal; the associated data names what is sealed, so a seal moved into another
field does not open. A changed secret makes old seals unreadable (they open as None), as with every
other keyed value of the app. ``contact_hash`` is the keyed hash of the normalised phone (as
residents/idnumber.py hashes ID numbers): equal numbers match without opening a seal."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE = 12
PREFIX = "v2."
AAD = b"yingji-tipoff-contact"


def _key(secret: str | None, label: str) -> bytes:
    if secret is None:
        from yingji.delivery.signing import app_secret

        secret = app_secret()
    return hmac.new(secret.encode(), f"yingji-tipoff-{label}".encode(), hashlib.sha256).digest()


def seal(contact: dict, secret: str | None = None) -> str:
    text = json.dumps(contact, ensure_ascii=False, separators=(",", ":")).encode()
    nonce = secrets.token_bytes(NONCE)
    body = AESGCM(_key(secret, "enc")).encrypt(nonce, text, AAD)
    return PREFIX + base64.urlsafe_b64encode(nonce + body).decode()


def unseal(sealed: str | None, secret: str | None = None) -> dict | None:
    """The contact, or None when there is none or the seal does not open with this secret."""
    if not sealed or not sealed.startswith(PREFIX):
        return None
    try:
        raw = base64.urlsafe_b64decode(sealed[len(PREFIX) :].encode())
        text = AESGCM(_key(secret, "enc")).decrypt(raw[:NONCE], raw[NONCE:], AAD)
    except (ValueError, InvalidTag):
        return None
    return json.loads(text)


def contact_hash(phone: str | None, secret: str | None = None) -> str | None:
    digits = re.sub(r"\D", "", phone or "")
    if not digits:
        return None
    return hmac.new(_key(secret, "hash"), digits.encode(), hashlib.sha256).hexdigest()
