"""``yingji serve`` as deployed: a real server process on a free port. X-Forwarded-For is believed
only from YINGJI_TRUSTED_PROXIES (uvicorn's default trusted any local process), and demo logins left
open on PostgreSQL are announced loudly at start."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from tests.auth.helpers import fresh_user
from tests.conftest import PASSWORD
from yingji.auth.models import User, UserSession


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, city, tmp: Path, **env: str) -> None:
        self.port = _free_port()
        self.log = tmp / f"serve-{self.port}.log"
        environ = os.environ | {
            "YINGJI_DATABASE_URL": city.db.settings.database_url,
            "YINGJI_VAR_DIR": str(tmp),
            "YINGJI_SECRET_KEY": "test-secret",
            **env,
        }
        environ.pop("FORWARDED_ALLOW_IPS", None)
        cmd = [sys.executable, "-m", "yingji", "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        with open(self.log, "wb") as out:
            self.proc = subprocess.Popen(
                [*cmd, "--no-worker"], env=environ, stdout=out, stderr=subprocess.STDOUT
            )
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
            assert self.proc.poll() is None, self.log.read_text()
        raise AssertionError("server did not start: " + self.log.read_text())

    def login(self, username: str, headers: dict) -> int:
        with httpx.Client(base_url=self.url, headers=headers) as c:
            c.get("/login")
            r = c.post(
                "/login",
                data={
                    "username": username,
                    "password": PASSWORD,
                    "login_csrf": c.cookies.get("yingji_login_csrf"),
                },
            )
            return r.status_code

    def stop(self) -> str:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        return self.log.read_text(errors="replace")


def _session_ip(city, username: str) -> str:
    with city.db.reading() as session:
        uid = session.scalar(select(User.id).where(User.username == username))
        return session.scalar(select(UserSession.ip).where(UserSession.user_id == uid))


@pytest.fixture
def server(city, tmp_path):
    started = []

    def start(**env: str) -> Server:
        s = Server(city, tmp_path, **env)
        started.append(s)
        return s

    yield start
    for s in started:
        if s.proc.poll() is None:
            s.stop()


def test_serve_ignores_forwarded_for_unless_the_proxy_is_trusted(city, server):
    """Defect: from 127.0.0.1 a spoofed X-Forwarded-For was believed (470 guesses a minute)."""
    plain = server()
    user = fresh_user(city)
    assert plain.login(user, {"X-Forwarded-For": "198.51.100.200"}) == 303
    assert _session_ip(city, user) == "127.0.0.1"
    log = plain.stop()
    assert "X-Forwarded-For ignored" in log
    # Demo logins with the published password: loud on PostgreSQL, quiet on SQLite (the demo's own).
    assert ("WARNING: demo accounts still have the published demo password" in log) == (
        city.db.kind == "postgresql"
    )

    proxied = server(YINGJI_TRUSTED_PROXIES="127.0.0.1")
    user = fresh_user(city)
    assert proxied.login(user, {"X-Forwarded-For": "6.6.6.6, 198.51.100.201"}) == 303
    assert _session_ip(city, user) == "198.51.100.201"
    assert "X-Forwarded-For believed from: 127.0.0.1" in proxied.stop()
