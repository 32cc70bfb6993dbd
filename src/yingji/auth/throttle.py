"""Login throttling that slows guessing but cannot be used to lock the real user out.

Every failed password starts or extends a *run* on several keys; after a key's free failures each
further failure makes it wait twice as long as the last (capped), and a run is forgotten an hour after
its last failure. While a key waits, attempts under it are answered 429 with ``Retry-After`` before
the password is even checked (no argon2 work for a flood). The keys:

- ``ip:<addr>`` — every failure from one address (any account): password spraying.
- ``pair:<name>|<addr>`` — failures against one account from one address: guessing from there.
- ``user:<name>`` — failures against the account from anywhere. Its wait applies only to clients
  that have given the account reason to distrust them: an address with a failure against it in the
  current run, or — once ``BYPASS_BUDGET`` fresh addresses have failed during waits in a day
  (``bypass:<name>``) — any address without a known-browser cookie. A fresh address (the duty
  officer at another desk) still gets its password checked, so hammering an account from elsewhere
  does not lock its owner out.
- ``browser:<nonce>`` — a *known browser* (it logged in to the account before: a signed cookie) is
  judged by its own failures only, not by its address or the account's run, so neither an attack on
  the account nor a shared address (NAT, a proxy not configured as trusted) locks it out.

The waits are answers, not sleeps: holding connections open would hand attackers a cheaper denial
of service. The counts live in the database so every server process sees them.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import random
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from yingji.auth.models import LoginThrottle
from yingji.config import Settings
from yingji.core import clock
from yingji.core.errors import TooManyAttempts
from yingji.core.i18n import N_

FORGET = timedelta(hours=1)  # a run ends an hour after its last failure
BYPASS_BUDGET = 20  # fresh addresses that may fail against a waiting account …
BYPASS_MEMORY = timedelta(hours=24)  # … per day: after that only known browsers pass the account's wait
KNOWN_COOKIE = "yingji_known"
KNOWN_DAYS = 90
KNOWN_MAX = 5  # a shared duty-room computer remembers up to five accounts
_table = LoginThrottle.__table__


@dataclass(frozen=True)
class Rule:
    free: int  # failures in a run before any wait
    first_s: float  # the first wait; each further failure doubles it
    cap_s: float  # the longest wait

    def wait(self, failures: int) -> timedelta:
        if failures < self.free:
            return timedelta(0)
        return timedelta(seconds=min(self.cap_s, self.first_s * 2.0 ** min(failures - self.free, 40)))


def rules(settings: Settings) -> dict[str, Rule]:
    cap = settings.login_lock_minutes * 60.0
    per_account = Rule(settings.login_max_failures, 2.0, cap)
    return {
        "ip": Rule(settings.login_max_failures_per_ip, 1.0, cap),
        "pair": per_account,
        "user": per_account,
        "browser": per_account,
    }


class LoginThrottled(TooManyAttempts):
    """429: this client must wait before trying again (``retry_after`` seconds)."""

    def __init__(self, wait: timedelta, scope: str) -> None:
        seconds = max(1, math.ceil(wait.total_seconds()))
        self.retry_after = seconds
        self.scope = scope
        if seconds < 120:
            super().__init__(N_("Too many failed attempts. Try again in {seconds} seconds."), seconds=seconds)
        else:
            super().__init__(minutes=math.ceil(seconds / 60))


# -- runs ------------------------------------------------------------------------------------------
def _memory(key: str) -> timedelta:
    return BYPASS_MEMORY if key.startswith("bypass:") else FORGET


def _stale(now: datetime, memory: timedelta):
    return or_(LoginThrottle.last_failure_at.is_(None), LoginThrottle.last_failure_at < now - memory)


def _read(session: Session, key: str, lock: bool = False):
    stmt = select(_table.c.failures, _table.c.last_failure_at, _table.c.locked_until).where(
        _table.c.key == key
    )
    return session.execute(stmt.with_for_update() if lock else stmt).first()


def _live(row, now: datetime, memory: timedelta = FORGET) -> bool:
    return row is not None and row.last_failure_at is not None and now - row.last_failure_at <= memory


def waiting(row, now: datetime) -> timedelta | None:
    """How long the key must still wait, or None."""
    if _live(row, now) and row.locked_until is not None and row.locked_until > now:
        return row.locked_until - now
    return None


def fail(session: Session, key: str, rule: Rule | None, now: datetime) -> int:
    """Count one failure on ``key`` (an atomic upsert); start its wait if the run is long enough.
    Returns the failures in the run. ``rule`` None counts without ever waiting."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stale = _stale(now, _memory(key))
    stmt = (
        insert(LoginThrottle)
        .values(key=key[:200], failures=1, window_started_at=now, last_failure_at=now, locked_until=None)
        .on_conflict_do_update(
            index_elements=["key"],
            set_={
                "failures": case((stale, 1), else_=LoginThrottle.failures + 1),
                "window_started_at": case((stale, now), else_=LoginThrottle.window_started_at),
                "last_failure_at": now,
            },
        )
        .returning(LoginThrottle.failures)
    )
    failures = session.execute(stmt).scalar_one()
    wait = rule.wait(failures) if rule is not None else timedelta(0)
    if wait:
        session.execute(update(_table).where(_table.c.key == key[:200]).values(locked_until=now + wait))
    if random.random() < 0.01:  # forgotten runs are dead weight: sweep them now and then
        session.execute(
            delete(_table)
            .where(_table.c.last_failure_at < now - 2 * BYPASS_MEMORY)
            .execution_options(synchronize_session=False)
        )
    return failures


def forget(session: Session, *keys: str) -> None:
    session.execute(delete(_table).where(_table.c.key.in_([k[:200] for k in keys])))


# -- the decision ----------------------------------------------------------------------------------
@dataclass
class Plan:
    """Which keys an attempt answers to, decided before the password is checked."""

    keys: list[tuple[str, str]]  # (key, rule name) to count a failure on
    account_waiting: bool
    bypass_key: str | None  # counted when a fresh address fails during the account's wait


def keys_for(username: str, ip: str | None) -> dict[str, str]:
    name = username.lower()[:100]
    addr = (ip or "-")[:64]
    return {
        "ip": f"ip:{addr}",
        "pair": f"pair:{name}|{addr}",
        "user": f"user:{name}",
        "bypass": f"bypass:{name}",
    }


def plan(session: Session, username: str, ip: str | None, browser: str | None) -> Plan:
    """Raise LoginThrottled if this client must wait; else say what a failure will count on."""
    now = clock.now()
    k = keys_for(username, ip)
    user_row = _read(session, k["user"], lock=True)  # one attempt at a time per account at its edge
    if browser is not None:
        key = f"browser:{browser}"
        wait = waiting(_read(session, key), now)
        if wait:
            raise LoginThrottled(wait, "browser")
        return Plan([(key, "browser"), (k["user"], "user")], waiting(user_row, now) is not None, None)
    for scope in ("ip", "pair"):
        wait = waiting(_read(session, k[scope]), now)
        if wait:
            raise LoginThrottled(wait, scope)
    account_wait = waiting(user_row, now)
    bypass = None
    if account_wait:
        pair = _read(session, k["pair"])
        spent = _read(session, k["bypass"])
        if _live(pair, now) or (_live(spent, now, BYPASS_MEMORY) and spent.failures >= BYPASS_BUDGET):
            raise LoginThrottled(account_wait, "account")
        bypass = k["bypass"]  # a fresh address: its password is checked despite the account's wait
    return Plan([(k["ip"], "ip"), (k["pair"], "pair"), (k["user"], "user")], bool(account_wait), bypass)


def record_failure(session: Session, settings: Settings, p: Plan) -> None:
    now = clock.now()
    table = rules(settings)
    for key, rule in p.keys:
        fail(session, key, table[rule], now)
    if p.bypass_key:
        fail(session, p.bypass_key, None, now)


def record_success(session: Session, p: Plan) -> None:
    """A right password clears what this client had against it. The account's run stays while it
    waits (the attack on it goes on); before that, a real login ends it."""
    mine = [key for key, rule in p.keys if rule in ("pair", "browser")]
    if not p.account_waiting:
        mine += [key for key, rule in p.keys if rule == "user"]
    forget(session, *mine)


# -- known browsers --------------------------------------------------------------------------------
def _sign(secret: str, text: str) -> str:
    return hmac.new(secret.encode(), f"known|{text}".encode(), hashlib.sha256).hexdigest()[:32]


def known_browsers(secret: str, cookie: str | None) -> dict[int, str]:
    """user id → the browser's nonce, for each valid, unexpired entry of the cookie."""
    out: dict[int, str] = {}
    now = int(clock.now().timestamp())
    for entry in (cookie or "").split("~")[: KNOWN_MAX * 2]:
        try:
            uid, nonce, expires, signature = entry.split(".")
            if int(expires) < now:
                continue
            if hmac.compare_digest(signature, _sign(secret, f"{uid}.{nonce}.{expires}")):
                out[int(uid)] = nonce
        except ValueError:
            continue
    return out


def remember_browser(secret: str, cookie: str | None, user_id: int) -> str:
    """The cookie value with this account (re)added, newest first, at most KNOWN_MAX accounts."""
    known = known_browsers(secret, cookie)
    nonce = known.get(user_id) or secrets.token_urlsafe(12)  # [A-Za-z0-9_-]: no "." or "~"
    expires = int((clock.now() + timedelta(days=KNOWN_DAYS)).timestamp())
    entry = f"{user_id}.{nonce}.{expires}"
    kept = [
        e
        for e in (cookie or "").split("~")
        if e
        and not e.startswith(f"{user_id}.")
        and e.split(".")[0].isdigit()
        and int(e.split(".")[0]) in known
    ]
    return "~".join([f"{entry}.{_sign(secret, entry)}", *kept][:KNOWN_MAX])
