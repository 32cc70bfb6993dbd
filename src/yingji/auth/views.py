"""Login, logout and the user administration page."""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import select

from yingji.auth import audit, service
from yingji.auth.deps import SESSION_COOKIE, CurrentPrincipal, OptionalPrincipal
from yingji.auth.models import User
from yingji.auth.roles import ROLE_LABELS_MSGID, Perm
from yingji.auth.scope import in_scope, require
from yingji.core import i18n
from yingji.core.db import Actor
from yingji.core.deps import DbSession
from yingji.core.errors import TooManyAttempts, YingjiError
from yingji.core.http import LANG_COOKIE
from yingji.org import codes
from yingji.web.templating import render

router = APIRouter(include_in_schema=False)
LOGIN_CSRF_COOKIE = "yingji_login_csrf"


def _safe_next(value: str | None) -> str:
    return value if value and value.startswith("/") and not value.startswith("//") else "/"


def _login_page(
    request: Request, next_url: str, error: str | None = None, status: int = 200, username: str = ""
):
    token = secrets.token_urlsafe(24)
    response = render(
        request,
        "login.html",
        {"next": next_url, "error": error, "login_csrf": token, "username": username},
        status_code=status,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=request.app.state.settings.cookie_secure,
        max_age=3600,
    )
    return response


@router.get("/login")
def login_form(request: Request, principal: OptionalPrincipal, next: str = "/"):
    if principal is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return _login_page(request, _safe_next(next))


@router.post("/login")
def login(
    request: Request,
    session: DbSession,
    username: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form()] = "/",
    login_csrf: Annotated[str, Form()] = "",
):
    settings = request.app.state.settings
    next_url = _safe_next(next)
    ip = request.client.host if request.client else None
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not cookie or not hmac.compare_digest(cookie, login_csrf):
        return _login_page(
            request,
            next_url,
            i18n.gettext("The form has expired. Please reload the page and try again."),
            403,
            username,
        )
    session.info["actor"] = Actor(None, f"login:{username[:64]}", ip)
    try:
        user = service.authenticate(session, settings, username.strip(), password, ip)
    except TooManyAttempts as exc:
        return _login_page(request, next_url, i18n.gettext(exc.message, **exc.params), 429, username)
    if user is None:
        return _login_page(request, next_url, i18n.gettext("Wrong user name or password."), 401, username)
    session.info["actor"] = Actor(user.id, user.username, ip)
    token, _row = service.open_session(session, settings, user, ip, request.headers.get("user-agent"))
    response = RedirectResponse(next_url, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
        max_age=settings.session_hours * 3600,
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    if user.locale:
        response.set_cookie(LANG_COOKIE, user.locale, max_age=3600 * 24 * 365, samesite="lax")
    return response


@router.post("/logout")
def logout(request: Request, principal: CurrentPrincipal, session: DbSession):
    service.close_session(session, request.cookies.get(SESSION_COOKIE))
    audit.record(session, "logout", "users", principal.user_id)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/admin/users")
def users_page(request: Request, principal: CurrentPrincipal, session: DbSession):
    require(principal, Perm.USERS_MANAGE)
    users = session.scalars(select(User).where(in_scope(User.jurisdiction_code, principal)).order_by(User.id))
    return render(
        request,
        "users.html",
        {"users": list(users), "roles": ROLE_LABELS_MSGID, "created_token": None, "form": {}, "errors": []},
    )


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
            service.create_user(
                session,
                principal,
                username=username.strip(),
                password=password,
                display_name=display_name.strip() or username,
                role=role,
                jurisdiction_code=code,
            )
    except YingjiError as exc:
        users = session.scalars(
            select(User).where(in_scope(User.jurisdiction_code, principal)).order_by(User.id)
        )
        errors = [i18n.gettext(d["message"]) for d in exc.details] or [
            i18n.gettext(exc.message, **exc.params)
        ]
        return render(
            request,
            "users.html",
            {
                "users": list(users),
                "roles": ROLE_LABELS_MSGID,
                "created_token": None,
                "form": form,
                "errors": errors,
            },
            status_code=exc.status_code,
        )
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/users/{user_id}/tokens")
def users_token(
    request: Request,
    user_id: int,
    principal: CurrentPrincipal,
    session: DbSession,
    name: Annotated[str, Form()] = "api",
):
    require(principal, Perm.USERS_MANAGE)
    from yingji.auth.scope import visible

    user = visible(principal, session.get(User, user_id))
    secret, _row = service.create_token(session, principal, user, name)
    users = session.scalars(select(User).where(in_scope(User.jurisdiction_code, principal)).order_by(User.id))
    return render(
        request,
        "users.html",
        {
            "users": list(users),
            "roles": ROLE_LABELS_MSGID,
            "created_token": {"user": user.username, "token": secret},
            "form": {},
            "errors": [],
        },
    )


@router.get("/audit")
def audit_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    entity: str | None = None,
    entity_id: str | None = None,
    page: int = 1,
):
    from yingji.auth import audit

    result = audit.search(
        session, principal, entity=entity or None, entity_id=entity_id or None, page=max(page, 1)
    )
    return render(
        request, "audit.html", {"page": result, "entity": entity or "", "entity_id": entity_id or ""}
    )
