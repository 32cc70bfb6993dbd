"""Hostile files: Excel bombs and a chunked upload without Content-Length.

1. Every bomb of ``tests/org/xlsx_bombs.py`` read by ``org.sheets.read`` (the one reader every Excel
   import uses) in a child process of its own: seconds, peak RSS growth, and what happened (refused
   with which reason, or how many rows came out). Killed after ``--timeout`` seconds.
2. The issue's kind of bomb (bare cells, ~810 KB inflating ~290:1) imported over HTTP
   (``POST /api/v1/residents/import``) on a real uvicorn server on SQLite: seconds, the server's peak
   RSS growth, and the longest wait of a write made meanwhile by another connection (SQLite has one
   writer: an import that parses for minutes inside its write transaction blocks everyone).
3. A 300 MB chunked body (no Content-Length) to ``POST /api/v1/warnings/cap`` (a 5 MB document limit)
   and ``POST /api/v1/readings`` (the global limit): status, seconds, the server's peak RSS growth.

``--src DIR`` puts DIR first on the children's and the server's PYTHONPATH, to measure other code
(the code before the fix: ``git archive ce29317 src | tar -x -C /tmp/oldsrc``, then
``--src /tmp/oldsrc/src``). Headline: seconds to answer the bomb import; baseline: a legitimate
1,000-row import of the same endpoint.

    python -m bench.hostile_files
    python -m bench.hostile_files --src /tmp/oldsrc/src --timeout 400
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
from sqlalchemy import update
from tests.org import xlsx_bombs

from bench.common import fresh_database, report

MB = 1024 * 1024
ISSUE_BOMB_MB = 224  # ~810 KB on disk, like the issue's workbook


def _vm(pid: int, key: str) -> int:
    """VmHWM (peak) or VmRSS of a process, in bytes."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _reset_peak(pid: int | str = "self") -> None:
    """Start VmHWM afresh (Linux: writing 5 to clear_refs), so that the peak is the next step's own."""
    with contextlib.suppress(OSError):
        Path(f"/proc/{pid}/clear_refs").write_text("5")


def _server_base(pid: int) -> int:
    """The server's RSS now, with its peak reset: the growth of a request is its VmHWM minus this."""
    _reset_peak(pid)
    return _vm(pid, "VmRSS")


def _child_read(path: str) -> None:
    from yingji.core.errors import YingjiError
    from yingji.org.sheets import read
    from yingji.residents.exchange import COLUMNS

    data = Path(path).read_bytes()
    _reset_peak()
    start_rss = _vm(os.getpid(), "VmRSS")
    print(json.dumps({"start_rss": start_rss}), flush=True)
    started, cpu = time.perf_counter(), time.process_time()
    try:
        rows = read(data, COLUMNS)
        outcome = f"read {len(rows)} rows"
    except YingjiError as exc:
        outcome = f"refused {exc.status_code}: " + str(exc)[:120]
    result = {
        "outcome": outcome,
        "seconds": time.perf_counter() - started,
        "cpu_s": time.process_time() - cpu,
        "rss_mb": (_vm(os.getpid(), "VmHWM") - start_rss) / MB,
    }
    print(json.dumps(result), flush=True)


def _env(src: str | None) -> dict:
    env = dict(os.environ)
    if src:
        env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    return env


def read_in_child(path: Path, src: str | None, timeout: float) -> dict:
    """Seconds, CPU seconds and peak RSS growth of one read, measured by the child around the read;
    a child still reading after ``timeout`` is killed (its peak read from /proc first)."""
    cmd = [sys.executable, "-m", "bench.hostile_files", "--child-read", str(path)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=_env(src))
    start_rss = json.loads(proc.stdout.readline())["start_rss"]
    started, cpu_start = time.perf_counter(), _cpu(proc.pid)
    try:
        proc.wait(timeout=timeout)  # the child writes two short lines: no pipe fills up meanwhile
    except subprocess.TimeoutExpired:
        peak, cpu = _vm(proc.pid, "VmHWM"), _cpu(proc.pid) - cpu_start
        proc.kill()
        proc.wait()
        seconds = time.perf_counter() - started
        return {
            "seconds": seconds,
            "cpu_s": cpu,
            "rss_mb": (peak - start_rss) / MB,
            "outcome": f"killed after {timeout:.0f} s",
        }
    out = proc.stdout.read()
    lines = out.strip().splitlines()
    return json.loads(lines[-1]) if lines else {"seconds": 0, "cpu_s": 0, "rss_mb": 0, "outcome": "crashed"}


def _cpu(pid: int) -> float:
    """User + system CPU seconds of a running process."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def legit_register(rows: int) -> bytes:
    """A legitimate residents register of ``rows`` rows (openpyxl write-only: inline strings), the
    largest kind of file an import takes: it must pass every check, and what the checks cost shows."""
    import io
    import random

    from openpyxl import Workbook

    rng = random.Random(7)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("居民")
    ws.append(
        [
            "姓名",
            "手机号",
            "所属区划代码",
            "所属村组",
            "户号",
            "住址",
            "残疾",
            "独居老人",
            "高龄",
            "接收预警",
            "备注",
        ]
    )
    for i in range(rows):
        name = (
            rng.choice("王李张刘陈杨黄赵吴周") + rng.choice("明华国建军平志伟秀英") + rng.choice("一二三四五")
        )
        mobile = f"1{rng.randint(3, 9)}{rng.randint(0, 999_999_999):09d}"
        code = f"52060210{rng.randint(1, 300):04d}"
        address = f"碧江区灯塔街道{rng.randint(1, 999)}号"
        ws.append(
            [name, mobile, code, f"{rng.randint(1, 30)}组", f"H{i // 4:07d}", address, "", "", "", "是", ""]
        )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


BOMBS = {
    "legit register, 200,000 rows": lambda: legit_register(200_000),
    "cells (issue's kind)": lambda: xlsx_bombs.cells_bomb(ISSUE_BOMB_MB),
    "dimension A1:XFD1048576": lambda: xlsx_bombs.dimension_bomb(150_000),
    "shared strings 400 MB": lambda: xlsx_bombs.strings_bomb(400),
    "overlapping entries 3 GB": lambda: xlsx_bombs.overlap_bomb(12, 256),
    "styles 1M formats": lambda: xlsx_bombs.styles_bomb(1_000_000),
    "conditional formats 1M": lambda: xlsx_bombs.formatting_bomb(1_000_000),
    "100,000 members": lambda: xlsx_bombs.many_members(100_000),
}


# -- the server ---------------------------------------------------------------------------------
def setup(db) -> str:
    from yingji.auth import service as auth_service
    from yingji.auth.scope import Principal
    from yingji.core.db import Actor
    from yingji.org.models import Jurisdiction

    system = Principal.system(what="bench")
    with db.writing(Actor.system("bench")) as session:
        session.add(Jurisdiction(code="52", name="贵州省", level="province"))
        session.add(Jurisdiction(code="5206", name="铜仁市", level="city", parent_code="52"))
        session.add(Jurisdiction(code="520602", name="碧江区", level="county", parent_code="5206"))
        session.add(Jurisdiction(code="520602001", name="环北街道", level="town", parent_code="520602"))
        session.add(
            Jurisdiction(code="520602001001", name="灯塔社区", level="village", parent_code="520602001")
        )
        session.flush()
        user = auth_service.create_user(
            session,
            system,
            username="bench",
            password="Bench@2026x",
            display_name="bench",
            role="county_officer",
            jurisdiction_code="520602",
        )
        secret, _ = auth_service.create_token(session, system, user, "bench")
    return secret


def start_server(db, src: str | None) -> tuple[subprocess.Popen, str]:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = _env(src) | {
        "YINGJI_DATABASE_URL": db.settings.database_url,
        "YINGJI_SECRET_KEY": "bench",
        "YINGJI_INPROCESS_WORKER": "0",
        "YINGJI_VAR_DIR": str(db.settings.var_dir),
    }
    cmd = [sys.executable, "-m", "uvicorn", "yingji.app:create_app", "--factory", "--port", str(port)]
    server = subprocess.Popen([*cmd, "--log-level", "warning"], env=env)
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    return server, base


def legit_residents(rows: int) -> bytes:
    from yingji.org.sheets import write
    from yingji.residents.exchange import COLUMNS

    data = [
        {
            "name": f"居民{i}",
            "jurisdiction_code": "520602001001",
            "household": f"H{i // 3:06d}",
            "subscribed": "是",
        }
        for i in range(rows)
    ]
    return write("居民", COLUMNS, data)


def timed_post(client: httpx.Client, url: str, **kw) -> tuple[float, int, str]:
    started = time.perf_counter()
    try:
        r = client.post(url, **kw)
        return time.perf_counter() - started, r.status_code, r.text[:160]
    except httpx.HTTPError as exc:
        return time.perf_counter() - started, 0, type(exc).__name__


def write_probe(db, stop: threading.Event, waits: list[float]) -> None:
    """Another writer: one small update every 0.25 s, timing how long it waits for the lock."""
    from yingji.core.db import Actor
    from yingji.org.models import Jurisdiction

    while not stop.is_set():
        started = time.perf_counter()
        try:
            with db.writing(Actor.system("probe")) as session:
                session.execute(update(Jurisdiction).where(Jurisdiction.code == "52").values(name="贵州省"))
        except Exception:
            pass
        waits.append(time.perf_counter() - started)
        stop.wait(0.25)


def chunked(total: int, chunk: int = MB):
    block = b"<" + b"x" * (chunk - 1)
    for _ in range(total // chunk):
        yield block


def http_part(src: str | None, timeout: float) -> dict:
    out: dict = {}
    with fresh_database(None, "hostile") as db:
        token = setup(db)
        server, base = start_server(db, src)
        headers = {"Authorization": f"Bearer {token}"}
        try:
            with httpx.Client(timeout=timeout, headers=headers) as client:
                legit = legit_residents(1000)
                files = {"file": ("legit.xlsx", legit, "application/octet-stream")}
                out["legit_s"], out["legit_status"], _ = timed_post(
                    client, base + "/api/v1/residents/import", files=files
                )
                bomb = xlsx_bombs.cells_bomb(ISSUE_BOMB_MB)
                out["bomb_kb"] = len(bomb) / 1024
                hwm = _server_base(server.pid)
                stop, waits = threading.Event(), []
                probe = threading.Thread(target=write_probe, args=(db, stop, waits))
                probe.start()
                files = {"file": ("bomb.xlsx", bomb, "application/octet-stream")}
                out["bomb_s"], out["bomb_status"], out["bomb_answer"] = timed_post(
                    client, base + "/api/v1/residents/import", files=files
                )
                stop.set()
                probe.join()
                out["bomb_rss_mb"] = (_vm(server.pid, "VmHWM") - hwm) / MB
                out["max_write_wait_s"] = max(waits, default=0.0)
                for name, url in (("cap", "/api/v1/warnings/cap"), ("readings", "/api/v1/readings")):
                    hwm = _server_base(server.pid)
                    seconds, status, answer = timed_post(
                        client,
                        base + url,
                        content=chunked(300 * MB),
                        headers={
                            "Content-Type": "application/json" if name == "readings" else "application/xml"
                        },
                    )
                    out[f"chunked_{name}"] = {
                        "status": status,
                        "seconds": seconds,
                        "rss_mb": (_vm(server.pid, "VmHWM") - hwm) / MB,
                        "answer": answer,
                    }
        finally:
            server.terminate()
            server.wait(30)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--src", help="a source tree to measure instead of the installed one")
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--only", choices=["read", "http"], help="run one part")
    parser.add_argument("--child-read", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_read:
        _child_read(args.child_read)
        return
    rows, result = [], {}
    if args.only in (None, "read"):
        with tempfile.TemporaryDirectory() as tmp:
            for name, build in BOMBS.items():
                path = Path(tmp) / "bomb.xlsx"
                data = build()
                path.write_bytes(data)
                got = read_in_child(path, args.src, args.timeout)
                rows.append(
                    (
                        f"read: {name} ({len(data) / 1024:.0f} KB)",
                        f"{got['seconds']:.2f} s ({got['cpu_s']:.2f} s CPU), "
                        f"+{got['rss_mb']:.0f} MB peak RSS, {got['outcome']}",
                    )
                )
                result[f"read {name}"] = got
    if args.only in (None, "http"):
        got = http_part(args.src, args.timeout)
        rows.append(("import: legit 1,000 rows", f"{got['legit_s']:.2f} s (HTTP {got['legit_status']})"))
        rows.append(
            (
                f"import: issue's bomb ({got['bomb_kb']:.0f} KB)",
                f"{got['bomb_s']:.2f} s (HTTP {got['bomb_status']}), +{got['bomb_rss_mb']:.0f} MB server "
                f"peak RSS, longest concurrent write wait {got['max_write_wait_s']:.2f} s",
            )
        )
        for name in ("cap", "readings"):
            c = got[f"chunked_{name}"]
            rows.append(
                (
                    f"chunked 300 MB to {name}",
                    f"HTTP {c['status']} in {c['seconds']:.2f} s, +{c['rss_mb']:.0f} MB server peak RSS",
                )
            )
        result.update(got)
        result |= {
            "figure": round(got["bomb_s"], 2),
            "unit": "s",
            "baseline": round(got["legit_s"], 2),
            "ratio": round(got["bomb_s"] / got["legit_s"], 2) if got["legit_s"] else None,
        }
    report("hostile_files", rows, result)


if __name__ == "__main__":
    main()
