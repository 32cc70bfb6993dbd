"""Who is asking: an API token (``Authorization: Bearer``) or a browser session cookie.

Browser writes must echo the session's CSRF token (form field ``csrf_token`` or header
``X-CSRF-Token``); token-authenticated machine calls carry no cookie and need none.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request

from yingji.auth import service
from yingji.auth.scope import Principal
from yingji.core.deps import SAFE_METHODS, DbSession
from yingji.core.errors import CsrfFailed, Unauthenticated

SESSION_COOKIE = "yingji_session"


async def submitted_csrf(request: Request) -> str | None:
    if request.method in SAFE_METHODS:
        return None
    token = request.headers.get("x-csrf-token")
    if token:
        return token
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get("csrf_token")
        return value if isinstance(value, str) else None
    return None


def _client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def optional_principal(
    request: Request,
    session: DbSession,
    csrf: Annotated[str | None, Depends(submitted_csrf)],
) -> Principal | None:
    request_id = getattr(request.state, "request_id", None)
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        user = service.resolve_token(session, auth[7:].strip())
        if user is None:
            raise Unauthenticated("The API token is not valid.")
        principal = Principal.of(user, ip=_client_ip(request), request_id=request_id)
    else:
        found = service.resolve_session(session, request.cookies.get(SESSION_COOKIE))
        if found is None:
            return None
        user, user_session = found
        if request.method not in SAFE_METHODS and not (
            csrf and hmac.compare_digest(csrf, user_session.csrf_token)
        ):
            raise CsrfFailed()
        request.state.csrf_token = user_session.csrf_token
        principal = Principal.of(user, ip=_client_ip(request), request_id=request_id)
    session.info["actor"] = principal.as_actor()
    request.state.principal = principal
    return principal


def current_principal(principal: Annotated[Principal | None, Depends(optional_principal)]) -> Principal:
    if principal is None:
        raise Unauthenticated()
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
OptionalPrincipal = Annotated[Principal | None, Depends(optional_principal)]
