"""The reporter's contact, sealed with the app secret (YINGJI_SECRET_KEY).

No cipher library is a dependency, so the seal is built from the standard library's HMAC-SHA256,
the textbook way: a keystream of HMAC(k_enc, nonce ‖ counter) blocks XORed with the text (a PRF in
counter mode), then HMAC(k_mac, nonce ‖ ciphertext) over it (encrypt-then-MAC); the two keys are
derived from the secret with distinct labels, the nonce is 16 random bytes. A changed secret makes
old seals unreadable (they open as None), as with every other keyed value of the app.
``contact_hash`` is the keyed hash of the normalised phone (as residents/idnumber.py hashes ID
numbers): equal numbers match without opening a seal."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets

NONCE = 16
TAG = 32


def _key(secret: str | None, label: str) -> bytes:
    if secret is None:
        from yingji.delivery.signing import app_secret

        secret = app_secret()
    return hmac.new(secret.encode(), f"yingji-tipoff-{label}".encode(), hashlib.sha256).digest()


def _stream(key: bytes, nonce: bytes, n: int) -> bytes:
    out = bytearray()
    counter = 0
    while len(out) < n:
        out += hmac.new(key, nonce + counter.to_bytes(8, "big"), hashlib.sha256).digest()
        counter += 1
    return bytes(out[:n])


def seal(contact: dict, secret: str | None = None) -> str:
    text = json.dumps(contact, ensure_ascii=False, separators=(",", ":")).encode()
    nonce = secrets.token_bytes(NONCE)
    body = bytes(a ^ b for a, b in zip(text, _stream(_key(secret, "enc"), nonce, len(text)), strict=True))
    tag = hmac.new(_key(secret, "mac"), nonce + body, hashlib.sha256).digest()
    return "v1." + base64.urlsafe_b64encode(nonce + body + tag).decode()


def unseal(sealed: str | None, secret: str | None = None) -> dict | None:
    """The contact, or None when there is none or the seal does not open with this secret."""
    if not sealed or not sealed.startswith("v1."):
        return None
    try:
        raw = base64.urlsafe_b64decode(sealed[3:].encode())
    except ValueError:
        return None
    nonce, body, tag = raw[:NONCE], raw[NONCE:-TAG], raw[-TAG:]
    if len(raw) < NONCE + TAG or not hmac.compare_digest(
        tag, hmac.new(_key(secret, "mac"), nonce + body, hashlib.sha256).digest()
    ):
        return None
    text = bytes(a ^ b for a, b in zip(body, _stream(_key(secret, "enc"), nonce, len(body)), strict=True))
    return json.loads(text)


def contact_hash(phone: str | None, secret: str | None = None) -> str | None:
    digits = re.sub(r"\D", "", phone or "")
    if not digits:
        return None
    return hmac.new(_key(secret, "hash"), digits.encode(), hashlib.sha256).hexdigest()
