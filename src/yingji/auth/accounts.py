"""Managing accounts: a user's API tokens, disabling and enabling, roles, password resets and
"sign out everywhere". Each action checks the acting administrator's hold on *that* user (their
jurisdiction, their permissions, not oneself, not a peer administrator) and is audited: the ORM
listener records the changed columns, explicit rows record what has no row of its own (sessions).
"""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from yingji.auth import audit, demo_accounts, service, throttle
from yingji.auth.models import ApiToken, User, UserSession
from yingji.auth.passwords import verify_password
from yingji.auth.roles import Perm, Role, permissions_of
from yingji.auth.scope import Principal, writable
from yingji.config import Settings
from yingji.core.errors import Forbidden, ValidationFailed
from yingji.core.i18n import N_

SELF_FORBIDDEN = {"role", "active"}  # one cannot change one's own role or disable oneself


def manageable(principal: Principal, user: User, *, action: str) -> None:
    """Raise unless ``principal`` may act on ``user``: 403 out_of_jurisdiction outside their
    subtree; 403 for their own role or account, for a user holding permissions they lack, and for an
    administrator of their own place (peers are managed by the level above)."""
    writable(principal, user.jurisdiction_code, Perm.USERS_MANAGE)
    if user.id == principal.user_id:
        if action in SELF_FORBIDDEN:
            raise Forbidden(N_("You cannot change your own role or disable your own account."))
        return
    if not permissions_of(user.role) <= principal.permissions:
        raise Forbidden(N_("This user holds permissions you do not have."))
    if (
        user.role == Role.ADMIN
        and principal.user_id is not None
        and user.jurisdiction_code == principal.jurisdiction_code
    ):
        raise Forbidden(N_("Administrators of your own level are managed by the level above."))


def tokens_of(session: Session, principal: Principal, user: User) -> list[ApiToken]:
    """A user's tokens, newest first (their own, or any user an administrator may manage)."""
    if user.id != principal.user_id:
        manageable(principal, user, action="tokens")
    return list(
        session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc()))
    )


def revoke_all_tokens(session: Session, principal: Principal, user: User) -> int:
    tokens = [t for t in tokens_of(session, principal, user) if t.revoked_at is None]
    for token in tokens:
        service.revoke_token(session, principal, token.id)
    session.flush()
    return len(tokens)


def _close_sessions(session: Session, user: User, why: str) -> int:
    closed = session.execute(delete(UserSession).where(UserSession.user_id == user.id)).rowcount or 0
    audit.record(
        session,
        "sessions_closed",
        "users",
        user.id,
        jurisdiction_code=user.jurisdiction_code,
        after={"sessions": closed},
        note=why,
    )
    return closed


def close_sessions(session: Session, principal: Principal, user: User) -> int:
    """Sign the user out everywhere (their browsers; tokens are revoked separately)."""
    manageable(principal, user, action="sessions")
    return _close_sessions(session, user, "sign out everywhere")


def set_active(session: Session, principal: Principal, user: User, active: bool) -> User:
    """Disable or enable an account. A disabled user's sessions close and their tokens stop working
    at once (every request checks ``active``); enabling again does not bring the sessions back."""
    manageable(principal, user, action="active")
    if user.active == active:
        return user
    user.active = active
    session.flush()
    demo_accounts.forget()
    if not active:
        _close_sessions(session, user, "account disabled")
    return user


def change_role(session: Session, principal: Principal, user: User, role: str) -> User:
    if role not in {r.value for r in Role}:
        raise ValidationFailed(details=[{"field": "role", "message": "Unknown role."}])
    manageable(principal, user, action="role")
    service.check_grant(principal, role, user.jurisdiction_code)
    if user.role != role:
        user.role = role  # takes effect on the user's next request: the principal is built per request
        session.flush()
    return user


def reset_password(session: Session, principal: Principal, user: User, password: str) -> dict[str, int]:
    """An administrator sets a new password: every session and token of the user ends."""
    manageable(principal, user, action="password")
    return service.set_password(session, user, password)


def change_own_password(
    session: Session, settings: Settings, user: User, current: str, new: str, ip: str | None
) -> dict[str, int]:
    """The user changes their own password (the current one is checked, and a wrong one counts as a
    failed login, so a stolen session cannot guess it fast). Every session and token ends; the caller
    opens a fresh session for the browser that asked."""
    plan = throttle.plan(session, user.username, ip, None)
    if not verify_password(user.password_hash, current):
        throttle.record_failure(session, settings, plan)
        raise ValidationFailed(
            details=[{"field": "current_password", "message": N_("The current password is wrong.")}]
        )
    if current == new:
        raise ValidationFailed(
            details=[
                {"field": "password", "message": N_("Choose a password different from the current one.")}
            ]
        )
    throttle.record_success(session, plan)
    return service.set_password(session, user, new)
