"""Accounts API: who am I, users (role, disable / enable, password reset), API tokens (list, issue,
revoke), one's own password, the audit log and security events."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from sqlalchemy import select

from yingji.auth import accounts, audit, security, service, throttle
from yingji.auth.clientaddr import client_address
from yingji.auth.deps import CurrentPrincipal
from yingji.auth.models import ApiToken, User
from yingji.auth.roles import Perm
from yingji.auth.schemas import (
    AuditPage,
    ClosedOut,
    MeOut,
    OwnPasswordIn,
    PasswordIn,
    RevokedOut,
    SecurityEventOut,
    SecurityEventPage,
    TokenIn,
    TokenOut,
    TokenRow,
    UserIn,
    UserOut,
    UserPatch,
)
from yingji.auth.scope import Principal, in_scope, require, visible
from yingji.core.deps import DbSession
from yingji.core.errors import YingjiError
from yingji.core.http import respond_error
from yingji.org import codes
from yingji.org.params import PageNo, PageSize, page_json

router = APIRouter(prefix="/api/v1", tags=["accounts"])


def _user(principal: Principal, session, user_id: int) -> User:
    require(principal, Perm.USERS_MANAGE)
    return visible(principal, session.get(User, user_id))


def _token_row(row: ApiToken) -> TokenRow:
    expires = service.token_expiry(row)
    state = service.token_state(row, expires).value
    return TokenRow(
        id=row.id,
        name=row.name,
        prefix=row.prefix,
        created_at=row.created_at,
        expires_at=expires,
        revoked_at=row.revoked_at,
        state=state,
    )


@router.get("/me", response_model=MeOut)
def me(principal: CurrentPrincipal, session: DbSession) -> MeOut:
    user = session.get(User, principal.user_id)
    return MeOut(
        **UserOut.model_validate(user).model_dump(),
        permissions=sorted(p.value for p in principal.permissions),
        jurisdiction_name=user.jurisdiction.name,
    )


@router.post("/me/password", response_model=ClosedOut)
def change_own_password(
    request: Request, data: OwnPasswordIn, principal: CurrentPrincipal, session: DbSession
):
    """Change one's own password: every session and API token of the user ends (this one too)."""
    user = session.get(User, principal.user_id)
    try:
        closed = accounts.change_own_password(
            session,
            request.app.state.settings,
            user,
            data.current_password,
            data.password,
            client_address(request),
        )
    except YingjiError as exc:  # answered, not raised: a wrong current password's count must commit
        response = respond_error(request, exc.status_code, exc.code, exc.message, exc.params, exc.details)
        if isinstance(exc, throttle.LoginThrottled):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response
    return ClosedOut(**closed)


@router.get("/users", response_model=list[UserOut])
def list_users(principal: CurrentPrincipal, session: DbSession) -> list[User]:
    require(principal, Perm.USERS_MANAGE)
    return list(
        session.scalars(select(User).where(in_scope(User.jurisdiction_code, principal)).order_by(User.id))
    )


@router.post("/users", response_model=UserOut, status_code=201)
def create_user(data: UserIn, principal: CurrentPrincipal, session: DbSession) -> User:
    try:
        code = codes.normalise(data.jurisdiction_code)
    except ValueError:
        code = data.jurisdiction_code
    return service.create_user(session, principal, **(data.model_dump() | {"jurisdiction_code": code}))


@router.get("/users/{user_id}", response_model=UserOut)
def get_user(user_id: int, principal: CurrentPrincipal, session: DbSession) -> User:
    return _user(principal, session, user_id)


@router.patch("/users/{user_id}", response_model=UserOut)
def patch_user(user_id: int, data: UserPatch, principal: CurrentPrincipal, session: DbSession) -> User:
    """Change the role and/or disable / enable. Not one's own; not above one's own permissions; only
    users of one's jurisdiction; administrators of one's own place are the level above's to manage."""
    user = _user(principal, session, user_id)
    if data.role is not None:
        accounts.change_role(session, principal, user, data.role)
    if data.active is not None:
        accounts.set_active(session, principal, user, data.active)
    return user


@router.post("/users/{user_id}/password", response_model=ClosedOut)
def reset_password(user_id: int, data: PasswordIn, principal: CurrentPrincipal, session: DbSession):
    user = _user(principal, session, user_id)
    return ClosedOut(**accounts.reset_password(session, principal, user, data.password))


@router.post("/users/{user_id}/sessions/close", status_code=204)
def close_sessions(user_id: int, principal: CurrentPrincipal, session: DbSession) -> None:
    accounts.close_sessions(session, principal, _user(principal, session, user_id))


# -- tokens ------------------------------------------------------------------------------------
@router.get("/me/tokens", response_model=list[TokenRow])
def own_tokens(principal: CurrentPrincipal, session: DbSession) -> list[TokenRow]:
    user = session.get(User, principal.user_id)
    return [_token_row(t) for t in accounts.tokens_of(session, principal, user)]


@router.post("/me/tokens", response_model=TokenOut, status_code=201)
def create_own_token(
    request: Request, data: TokenIn, principal: CurrentPrincipal, session: DbSession
) -> TokenOut:
    user = session.get(User, principal.user_id)
    secret, row = service.create_token(
        session, principal, user, data.name, data.expires_at, days=request.app.state.settings.token_days
    )
    return TokenOut(id=row.id, name=row.name, prefix=row.prefix, token=secret, expires_at=row.expires_at)


@router.get("/users/{user_id}/tokens", response_model=list[TokenRow])
def user_tokens(user_id: int, principal: CurrentPrincipal, session: DbSession) -> list[TokenRow]:
    user = _user(principal, session, user_id)
    return [_token_row(t) for t in accounts.tokens_of(session, principal, user)]


@router.post("/users/{user_id}/tokens", response_model=TokenOut, status_code=201)
def create_user_token(
    request: Request, user_id: int, data: TokenIn, principal: CurrentPrincipal, session: DbSession
) -> TokenOut:
    user = _user(principal, session, user_id)
    secret, row = service.create_token(
        session, principal, user, data.name, data.expires_at, days=request.app.state.settings.token_days
    )
    return TokenOut(id=row.id, name=row.name, prefix=row.prefix, token=secret, expires_at=row.expires_at)


@router.delete("/users/{user_id}/tokens", response_model=RevokedOut)
def revoke_user_tokens(user_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    user = _user(principal, session, user_id)
    return {"revoked": accounts.revoke_all_tokens(session, principal, user)}


@router.delete("/tokens/{token_id}", status_code=204)
def revoke_token(token_id: int, principal: CurrentPrincipal, session: DbSession) -> None:
    row = session.get(ApiToken, token_id)
    owner = session.get(User, row.user_id) if row is not None else None
    if owner is not None and owner.id != principal.user_id:
        _user(principal, session, owner.id)  # someone else's token: 404 outside one's scope
    service.revoke_token(session, principal, token_id)


# -- logs --------------------------------------------------------------------------------------
@router.get("/audit", response_model=AuditPage)
def audit_log(
    principal: CurrentPrincipal,
    session: DbSession,
    entity: str | None = None,
    entity_id: str | None = None,
    actor: str | None = None,
    page: Annotated[int, Query(ge=1)] = 1,
    size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict:
    result = audit.search(
        session, principal, entity=entity, entity_id=entity_id, actor=actor, page=page, size=size
    )
    return {
        "items": [
            {
                "id": e.id,
                "at": e.at,
                "actor": e.actor,
                "actor_id": e.actor_id,
                "action": e.action,
                "entity": e.entity,
                "entity_id": e.entity_id,
                "jurisdiction_code": e.jurisdiction_code,
                "before": e.before,
                "after": e.after,
                "ip": e.ip,
                "request_id": e.request_id,
                "note": e.note,
            }
            for e in result.items
        ],
        "total": result.total,
        "page": result.page,
        "size": result.size,
    }


@router.get("/security-events", response_model=SecurityEventPage)
def security_events(
    principal: CurrentPrincipal,
    session: DbSession,
    kind: str | None = None,
    user: str | None = None,
    ip: str | None = None,
    day_from: Annotated[str | None, Query(description="YYYY-MM-DD, local day")] = None,
    day_to: Annotated[str | None, Query(description="YYYY-MM-DD, local day, inclusive")] = None,
    page: PageNo = 1,
    size: PageSize = 50,
) -> dict:
    """Refusals, scope probes, failed logins and bad tokens in the administrator's jurisdiction."""
    result = security.search(
        session, principal, **security.filters(kind, user, ip, day_from, day_to), page=page, size=size
    )
    return page_json(result, lambda e: SecurityEventOut.model_validate(e).model_dump(mode="json"))
