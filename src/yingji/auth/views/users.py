"""User administration pages: the list, a new user, and one user's page (role, disable/enable,
password reset, API tokens, sign out everywhere). Every action goes through ``accounts``, which checks
the administrator's hold on that user; a refusal re-renders the page with the reason."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import select

from yingji.auth import accounts, demo_accounts, service
from yingji.auth.deps import CurrentPrincipal
from yingji.auth.models import ApiToken, User
from yingji.auth.roles import ROLE_LABELS_MSGID, Perm, permissions_of
from yingji.auth.scope import Principal, in_scope, require, visible
from yingji.core import clock, i18n
from yingji.core.deps import DbSession
from yingji.core.errors import YingjiError
from yingji.org import codes
from yingji.web.templating import render

router = APIRouter(include_in_schema=False)


def _errors(exc: YingjiError) -> list[str]:
    return [i18n.gettext(d["message"], **(d.get("params") or {})) for d in exc.details] or [
        i18n.gettext(exc.message, **exc.params)
    ]


def grantable_roles(principal: Principal) -> dict:
    """The roles this administrator may hand out (no more than they hold)."""
    return {r: label for r, label in ROLE_LABELS_MSGID.items() if permissions_of(r) <= principal.permissions}


def _list(request: Request, principal: Principal, session, *, form=None, errors=(), status=200):
    users = session.scalars(select(User).where(in_scope(User.jurisdiction_code, principal)).order_by(User.id))
    return render(
        request,
        "auth/users.html",
        {
            "users": list(users),
            "roles": grantable_roles(principal),
            "form": form or {},
            "errors": list(errors),
            "demo_logins": demo_accounts.warning(request.app.state.db),
        },
        status_code=status,
    )


@router.get("/admin/users")
def users_page(request: Request, principal: CurrentPrincipal, session: DbSession):
    require(principal, Perm.USERS_MANAGE)
    return _list(request, principal, session)


@router.post("/admin/users")
def users_create(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    username: Annotated[str, Form()] = "",
    display_name: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = "",
    jurisdiction_code: Annotated[str, Form()] = "",
):
    require(principal, Perm.USERS_MANAGE)
    form = {
        "username": username,
        "display_name": display_name,
        "role": role,
        "jurisdiction_code": jurisdiction_code,
    }
    try:
        code = codes.normalise(jurisdiction_code)
    except ValueError:
        code = jurisdiction_code
    try:
        with session.begin_nested():
            user = service.create_user(
                session,
                principal,
                username=username.strip(),
                password=password,
                display_name=display_name.strip() or username,
                role=role,
                jurisdiction_code=code,
            )
    except YingjiError as exc:
        return _list(request, principal, session, form=form, errors=_errors(exc), status=exc.status_code)
    return RedirectResponse(f"/admin/users/{user.id}", status_code=303)


# -- one user --------------------------------------------------------------------------------
def _user(principal: Principal, session, user_id: int) -> User:
    require(principal, Perm.USERS_MANAGE)
    return visible(principal, session.get(User, user_id))


def _detail(request, principal, session, user: User, *, errors=(), done=None, token=None, status=200):
    tokens = []
    refusal = None
    try:
        accounts.manageable(principal, user, action="tokens")
        tokens = session.scalars(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
        ).all()
    except YingjiError as exc:  # shown read-only, with the reason
        refusal = i18n.gettext(exc.message, **exc.params)
    return render(
        request,
        "auth/user.html",
        {
            "user": user,
            "tokens": tokens,
            "now": clock.now(),
            "expiry": service.token_expiry,
            "roles": grantable_roles(principal),
            "is_self": user.id == principal.user_id,
            "refusal": refusal,
            "errors": list(errors),
            "done": done,
            "created_token": token,
            "token_days": request.app.state.settings.token_days,
            "demo_logins": demo_accounts.warning(request.app.state.db),
        },
        status_code=status,
    )


@router.get("/admin/users/{user_id}")
def user_page(request: Request, user_id: int, principal: CurrentPrincipal, session: DbSession):
    user = _user(principal, session, user_id)
    return _detail(request, principal, session, user, done=request.query_params.get("done"))


def _act(request, principal, session, user_id: int, action: Callable[[User], object], done: str, shown=False):
    """Run one account action in a savepoint; on refusal show the user's page with the reason.
    ``shown``: the action returns a secret to show once on the page (a new token), not a redirect."""
    user = _user(principal, session, user_id)
    try:
        with session.begin_nested():
            result = action(user)
    except YingjiError as exc:
        session.refresh(user)
        return _detail(request, principal, session, user, errors=_errors(exc), status=exc.status_code)
    if shown:
        return _detail(request, principal, session, user, done=done, token=result)
    return RedirectResponse(f"/admin/users/{user.id}?done={done}", status_code=303)


@router.post("/admin/users/{user_id}/role")
def user_role(
    request: Request,
    user_id: int,
    principal: CurrentPrincipal,
    session: DbSession,
    role: Annotated[str, Form()] = "",
):
    return _act(
        request,
        principal,
        session,
        user_id,
        lambda u: accounts.change_role(session, principal, u, role),
        "role",
    )


@router.post("/admin/users/{user_id}/active")
def user_active(
    request: Request,
    user_id: int,
    principal: CurrentPrincipal,
    session: DbSession,
    active: Annotated[str, Form()] = "",
):
    on = active == "1"
    return _act(
        request,
        principal,
        session,
        user_id,
        lambda u: accounts.set_active(session, principal, u, on),
        "enabled" if on else "disabled",
    )


@router.post("/admin/users/{user_id}/password")
def user_password(
    request: Request,
    user_id: int,
    principal: CurrentPrincipal,
    session: DbSession,
    password: Annotated[str, Form(max_length=200)] = "",
):
    return _act(
        request,
        principal,
        session,
        user_id,
        lambda u: accounts.reset_password(session, principal, u, password),
        "password",
    )


@router.post("/admin/users/{user_id}/sessions/close")
def user_sessions_close(request: Request, user_id: int, principal: CurrentPrincipal, session: DbSession):
    return _act(
        request,
        principal,
        session,
        user_id,
        lambda u: accounts.close_sessions(session, principal, u),
        "sessions",
    )


@router.post("/admin/users/{user_id}/tokens")
def user_token_create(
    request: Request,
    user_id: int,
    principal: CurrentPrincipal,
    session: DbSession,
    name: Annotated[str, Form(max_length=100)] = "api",
):
    days = request.app.state.settings.token_days
    return _act(
        request,
        principal,
        session,
        user_id,
        lambda u: service.create_token(session, principal, u, name.strip() or "api", days=days)[0],
        "token",
        shown=True,
    )


@router.post("/admin/users/{user_id}/tokens/revoke")
def user_tokens_revoke_all(request: Request, user_id: int, principal: CurrentPrincipal, session: DbSession):
    return _act(
        request,
        principal,
        session,
        user_id,
        lambda u: accounts.revoke_all_tokens(session, principal, u),
        "revoked",
    )


@router.post("/admin/users/{user_id}/tokens/{token_id}/revoke")
def user_token_revoke(
    request: Request, user_id: int, token_id: int, principal: CurrentPrincipal, session: DbSession
):
    def revoke(user: User):
        row = session.get(ApiToken, token_id)
        if row is None or row.user_id != user.id:
            from yingji.core.errors import NotFound

            raise NotFound()
        return service.revoke_token(session, principal, token_id)

    return _act(request, principal, session, user_id, revoke, "revoked")
