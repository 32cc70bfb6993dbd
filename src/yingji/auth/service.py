"""Accounts: users, login with throttling, browser sessions and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from yingji.auth import audit
from yingji.auth.models import ApiToken, LoginThrottle, User, UserSession
from yingji.auth.passwords import hash_password, needs_rehash, password_problems, verify_password
from yingji.auth.roles import Perm, Role
from yingji.auth.scope import Principal, writable
from yingji.config import Settings
from yingji.core import clock
from yingji.core.errors import Conflict, NotFound, TooManyAttempts, ValidationFailed
from yingji.org.models import Jurisdiction

TOKEN_PREFIX = "yj_"


def _sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# -- users ----------------------------------------------------------------------------------
def create_user(
    session: Session,
    principal: Principal,
    *,
    username: str,
    password: str,
    display_name: str,
    role: str,
    jurisdiction_code: str,
    person_id: int | None = None,
    check_password: bool = True,
) -> User:
    writable(principal, jurisdiction_code, Perm.USERS_MANAGE)
    details = []
    if not username or len(username) > 64 or not username.replace("_", "").replace(".", "").isalnum():
        details.append({"field": "username", "message": "Letters, digits, '.' and '_' only."})
    if role not in {r.value for r in Role}:
        details.append({"field": "role", "message": "Unknown role."})
    if check_password:
        details += [{"field": "password", "message": m} for m in password_problems(password)]
    if session.get(Jurisdiction, jurisdiction_code) is None:
        details.append({"field": "jurisdiction_code", "message": "Unknown jurisdiction."})
    if details:
        raise ValidationFailed(details=details)
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict("The user name {username} is taken.", username=username)
    user = User(
        username=username,
        display_name=display_name,
        password_hash=hash_password(password),
        role=role,
        jurisdiction_code=jurisdiction_code,
        person_id=person_id,
    )
    session.add(user)
    session.flush()
    return user


def set_password(session: Session, user: User, password: str) -> None:
    problems = password_problems(password)
    if problems:
        raise ValidationFailed(details=[{"field": "password", "message": m} for m in problems])
    user.password_hash = hash_password(password)
    session.execute(delete(UserSession).where(UserSession.user_id == user.id))


# -- login throttling -----------------------------------------------------------------------
def _throttle_row(session: Session, key: str) -> LoginThrottle:
    row = session.get(LoginThrottle, key, with_for_update=True)
    if row is None:
        row = LoginThrottle(key=key, failures=0, window_started_at=clock.now())
        session.add(row)
    return row


def _check_locked(session: Session, keys: list[str]) -> None:
    now = clock.now()
    for key in keys:
        row = session.get(LoginThrottle, key)
        if row is not None and row.locked_until is not None and row.locked_until > now:
            minutes = max(1, int((row.locked_until - now).total_seconds() // 60) + 1)
            raise TooManyAttempts(minutes=minutes)


def _register_failure(session: Session, settings: Settings, key: str, limit: int) -> None:
    now = clock.now()
    window = timedelta(minutes=settings.login_lock_minutes)
    row = _throttle_row(session, key)
    if now - row.window_started_at > window:
        row.failures, row.window_started_at = 0, now
    row.failures += 1
    if row.failures >= limit:
        row.locked_until = now + window
        row.failures, row.window_started_at = 0, now


def authenticate(
    session: Session, settings: Settings, username: str, password: str, ip: str | None
) -> User | None:
    """Check a login. Five failures for one name (or many from one address) lock it for a while;
    the lock is kept in the database so every server process sees it."""
    user_key, ip_key = f"user:{username.lower()[:100]}", f"ip:{ip or '-'}"
    _check_locked(session, [user_key, ip_key])
    user = session.scalar(select(User).where(User.username == username))
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.active:
        _register_failure(session, settings, user_key, settings.login_max_failures)
        _register_failure(session, settings, ip_key, settings.login_max_failures_per_ip)
        audit.record(
            session, "login_failed", "users", user.id if user else None, note=f"username={username[:64]}"
        )
        return None  # the caller commits the failure count, then answers 401
    session.execute(delete(LoginThrottle).where(LoginThrottle.key == user_key))
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = clock.now()
    return user


# -- browser sessions -----------------------------------------------------------------------
def open_session(
    session: Session, settings: Settings, user: User, ip: str | None, user_agent: str | None
) -> tuple[str, UserSession]:
    token = secrets.token_urlsafe(32)
    row = UserSession(
        id=_sha256(token),
        user_id=user.id,
        csrf_token=secrets.token_urlsafe(24),
        expires_at=clock.now() + timedelta(hours=settings.session_hours),
        ip=ip,
        user_agent=(user_agent or "")[:300],
    )
    session.add(row)
    audit.record(session, "login", "users", user.id, jurisdiction_code=user.jurisdiction_code)
    return token, row


def resolve_session(session: Session, token: str | None) -> tuple[User, UserSession] | None:
    if not token:
        return None
    row = session.get(UserSession, _sha256(token))
    if row is None or row.expires_at <= clock.now():
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    return user, row


def close_session(session: Session, token: str | None) -> None:
    if token:
        session.execute(delete(UserSession).where(UserSession.id == _sha256(token)))


# -- API tokens -----------------------------------------------------------------------------
def create_token(
    session: Session,
    principal: Principal,
    user: User,
    name: str,
    expires_at: datetime | None = None,
) -> tuple[str, ApiToken]:
    """Admins issue tokens for anyone in their scope; a user may issue their own."""
    if user.id != principal.user_id:
        writable(principal, user.jurisdiction_code, Perm.USERS_MANAGE)
    if not name or len(name) > 100:
        raise ValidationFailed(details=[{"field": "name", "message": "A name is required."}])
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        user_id=user.id,
        name=name,
        token_hash=_sha256(secret),
        prefix=secret[:10],
        expires_at=expires_at,
    )
    session.add(row)
    session.flush()
    return secret, row


def resolve_token(session: Session, secret: str) -> User | None:
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _sha256(secret)))
    now = clock.now()
    if row is None or row.revoked_at is not None or (row.expires_at and row.expires_at <= now):
        return None
    user = session.get(User, row.user_id)
    return user if user is not None and user.active else None


def revoke_token(session: Session, principal: Principal, token_id: int) -> None:
    row = session.get(ApiToken, token_id)
    if row is None:
        raise NotFound()
    owner = session.get(User, row.user_id)
    if owner.id != principal.user_id:
        writable(principal, owner.jurisdiction_code, Perm.USERS_MANAGE)
    row.revoked_at = clock.now()
