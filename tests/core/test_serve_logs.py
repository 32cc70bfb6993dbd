"""``yingji -v serve`` logs through the masking filter, uvicorn's access log included: signed
acknowledgement links and secret query parameters in request paths are masked."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import httpx
import pytest

from tests.notify.servers import free_port

ACK_TOKEN = "17.1796000000.Zq8vYw2mS0aLr4uT9xXcKg"
QUERY_TOKEN = "querytoken-6f2b8d4a0c"
API_TOKEN = "yj_" + "Abc123Def456Ghi789Jkl012"


@pytest.mark.slow
def test_serve_masks_secrets_in_every_log_line(tmp_path):
    port = free_port()
    env = dict(
        os.environ,
        YINGJI_DATABASE_URL=f"sqlite:///{tmp_path / 'serve.db'}",
        YINGJI_VAR_DIR=str(tmp_path),
        YINGJI_SECRET_KEY="serve-test-secret",
    )
    log = open(tmp_path / "serve.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "yingji",
            "-v",
            "serve",
            "--no-worker",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, (tmp_path / "serve.log").read_text()[-3000:]
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "yingji serve did not start"
            time.sleep(0.2)
        assert httpx.get(f"{url}/ack/{ACK_TOKEN}").status_code < 500
        assert httpx.get(f"{url}/healthz?token={QUERY_TOKEN}").status_code == 200
        r = httpx.get(f"{url}/api/v1/me", headers={"Authorization": f"Bearer {API_TOKEN}"})
        assert r.status_code == 401
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()
    logged = (tmp_path / "serve.log").read_text()
    assert '"GET /ack/*** HTTP/1.1"' in logged and '"GET /healthz?token=*** HTTP/1.1" 200' in logged
    for secret in (ACK_TOKEN, QUERY_TOKEN, API_TOKEN):
        assert secret not in logged
