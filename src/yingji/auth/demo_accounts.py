"""Demo accounts left open on a production database: the demo's user names whose password is still
the published demo password. ``yingji serve`` warns at start and the administration pages show a
banner while any exist on PostgreSQL (SQLite is the demo's and the developer's database).

Cheap: one query for the few demo user names; argon2 runs once per stored hash (a changed password
is a new hash), and the answer is kept for ``INTERVAL`` per process.
"""

from __future__ import annotations

import threading
import time

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.models import User
from yingji.auth.passwords import verify_password
from yingji.core.db import Database

INTERVAL_S = 300.0
_lock = threading.Lock()
_verified: dict[str, bool] = {}  # stored hash → it is the demo password's
_cached: dict[str, tuple[float, list[str]]] = {}  # database url → (when, names)


def open_demo_logins(session: Session) -> list[str]:
    """Active demo user names whose password is still the demo password."""
    from yingji.demo.builder import DEMO_PASSWORD, DEMO_USERNAMES

    rows = session.execute(
        select(User.username, User.password_hash).where(User.username.in_(DEMO_USERNAMES), User.active)
    ).all()
    names = []
    for username, stored in rows:
        with _lock:
            known = _verified.get(stored)
        if known is None:
            known = verify_password(stored, DEMO_PASSWORD)
            with _lock:
                _verified[stored] = known
        if known:
            names.append(username)
    return sorted(names, key=DEMO_USERNAMES.index)


def warning(db: Database) -> list[str]:
    """The open demo logins of a PostgreSQL database (none for SQLite), checked at most every
    ``INTERVAL_S`` seconds per process."""
    if db.kind != "postgresql":
        return []
    key = db.settings.database_url
    now = time.monotonic()
    with _lock:
        hit = _cached.get(key)
    if hit is not None and now - hit[0] < INTERVAL_S:
        return hit[1]
    with db.reading() as session:
        names = open_demo_logins(session)
    with _lock:
        _cached[key] = (now, names)
    return names


def forget() -> None:
    """Drop the cached answers (after a password change, so the banner goes at once)."""
    with _lock:
        _cached.clear()
