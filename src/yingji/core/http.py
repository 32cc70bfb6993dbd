"""HTTP plumbing: request ids, locale, security headers, upload limits, and one error format.

API errors answer ``{"error": {"code", "message" (中文), "message_en", "details"}}``; pages get
an error page in the user's language. Bad input is never a 500.
"""

from __future__ import annotations

import logging
import uuid
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import DataError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from yingji.core import i18n
from yingji.core.errors import (
    DatabaseBusy,
    PayloadTooLarge,
    Unauthenticated,
    UnsupportedMediaType,
    YingjiError,
)
from yingji.core.i18n import N_
from yingji.core.overload import is_saturation, retry_after

log = logging.getLogger("yingji.http")
LANG_COOKIE = "yingji_lang"

HTTP_MESSAGES = {
    400: N_("The request could not be processed."),
    401: N_("Please log in."),
    403: N_("You are not allowed to do this."),
    404: N_("Not found."),
    405: N_("This method is not allowed here."),
    413: N_("The request is too large."),
    422: N_("The submitted data is not valid."),
}


FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


async def raw_body(request: Request, expected: str, limit_bytes: int | None = None) -> bytes:
    """The request body as bytes, for endpoints that take a document (XML, a JSON batch). A form is
    refused with 415: the CSRF check has parsed it already, so its raw stream is gone. The body is
    read as it streams and refused once it passes ``limit_bytes`` (chunked bodies too, which announce
    no length); without one, the global upload limit of :class:`RequestContext` bounds it."""
    if request.headers.get("content-type", "").startswith(FORM_TYPES):
        raise UnsupportedMediaType(expected=expected)
    if limit_bytes is None:
        return await request.body()
    too_large = PayloadTooLarge(limit_mb=max(1, limit_bytes // (1024 * 1024)))
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit_bytes:
        raise too_large
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit_bytes:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


def wants_json(request: Request) -> bool:
    return (
        request.url.path.startswith("/api/")
        or request.url.path == "/healthz"
        or (
            "application/json" in request.headers.get("accept", "")
            and "text/html" not in request.headers.get("accept", "")
        )
    )


def _translate_detail(detail: dict) -> dict:
    out = {k: v for k, v in detail.items() if k not in ("message", "params")}
    message = detail.get("message")
    if message:
        params = detail.get("params") or {}
        out["message"], out["message_en"] = i18n.bilingual(message, **params)
    return out


def error_body(code: str, message: str, params: dict, details: list[dict]) -> dict:
    zh, en = i18n.bilingual(message, **params)
    return {
        "error": {
            "code": code,
            "message": zh,
            "message_en": en,
            "details": [_translate_detail(d) for d in details],
        }
    }


def _page(
    request: Request, status: int, code: str, message: str, params: dict, details: list[dict]
) -> Response:
    from yingji.web.templating import render

    return render(
        request,
        "error.html",
        {
            "status": status,
            "code": code,
            "message": i18n.gettext(message, **params),
            "details": [_translate_detail(d) for d in details],
        },
        status_code=status,
    )


def respond_error(
    request: Request, status: int, code: str, message: str, params: dict, details: list[dict]
) -> Response:
    if wants_json(request):
        headers = {"X-Request-ID": getattr(request.state, "request_id", "")}
        return JSONResponse(error_body(code, message, params, details), status_code=status, headers=headers)
    if status == 401:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
    return _page(request, status, code, message, params, details)


def _bug(request: Request, exc: BaseException) -> Response:
    log.error(
        "unhandled error on %s %s (request %s)",
        request.method,
        request.url.path,
        getattr(request.state, "request_id", "-"),
        exc_info=exc,
    )
    return respond_error(
        request,
        500,
        "internal_error",
        N_("Something went wrong on our side (request {request_id})."),
        {"request_id": getattr(request.state, "request_id", "-")},
        [],
    )


def respond_busy(request: Request, exc: DatabaseBusy) -> Response:
    """503 with Retry-After: the client did nothing wrong and may simply try again."""
    response = respond_error(request, exc.status_code, exc.code, exc.message, exc.params, exc.details)
    response.headers["Retry-After"] = str(exc.retry_after)
    return response


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(YingjiError)
    async def _yingji(request: Request, exc: YingjiError):
        if isinstance(exc, DatabaseBusy):
            return respond_busy(request, exc)
        response = respond_error(request, exc.status_code, exc.code, exc.message, exc.params, exc.details)
        if isinstance(exc, Unauthenticated) and wants_json(request):
            response.headers["WWW-Authenticate"] = "Bearer"
        return response

    @app.exception_handler(OperationalError)
    @app.exception_handler(PoolTimeout)
    async def _saturated(request: Request, exc: Exception):
        # The database's own signs of saturation (pool timeout, too many clients, database is
        # locked): shed like the gates do. Any other operational error is ours.
        if not is_saturation(exc):
            return _bug(request, exc)
        log.warning("database saturated on %s %s: %s", request.method, request.url.path, exc)
        wait = request.app.state.settings.db_wait_s
        return respond_busy(request, DatabaseBusy(retry_after(wait)))

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        details = []
        for err in exc.errors():
            loc = [str(x) for x in err.get("loc", ()) if x not in ("body", "query", "path", "form")]
            details.append(
                {"field": ".".join(loc), "message": "This value is not valid.", "reason": err.get("msg", "")}
            )
        return respond_error(
            request, 422, "validation_failed", "The submitted data is not valid.", {}, details
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        message = HTTP_MESSAGES.get(exc.status_code, "The request could not be processed.")
        return respond_error(request, exc.status_code, f"http_{exc.status_code}", message, {}, [])

    @app.exception_handler(OverflowError)
    @app.exception_handler(DataError)
    async def _out_of_range(request: Request, exc: Exception):
        # A number past the database's range (an id of 10^30 in a URL) or a value the database
        # cannot take: the client's input, not our bug; logged in case it is ours after all.
        log.warning("refused out-of-range value on %s %s: %s", request.method, request.url.path, exc)
        return respond_error(request, 422, "out_of_range", N_("A value is out of range."), {}, [])

    @app.exception_handler(Exception)
    async def _unhandled(request: Request, exc: Exception):
        return _bug(request, exc)


class BodyTooLarge(StarletteHTTPException):
    """Raised from ``receive`` once a body passes the upload limit. An HTTP exception, so that no
    layer in between turns it into a 400; :class:`RequestContext` answers the 413 itself."""

    def __init__(self) -> None:
        super().__init__(status_code=413)


class RequestContext:
    """Request id, locale from the language cookie, body-size limit, security headers.

    A pure ASGI middleware: the limit is enforced on the body as it arrives, so a body without
    Content-Length (chunked) is cut off at the limit instead of being read whole into memory (or, for
    a form, spooled to disk) before anything looks at its size."""

    def __init__(self, app: ASGIApp, *, max_body: int, csp_img: str = "", csp_media: str = "") -> None:
        self.app = app
        self.max_body = max_body
        # Video streams (HLS via hls.js: fetched, then played from a blob: MediaSource) come from
        # the media gateway's hosts, ``csp_media``.
        self.csp = (
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            f"img-src 'self' data: {csp_img}".strip()
            + f"; media-src 'self' blob: {csp_media}".rstrip()
            + f"; connect-src 'self' {csp_media}".rstrip()
            + "; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        request.state.request_id = request.headers.get("x-request-id", "")[:64] or uuid.uuid4().hex
        token = i18n.set_locale(request.cookies.get(LANG_COOKIE) or i18n.DEFAULT_LOCALE)
        try:
            await self._handle(request, scope, receive, send)
        finally:
            i18n.reset_locale(token)

    async def _handle(self, request: Request, scope: Scope, receive: Receive, send: Send) -> None:
        received, exceeded, started = 0, False, False

        async def limited_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    exceeded = True
                    raise BodyTooLarge()
            return message

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if exceeded and not started:
                return  # the app's answer to the cut-off body; ours follows
            if message["type"] == "http.response.start":
                started = True
                self._secure(MutableHeaders(scope=message), request)
            await send(message)

        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > self.max_body:
            await self._too_large(request, scope, receive, send)
            return
        try:
            await self.app(scope, limited_receive, send_with_headers)
        except Exception:
            if not exceeded or started:
                raise
        if exceeded and not started:
            await self._too_large(request, scope, receive, send)

    async def _too_large(self, request: Request, scope: Scope, receive: Receive, send: Send) -> None:
        exc = PayloadTooLarge(limit_mb=self.max_body // (1024 * 1024))
        response = respond_error(request, 413, exc.code, exc.message, exc.params, [])
        self._secure(response.headers, request)
        await response(scope, receive, send)

    def _secure(self, headers: MutableHeaders, request: Request) -> None:
        headers["X-Request-ID"] = request.state.request_id
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Content-Security-Policy", self.csp)
