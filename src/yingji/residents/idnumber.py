"""Resident ID numbers (居民身份证号码, GB 11643-1999): checked, then kept only as a keyed hash and
the last four digits. The hash is HMAC-SHA256 of the normalised 18 characters with the server's
secret, so a stolen table cannot be reversed by trying every birth date; the last four let a person
confirm at the desk that the record is theirs."""

from __future__ import annotations

import hashlib
import hmac
import re

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"
SHAPE = re.compile(r"^\d{17}[\dX]$")


class BadIdNumber(ValueError):
    """Not an 18-character ID number with a right check digit."""


def normalise(raw: str | None) -> str:
    """Spaces and dashes out, full-width digits and a lower-case x made plain; raises BadIdNumber."""
    text = (raw or "").strip().translate(str.maketrans("０１２３４５６７８９ｘＸx", "0123456789XXX"))
    text = re.sub(r"[\s\-]", "", text)
    if not SHAPE.match(text):
        raise BadIdNumber("shape")
    if check_digit(text[:17]) != text[17]:
        raise BadIdNumber("check_digit")
    return text


def check_digit(first17: str) -> str:
    return CHECK[sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True)) % 11]


def _secret(secret: str | None) -> bytes:
    if secret is None:
        from yingji.delivery.signing import app_secret

        secret = app_secret()
    return secret.encode()


def hasher(secret: str | None = None):
    """A keyed hasher to copy per number (the demo hashes thousands: one key schedule, not one each)."""
    return hmac.new(_secret(secret), digestmod=hashlib.sha256)


def id_hash(number: str, secret: str | None = None, *, base=None) -> str:
    """The hex HMAC of a *normalised* number."""
    h = (base or hasher(secret)).copy()
    h.update(number.encode())
    return h.hexdigest()


def hash_and_tail(raw: str, secret: str | None = None) -> tuple[str, str]:
    """(hash, last four) of a raw ID number; raises BadIdNumber."""
    number = normalise(raw)
    return id_hash(number, secret), number[-4:]
