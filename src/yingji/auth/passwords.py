"""Argon2id password hashing and the password policy.

A new password needs at least ten characters, letters mixed with digits or symbols (GB/T 22239
asks for complexity), must not contain the user name, must not be a common or leaked password (the
30,000 most common passwords of the leaked-password corpus that the ``zxcvbn`` package ships, MIT
licence; also when only digits or symbols are stuck around one: ``Password2026!``), and must not be
the published demo password — which only the demo builder and the test suite may set.
"""

from __future__ import annotations

import string
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from yingji.core.i18n import N_

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
_DUMMY = _hasher.hash("yingji-timing-equaliser")

MIN_LENGTH = 10
_DECORATION = string.digits + string.punctuation + " "
_demo_allowed = False


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Constant work whether or not the user exists (no user-enumeration by timing)."""
    try:
        return _hasher.verify(stored_hash or _DUMMY, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)


@lru_cache(maxsize=1)
def _common() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS  # loaded on the first password set

    return frozenset(FREQUENCY_LISTS["passwords"])


def is_common(password: str) -> bool:
    """On the list, as typed (any case) or once the digits and symbols around it are taken off."""
    low = password.lower()
    core = low.strip(_DECORATION)
    return low in _common() or (len(core) >= 4 and core in _common())


@contextmanager
def demo_password_allowed() -> Iterator[None]:
    """The demo builder sets the published demo password for its demo logins."""
    global _demo_allowed
    before, _demo_allowed = _demo_allowed, True
    try:
        yield
    finally:
        _demo_allowed = before


def allow_demo_password_in_tests() -> None:
    """The test suite's users share the demo password (tests/conftest.py); nothing else calls this."""
    global _demo_allowed
    _demo_allowed = True


def is_demo_password(password: str) -> bool:
    from yingji.demo.builder import DEMO_PASSWORD

    return password == DEMO_PASSWORD


def password_problems(password: str, username: str | None = None) -> list[str]:
    """Message ids for what is wrong with a new password (empty when acceptable)."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(N_("The password must have at least 10 characters."))
    kinds = sum(
        [
            any(c.isdigit() for c in password),
            any(c.isalpha() for c in password),
            any(not c.isalnum() for c in password),
        ]
    )
    if kinds < 2:
        problems.append(N_("The password must mix letters with digits or symbols."))
    if username and len(username) >= 4 and username.lower() in password.lower():
        problems.append(N_("The password must not contain the user name."))
    if is_demo_password(password):
        if not _demo_allowed:
            problems.append(N_("The published demo password cannot be used."))
    elif is_common(password):
        problems.append(N_("This password is on a list of common or leaked passwords. Choose another."))
    return problems
