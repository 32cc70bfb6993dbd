"""Pages under load at province scale: many users at once against ``yingji serve``.

Builds (or reuses) Guizhou's organisation with --incidents incidents on the database it is given,
serves it as the product does (``yingji serve --workers 2`` on PostgreSQL; one process on SQLite),
and loads each page with 1, 10 and 50 concurrent users for --seconds each from a client in this
process (asyncio + httpx, keep-alive, gzip accepted). Every user is a logged-in province duty
officer (a few sessions shared round-robin, as a duty room shares a login).

Figure: duty board requests/s at 50 users. Baseline, measured in the same run: ``/healthz`` requests
/s at 50 users (the server and client with no page work). Goals (issue 17) on PostgreSQL at 50
users: duty board and directory ≥ 100 req/s with p95 ≤ 1 s; incident list, warning page and the map
layer ≥ 200 req/s with p95 ≤ 500 ms. The client shares the 2 cores with the server, as in the issue.

    python -m bench.load --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test
    python -m bench.load --sqlite /tmp/load.db --users 1,10 --seconds 5      # quick look
    python -m bench.load --database-url … --pages duty,directory            # some pages only

The built database (PostgreSQL: ``yingji_load``; SQLite: the --sqlite file) is kept and reused
when it already holds the organisation and at least --incidents incidents (--rebuild forces it).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench import incident_pages
from bench.common import report
from yingji.config import Settings
from yingji.core import migrate
from yingji.core.db import open_database

PAGES = {
    "healthz": "/healthz",
    "duty": "/duty",
    "directory": "/directory?q=%E9%98%B2%E6%B1%9B",  # 防汛
    "incidents": "/incidents",
    "warnings": "/warnings",
    # Tongren's towns at a city zoom: the map layer a city duty officer opens first.
    "map_towns": "/api/v1/map/features?level=town&bbox=108.3,27.0,109.6,28.6&zoom=9",
}
GOALS = {  # page → (req/s at least, p95 ms at most), at 50 users on PostgreSQL
    "duty": (100, 1000),
    "directory": (100, 1000),
    "incidents": (200, 500),
    "warnings": (200, 500),
    "map_towns": (200, 500),
}
SESSIONS = 8
LOAD_DB = "yingji_load"


def _settings(url: str, var_dir: Path) -> Settings:
    return Settings(database_url=url, secret_key="load", var_dir=var_dir, inprocess_worker=False)


def _incidents(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM incidents")).scalar() or 0
    except Exception:  # no such table: not built yet
        return 0
    finally:
        engine.dispose()


def prepare(args, var_dir: Path) -> str:
    """The database URL to serve, built unless a usable one is there."""
    if args.database_url:
        admin = create_engine(args.database_url, isolation_level="AUTOCOMMIT")
        url = make_url(args.database_url).set(database=LOAD_DB).render_as_string(hide_password=False)
        with admin.connect() as conn:
            exists = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": LOAD_DB}
            ).first()
            if exists and (args.rebuild or _incidents(url) < args.incidents):
                conn.execute(text(f'DROP DATABASE "{LOAD_DB}" WITH (FORCE)'))
                exists = None
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{LOAD_DB}"'))
        admin.dispose()
    else:
        path = Path(args.sqlite)
        url = f"sqlite:///{path}"
        if path.exists() and (args.rebuild or _incidents(url) < args.incidents):
            path.unlink()
    if _incidents(url) >= args.incidents:
        print(f"reusing {make_url(url).render_as_string()} ({_incidents(url):,} incidents)", flush=True)
        db = open_database(_settings(url, var_dir))
        migrate.upgrade(db.engine)  # a database kept from an older checkout gets the newer tables
        db.dispose()
        return url
    print(f"building Guizhou with {args.incidents:,} incidents (once; later runs reuse it)…", flush=True)
    db = open_database(_settings(url, var_dir))
    migrate.upgrade(db.engine)
    built = incident_pages.build(db, args.incidents, args.years)
    db.dispose()
    print(f"built: {built}", flush=True)
    return url


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(url: str, var_dir: Path, workers: int) -> tuple[subprocess.Popen, str, Path]:
    port = _free_port()
    env = {
        **os.environ,
        "YINGJI_DATABASE_URL": url,
        "YINGJI_VAR_DIR": str(var_dir),
        "YINGJI_SECRET_KEY": "load-bench-secret-key-shared-by-the-workers",
        "YINGJI_INPROCESS_WORKER": "0",
    }
    cmd = [str(Path(sys.executable).with_name("yingji")), "serve", "--port", str(port), "--no-worker"]
    if workers > 1:
        cmd += ["--workers", str(workers)]
    # The server's log goes to a file: a pipe nobody reads fills up and blocks the server's writes.
    log_path = var_dir / "serve.log"
    proc = subprocess.Popen(
        cmd, env=env, stdout=subprocess.DEVNULL, stderr=log_path.open("wb"), start_new_session=True
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        if proc.poll() is not None:
            raise SystemExit(f"yingji serve exited: {log_path.read_text(errors='replace')[-2000:]}")
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                return proc, base, log_path
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit("yingji serve did not answer in 5 minutes")


def stop(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


def login(base: str, username: str) -> httpx.Cookies:
    with httpx.Client(base_url=base, follow_redirects=False) as client:
        incident_pages.login(client, username)  # the same form post, over a real socket
        return client.cookies


async def _load(base: str, path: str, users: int, seconds: float, sessions: list[httpx.Cookies]) -> dict:
    latencies: list[float] = []
    errors = 0
    sizes: list[int] = []
    limits = httpx.Limits(max_connections=users, max_keepalive_connections=users)
    headers = {"Accept-Encoding": "gzip"}
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60, headers=headers) as client:
        # One warm-up request per page so the first user does not pay for process start-up caches.
        await client.get(path, cookies=sessions[0])
        deadline = time.perf_counter() + seconds

        async def user(i: int) -> None:
            nonlocal errors
            cookies = sessions[i % len(sessions)]
            while time.perf_counter() < deadline:
                t = time.perf_counter()
                try:
                    r = await client.get(path, cookies=cookies)
                except httpx.TransportError:  # a connection the server dropped: an error, not the end
                    errors += 1
                    continue
                ms = (time.perf_counter() - t) * 1000
                if r.status_code == 200:
                    latencies.append(ms)
                    if len(sizes) < 5:
                        sizes.append(int(r.headers.get("content-length") or len(r.content)))
                else:
                    errors += 1

        started = time.perf_counter()
        await asyncio.gather(*(user(i) for i in range(users)))
        elapsed = time.perf_counter() - started
    ordered = sorted(latencies) or [float("nan")]
    return {
        "rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 1),
        "errors": errors,
        "kb": round(statistics.median(sizes) / 1024, 1) if sizes else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--database-url", default=None, help="PostgreSQL server (database yingji_load is made)"
    )
    where.add_argument("--sqlite", default="/tmp/yingji-load.db", help="SQLite file (default %(default)s)")
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--years", type=float, default=10.0)
    parser.add_argument("--users", default="1,10,50", help="steps of concurrent users")
    parser.add_argument("--seconds", type=float, default=20.0, help="per page and step")
    parser.add_argument("--pages", default=",".join(PAGES), help="which of: " + ", ".join(PAGES))
    parser.add_argument("--workers", type=int, default=2, help="HTTP worker processes (PostgreSQL)")
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    steps = [int(u) for u in args.users.split(",")]
    pages = {k: PAGES[k] for k in args.pages.split(",")}
    pages.setdefault("healthz", PAGES["healthz"])  # the baseline is always measured
    with tempfile.TemporaryDirectory() as tmp:
        var_dir = Path(tmp)
        url = prepare(args, var_dir)
        workers = args.workers if args.database_url else 1
        proc, base, log_path = serve(url, var_dir, workers)
        try:
            sessions = [login(base, "prov_duty") for _ in range(SESSIONS)]
            results: dict[str, dict[str, dict]] = {}
            for name, path in pages.items():
                for users in steps:
                    r = asyncio.run(_load(base, path, users, args.seconds, sessions))
                    results.setdefault(name, {})[str(users)] = r
                    print(f"{name:<10} {users:>3} users  {r}", flush=True)
        finally:
            stop(proc)
            kept = Path(tempfile.gettempdir()) / "yingji-load-serve.log"
            kept.write_bytes(log_path.read_bytes())
            text_ = kept.read_text(errors="replace")
            print(f"server log: {kept} ({text_.count('ERROR')} ERROR, {text_.count('WARNING')} WARNING)")
    top = str(max(steps))
    figure = results.get("duty", {}).get(top, {}).get("rps")
    baseline = results["healthz"][top]["rps"]
    rows = []
    for name, by_step in results.items():
        for users, r in by_step.items():
            goal = GOALS.get(name)
            mark = ""
            if goal and users == "50":
                mark = "  goal met" if r["rps"] >= goal[0] and r["p95_ms"] <= goal[1] else "  goal NOT met"
            rows.append(
                (f"{name} @ {users}", f"{r['rps']} req/s, p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms{mark}")
            )
    kind = "postgresql" if args.database_url else "sqlite"
    report(
        "load",
        rows,
        {
            "figure": figure,
            "unit": f"req/s (duty board, {top} users)",
            "baseline": baseline,
            "ratio": round(figure / baseline, 3) if figure and baseline else None,
            "database": kind,
            "workers": workers,
            "seconds": args.seconds,
            "pages": results,
        },
    )


if __name__ == "__main__":
    main()
