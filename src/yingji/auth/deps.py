"""Who is asking: an API token (``Authorization: Bearer``) or a browser session cookie.

Browser writes must echo the session's CSRF token (form field ``csrf_token`` or header
``X-CSRF-Token``); token-authenticated machine calls carry no cookie and need none.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request

from yingji.auth import security, service
from yingji.auth.clientaddr import client_address
from yingji.auth.scope import Principal
from yingji.core.deps import SAFE_METHODS, DbSession
from yingji.core.errors import CsrfFailed, Unauthenticated
from yingji.core.i18n import N_

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


TOKEN_MESSAGES = {
    "expired": N_("The API token has expired."),
    "revoked": N_("The API token has been revoked."),
}


def optional_principal(
    request: Request,
    session: DbSession,
    csrf: Annotated[str | None, Depends(submitted_csrf)],
) -> Principal | None:
    request_id = getattr(request.state, "request_id", None)
    ip = client_address(request)
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        secret = auth[7:].strip()
        user, why = service.check_token(session, secret)
        if user is None:
            security.record(
                None,
                None,
                "invalid_token",
                entity="api_tokens",
                entity_id=secret[:10],
                note=f"token:{why}",
                ip=ip,
            )
            raise Unauthenticated(TOKEN_MESSAGES.get(why, "The API token is not valid."))
        principal = Principal.of(user, ip=ip, request_id=request_id)
    else:
        found = service.resolve_session(session, request.cookies.get(SESSION_COOKIE))
        if found is None:
            return None
        user, user_session = found
        principal = Principal.of(user, ip=ip, request_id=request_id)
        if request.method not in SAFE_METHODS and not (
            csrf and hmac.compare_digest(csrf, user_session.csrf_token)
        ):
            security.record(None, principal, "csrf_failed")
            raise CsrfFailed()
        request.state.csrf_token = user_session.csrf_token
    session.info["actor"] = principal.as_actor()
    request.state.principal = principal
    return principal


async def current_principal(principal: Annotated[Principal | None, Depends(optional_principal)]) -> Principal:
    # async: no I/O here, and a sync dependency costs a hop to a worker thread and back
    if principal is None:
        raise Unauthenticated()
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
OptionalPrincipal = Annotated[Principal | None, Depends(optional_principal)]
