"""Accounts: users, login with throttling, browser sessions and API tokens.

Managing other people's accounts (roles, disabling, tokens, password resets) is ``accounts.py``.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from yingji.auth import audit, demo_accounts, throttle
from yingji.auth.models import ApiToken, User, UserSession
from yingji.auth.passwords import hash_password, needs_rehash, password_problems, verify_password
from yingji.auth.roles import Perm, Role, permissions_of
from yingji.auth.scope import Principal, writable
from yingji.config import Settings
from yingji.core import clock
from yingji.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from yingji.core.i18n import N_
from yingji.org.models import Jurisdiction

TOKEN_PREFIX = "yj_"
DEFAULT_TOKEN_DAYS = 90


def _sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class AccountDisabled(Forbidden):
    code = "account_disabled"
    message = "This account has been disabled. Ask your administrator."


# -- users ----------------------------------------------------------------------------------
def check_grant(principal: Principal, role: str, jurisdiction_code: str) -> None:
    """No one hands out more than they hold: the role's permissions must be the granter's own, and
    an administrator's peers (an administrator of the same place) are made by the level above."""
    writable(principal, jurisdiction_code, Perm.USERS_MANAGE)
    if not permissions_of(role) <= principal.permissions:
        raise Forbidden(N_("You cannot grant a role with permissions you do not have."))
    if (
        role == Role.ADMIN
        and principal.user_id is not None
        and jurisdiction_code == principal.jurisdiction_code
    ):
        raise Forbidden(N_("Administrators of your own level are managed by the level above."))


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
        details += [{"field": "password", "message": m} for m in password_problems(password, username)]
    if session.get(Jurisdiction, jurisdiction_code) is None:
        details.append({"field": "jurisdiction_code", "message": "Unknown jurisdiction."})
    if details:
        raise ValidationFailed(details=details)
    check_grant(principal, role, jurisdiction_code)
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


def set_password(session: Session, user: User, password: str, *, check: bool = True) -> dict[str, int]:
    """A new password ends every session and API token of the user: whoever held the old one (or
    a token made with it) is out. Returns what was closed."""
    problems = password_problems(password, user.username) if check else []
    if problems:
        raise ValidationFailed(details=[{"field": "password", "message": m} for m in problems])
    user.password_hash = hash_password(password)
    closed = revoke_everything(session, user)
    demo_accounts.forget()
    audit.record(
        session, "password_changed", "users", user.id, jurisdiction_code=user.jurisdiction_code, after=closed
    )
    return closed


def revoke_everything(session: Session, user: User) -> dict[str, int]:
    """Close the user's browser sessions and revoke their live API tokens (audited per token)."""
    sessions = session.execute(delete(UserSession).where(UserSession.user_id == user.id)).rowcount
    now = clock.now()
    tokens = session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ).all()
    for token in tokens:
        token.revoked_at = now
    session.flush()
    return {"sessions": sessions or 0, "tokens": len(tokens)}


# -- login ----------------------------------------------------------------------------------
def authenticate(
    session: Session,
    settings: Settings,
    username: str,
    password: str,
    ip: str | None,
    known_cookie: str | None = None,
) -> User | None:
    """Check a login. Raises LoginThrottled (429, before any password check) when this client
    must wait, AccountDisabled for the right password of a disabled account; None for a wrong one
    (the caller commits the counts, then answers 401). See ``throttle`` for who waits when."""
    user = session.scalar(select(User).where(User.username == username))
    known = throttle.known_browsers(settings.secret_key, known_cookie)
    plan = throttle.plan(session, username, ip, known.get(user.id) if user is not None else None)
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None:
        throttle.record_failure(session, settings, plan)
        return None
    throttle.record_success(session, plan)
    if not user.active:
        raise AccountDisabled()
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
    # one round trip for both rows: this runs before every page
    found = session.execute(
        select(UserSession, User)
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.id == _sha256(token))
    ).first()
    if found is None:
        return None
    row, user = found
    if row.expires_at <= clock.now() or not user.active:
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
    *,
    days: int | None = None,
) -> tuple[str, ApiToken]:
    """Admins issue tokens for anyone in their scope; a user may issue their own. A token lives
    ``days`` (YINGJI_TOKEN_DAYS) unless asked for less; only the system (CLI, tests) may ask for more."""
    if user.id != principal.user_id:
        from yingji.auth.accounts import manageable

        manageable(principal, user, action="tokens")
    if not name or len(name) > 100:
        raise ValidationFailed(details=[{"field": "name", "message": "A name is required."}])
    now = clock.now()
    days = days or DEFAULT_TOKEN_DAYS  # the app passes YINGJI_TOKEN_DAYS; scripts and tests the default
    longest = now + timedelta(days=days)
    if expires_at is None:
        expires_at = longest
    elif expires_at.tzinfo is None:
        expires_at = clock.to_utc(expires_at)
    if expires_at <= now or (expires_at > longest + timedelta(minutes=1) and principal.user_id is not None):
        raise ValidationFailed(
            details=[
                {
                    "field": "expires_at",
                    "message": N_("A token expires in the future, within {days} days."),
                    "params": {"days": days},
                }
            ]
        )
    if not user.active:
        raise Conflict(N_("This account is disabled."))
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        user_id=user.id,
        name=name,
        token_hash=_sha256(secret),
        prefix=secret[:10],
        created_at=now,
        expires_at=expires_at,
    )
    session.add(row)
    session.flush()
    return secret, row


def token_expiry(row: ApiToken) -> datetime:
    """Tokens made before expiry existed count from their creation."""
    return row.expires_at or row.created_at + timedelta(days=DEFAULT_TOKEN_DAYS)


class TokenState(StrEnum):
    """What a token list shows: derived from ``revoked_at`` and the expiry, not stored."""

    VALID = "valid"
    EXPIRED = "expired"
    REVOKED = "revoked"


def token_state(row: ApiToken, expires: datetime | None = None) -> TokenState:
    if row.revoked_at:
        return TokenState.REVOKED
    return TokenState.EXPIRED if (expires or token_expiry(row)) <= clock.now() else TokenState.VALID


def check_token(session: Session, secret: str) -> tuple[User | None, str]:
    """(user, "ok") or (None, why): "unknown", "revoked", "expired" or "disabled"."""
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _sha256(secret)))
    if row is None:
        return None, "unknown"
    if row.revoked_at is not None:
        return None, "revoked"
    if token_expiry(row) <= clock.now():
        return None, "expired"
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None, "disabled"
    return user, "ok"


def revoke_token(session: Session, principal: Principal, token_id: int) -> ApiToken:
    row = session.get(ApiToken, token_id)
    if row is None:
        raise NotFound()
    owner = session.get(User, row.user_id)
    if owner.id != principal.user_id:
        from yingji.auth.accounts import manageable

        manageable(principal, owner, action="tokens")
    if row.revoked_at is None:
        row.revoked_at = clock.now()
    return row
