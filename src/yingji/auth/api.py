"""Accounts API: who am I, users, API tokens."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select

from yingji.auth import audit, service
from yingji.auth.deps import CurrentPrincipal
from yingji.auth.models import User
from yingji.auth.roles import Perm
from yingji.auth.schemas import MeOut, TokenIn, TokenOut, UserIn, UserOut
from yingji.auth.scope import in_scope, require, visible
from yingji.core.deps import DbSession
from yingji.org import codes

router = APIRouter(prefix="/api/v1", tags=["accounts"])


@router.get("/me", response_model=MeOut)
def me(principal: CurrentPrincipal, session: DbSession) -> MeOut:
    user = session.get(User, principal.user_id)
    return MeOut(
        **UserOut.model_validate(user).model_dump(),
        permissions=sorted(p.value for p in principal.permissions),
        jurisdiction_name=user.jurisdiction.name,
    )


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


@router.post("/me/tokens", response_model=TokenOut, status_code=201)
def create_own_token(data: TokenIn, principal: CurrentPrincipal, session: DbSession) -> TokenOut:
    user = session.get(User, principal.user_id)
    secret, row = service.create_token(session, principal, user, data.name, data.expires_at)
    return TokenOut(id=row.id, name=row.name, prefix=row.prefix, token=secret, expires_at=row.expires_at)


@router.post("/users/{user_id}/tokens", response_model=TokenOut, status_code=201)
def create_user_token(
    user_id: int, data: TokenIn, principal: CurrentPrincipal, session: DbSession
) -> TokenOut:
    require(principal, Perm.USERS_MANAGE)
    user = visible(principal, session.get(User, user_id))
    secret, row = service.create_token(session, principal, user, data.name, data.expires_at)
    return TokenOut(id=row.id, name=row.name, prefix=row.prefix, token=secret, expires_at=row.expires_at)


@router.delete("/tokens/{token_id}", status_code=204)
def revoke_token(token_id: int, principal: CurrentPrincipal, session: DbSession) -> None:
    service.revoke_token(session, principal, token_id)


@router.get("/audit")
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
