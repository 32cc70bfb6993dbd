"""Real servers on 127.0.0.1 for the channel tests: an HTTP server that speaks like an SMS gateway, a
WeCom and a DingTalk group robot and a loudspeaker controller, and an aiosmtpd SMTP server.

The HTTP server keeps every request it accepted and recognises idempotency keys: a message whose key
it has already taken is answered ``duplicate`` and counted, never accepted twice.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

SMS_TOKEN = "gw-api-key"
DINGTALK_SECRET = "SECtest-dingtalk-secret"
BROADCAST_TOKEN = "bc-token"


@dataclass
class Recorded:
    sms: list[dict] = field(default_factory=list)  # accepted messages
    sms_batches: int = 0
    duplicates: int = 0
    keys: set = field(default_factory=set)
    batch_keys: list[str] = field(default_factory=list)
    wecom: list[dict] = field(default_factory=list)
    dingtalk: list[dict] = field(default_factory=list)
    dingtalk_rejected: int = 0
    broadcast: list[dict] = field(default_factory=list)
    auth: list[str] = field(default_factory=list)


class Gateway:
    """``with Gateway() as gw: gw.url("/sms")`` — a threaded HTTP server in this process."""

    def __init__(self) -> None:
        self.data = Recorded()
        self.lock = threading.Lock()
        self.fail_next = 0  # answer this many SMS requests with 503
        self.hold_request: int | None = None  # block the n-th SMS request until released
        self.held = threading.Event()
        self.release = threading.Event()
        self.reject_numbers: set[str] = set()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                url = urlparse(self.path)
                route = getattr(gateway, "_" + url.path.strip("/").replace("/", "_"), None)
                status, answer = route(self, body, parse_qs(url.query)) if route else (404, {})
                raw = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                with contextlib.suppress(OSError):  # the client may be gone (a killed worker)
                    self.wfile.write(raw)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Gateway:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    def url(self, path: str) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}{path}"

    # -- routes ------------------------------------------------------------------------------
    def _sms(self, handler, body, query):
        with self.lock:
            self.data.sms_batches += 1
            n = self.data.sms_batches
            self.data.auth.append(handler.headers.get("Authorization", ""))
            if self.fail_next > 0:
                self.fail_next -= 1
                return 503, {"error": "busy"}
        if self.hold_request == n:
            self.held.set()
            self.release.wait(timeout=60)
        results = []
        with self.lock:
            self.data.batch_keys.append(handler.headers.get("Idempotency-Key", ""))
            for m in body.get("messages", []):
                key = m.get("id")
                if m.get("to") in self.reject_numbers:
                    results.append({"id": key, "status": "invalid_number"})
                elif key in self.data.keys:
                    self.data.duplicates += 1
                    results.append({"id": key, "status": "duplicate"})
                else:
                    self.data.keys.add(key)
                    self.data.sms.append(m | {"sign": body.get("sign")})
                    results.append({"id": key, "status": "accepted"})
        return 200, {"code": 0, "results": results}

    def _wecom(self, handler, body, query):
        with self.lock:
            self.data.wecom.append(body | {"_key": query.get("key", [""])[0]})
        return 200, {"errcode": 0, "errmsg": "ok"}

    def _wecom_refused(self, handler, body, query):
        """A robot that refuses the request and echoes its key back (as some error pages do)."""
        key = query.get("key", [""])[0]
        return 400, {"errcode": 93000, "errmsg": f"invalid webhook url key={key}; no robot {key}"}

    def _dingtalk(self, handler, body, query):
        ts = query.get("timestamp", [""])[0]
        sign = query.get("sign", [""])[0]  # parse_qs has already URL-decoded it once
        expected = base64.b64encode(
            hmac.new(DINGTALK_SECRET.encode(), f"{ts}\n{DINGTALK_SECRET}".encode(), hashlib.sha256).digest()
        ).decode()
        fresh = ts.isdigit() and abs(time.time() * 1000 - int(ts)) < 3_600_000
        with self.lock:
            if not (fresh and hmac.compare_digest(sign, expected)):
                self.data.dingtalk_rejected += 1
                return 200, {"errcode": 310000, "errmsg": "sign not match"}
            self.data.dingtalk.append(body)
        return 200, {"errcode": 0, "errmsg": "ok"}

    def _broadcast(self, handler, body, query):
        if handler.headers.get("Authorization") != f"Bearer {BROADCAST_TOKEN}":
            return 401, {"code": 401}
        with self.lock:
            self.data.broadcast.append(body)
        return 200, {"code": 0, "task_id": f"t{len(self.data.broadcast)}"}

    # -- views for assertions ----------------------------------------------------------------
    def per_recipient(self, marker: str) -> Counter:
        """Accepted SMS per phone number among messages whose text contains ``marker``."""
        with self.lock:
            return Counter(m["to"] for m in self.data.sms if marker in m["content"])

    def keys_per_recipient(self, marker: str) -> dict[str, set]:
        with self.lock:
            out: dict[str, set] = {}
            for m in self.data.sms:
                if marker in m["content"]:
                    out.setdefault(m["to"], set()).add(m["id"])
            return out


class MailSink:
    """aiosmtpd handler that keeps the parsed messages."""

    def __init__(self) -> None:
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default)))
        return "250 OK"


class SmtpServer:
    """``with SmtpServer() as s: s.port`` — a real SMTP server on 127.0.0.1; with ``login`` (user,
    password) it takes AUTH (without TLS: it is local) and refuses any other password."""

    def __init__(self, login: tuple[str, str] | None = None) -> None:
        self.sink = MailSink()
        self._port = free_port()
        self.logins: list[tuple[str, bool]] = []
        kwargs = {}
        if login is not None:

            def authenticate(server, session, envelope, mechanism, data):
                ok = (data.login.decode(), data.password.decode()) == login
                self.logins.append((data.login.decode(), ok))
                return AuthResult(success=ok, handled=False)  # aiosmtpd answers 235 / 535 itself

            kwargs = {"authenticator": authenticate, "auth_require_tls": False}
        self.controller = Controller(self.sink, hostname="127.0.0.1", port=self._port, **kwargs)

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()

    @property
    def port(self) -> int:
        return self._port


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
