"""Signing in and out, and one's own password (which ends every session and opens a new one here)."""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import select

from yingji.auth import accounts, audit, security, service, throttle
from yingji.auth.clientaddr import client_address
from yingji.auth.deps import SESSION_COOKIE, CurrentPrincipal, OptionalPrincipal
from yingji.auth.models import User
from yingji.core import i18n
from yingji.core.db import Actor
from yingji.core.deps import DbSession
from yingji.core.errors import ValidationFailed, YingjiError
from yingji.core.http import LANG_COOKIE
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


def set_session_cookie(response, settings, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
        max_age=settings.session_hours * 3600,
    )


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
    ip = client_address(request)
    name = username.strip()
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not cookie or not hmac.compare_digest(cookie, login_csrf):
        security.record(None, None, "csrf_failed", username=name[:64], ip=ip, note="form:login")
        return _login_page(
            request,
            next_url,
            i18n.gettext("The form has expired. Please reload the page and try again."),
            403,
            username,
        )
    session.info["actor"] = Actor(None, f"login:{name[:64]}", ip)
    known = request.cookies.get(throttle.KNOWN_COOKIE)
    try:
        user = service.authenticate(session, settings, name, password, ip, known)
    except throttle.LoginThrottled as exc:
        security.record(None, None, "login_throttled", username=name[:64], ip=ip, note=f"wait:{exc.scope}")
        response = _login_page(request, next_url, i18n.gettext(exc.message, **exc.params), 429, username)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    except service.AccountDisabled as exc:
        security.record(None, None, "login_disabled", username=name[:64], ip=ip)
        return _login_page(request, next_url, i18n.gettext(exc.message), 403, username)
    if user is None:
        target = session.execute(select(User.id, User.jurisdiction_code).where(User.username == name)).first()
        security.record(
            None,
            None,
            "login_failed",
            entity="users",
            entity_id=target.id if target else None,
            jurisdiction_code=target.jurisdiction_code if target else None,
            username=name[:64],
            ip=ip,
        )
        return _login_page(request, next_url, i18n.gettext("Wrong user name or password."), 401, username)
    session.info["actor"] = Actor(user.id, user.username, ip)
    token, _row = service.open_session(session, settings, user, ip, request.headers.get("user-agent"))
    response = RedirectResponse(next_url, status_code=303)
    set_session_cookie(response, settings, token)
    response.set_cookie(
        throttle.KNOWN_COOKIE,
        throttle.remember_browser(settings.secret_key, known, user.id),
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
        max_age=throttle.KNOWN_DAYS * 86400,
        path="/login",
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


@router.get("/account/password")
def password_form(request: Request, principal: CurrentPrincipal):
    return render(request, "auth/password.html", {"errors": {}, "done": request.query_params.get("done")})


@router.post("/account/password")
def password_change(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    current_password: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
    password_again: Annotated[str, Form(max_length=200)] = "",
):
    """Change one's own password: every session and token ends, this browser gets a new session."""
    settings = request.app.state.settings
    user = session.get(User, principal.user_id)
    try:
        if password != password_again:
            raise ValidationFailed(
                details=[{"field": "password_again", "message": "The two passwords differ."}]
            )
        accounts.change_own_password(
            session, settings, user, current_password, password, client_address(request)
        )
    except throttle.LoginThrottled as exc:
        errors = {"_": i18n.gettext(exc.message, **exc.params)}
        return render(request, "auth/password.html", {"errors": errors}, status_code=429)
    except YingjiError as exc:  # returned, not raised: a wrong current password's count must commit
        errors = {d.get("field") or "_": i18n.gettext(d["message"]) for d in exc.details} or {
            "_": i18n.gettext(exc.message, **exc.params)
        }
        return render(request, "auth/password.html", {"errors": errors}, status_code=exc.status_code)
    token, _row = service.open_session(
        session, settings, user, client_address(request), request.headers.get("user-agent")
    )
    response = RedirectResponse("/account/password?done=1", status_code=303)
    set_session_cookie(response, settings, token)
    return response
