"""Memory of a real server under whole-city Excel exports (issue 10, item 3).

Builds the Tongren demo (the risk demo gives ~71,000 enterprises), starts a real ``yingji serve``
process (and, on PostgreSQL, a ``yingji worker`` process, as in production) on a free port, logs in
as the read-only ``viewer`` and downloads the whole-city enterprise export ``--exports`` times,
following the export job to its file when the export becomes one. The servers' resident memory is
read from ``/proc/<pid>/status`` (VmRSS) after every export and sampled while it runs.

Figure: ``rss_growth_mb``, the RSS after the last export minus the RSS before the first (server plus
worker on PostgreSQL). Baseline, measured in the same run before the exports: the RSS growth over as
many light requests (the enterprise list page). Also reported: ``export_s`` (median time of one export,
request to file), the peak RSS, the p95 of the enterprise list page before the exports (the page
latency the garbage-collector tuning was once added for), and the writer before issue 10 (the whole
sheet as openpyxl cells in memory) building the same sheet in the bench process: its time and the
bench process's RSS growth. Goal: ``rss_growth_mb`` ≤ 200.

With ``--gc-pages N`` the same database then serves the duty officer's pages N rounds in three fresh
processes, one per collector setting (the app's own; the tuning before issue 10; no freeze), timing
every collector pause with ``gc.callbacks``: the page stalls the old tuning was added against.

    python -m bench.resilience_exports                 # SQLite, 20 exports
    python -m bench.resilience_exports --gc-pages 100  # and the collector's page pauses, per setting
    python -m bench.resilience_exports --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import httpx

from bench.common import fresh_database, median, report
from yingji.demo import builder

GOAL_MB = 200.0
USER = "viewer"
EXPORT = "/api/v1/risk/enterprises.xlsx"
LIGHT = "/risk/enterprises"


def rss_mb(pid: int) -> float:
    """Resident set size of a process (psutil is not installed: /proc/<pid>/status)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Sampler:
    """The highest RSS seen while it runs (every 0.2 s), per process."""

    def __init__(self, pids: list[int]) -> None:
        self.pids = pids
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            self.peak = max(self.peak, sum(rss_mb(p) for p in self.pids))

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def _start(args: list[str], env: dict, pattern: str | None) -> tuple[subprocess.Popen, str]:
    """A ``yingji`` subprocess; with ``pattern``, wait for its log line and return the match."""
    proc = subprocess.Popen(
        [str(Path(sys.executable).with_name("yingji")), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    found = ""
    if pattern:
        deadline = time.monotonic() + 120
        for line in proc.stdout:
            m = re.search(pattern, line)
            if m:
                found = m.group(1)
                break
            if time.monotonic() > deadline:
                break
        if not found:
            proc.kill()
            raise RuntimeError(f"{args[0]} did not start")
    # keep draining the log so the process never blocks on a full pipe
    threading.Thread(target=lambda: [None for _ in proc.stdout], daemon=True).start()
    return proc, found


@contextmanager
def servers(database_url: str, var_dir: Path):
    """``yingji serve`` on a free port (YINGJI_PORT=0: the OS picks it; the log names it), plus a
    ``yingji worker`` on PostgreSQL (SQLite runs its worker inside the server)."""
    env = dict(
        os.environ,
        YINGJI_DATABASE_URL=database_url,
        YINGJI_VAR_DIR=str(var_dir),
        YINGJI_SECRET_KEY="bench",
        YINGJI_PORT="0",
    )
    procs = []
    try:
        server, port = _start(["serve", "--host", "127.0.0.1"], env, r"Uvicorn running on http://[^:]+:(\d+)")
        procs.append(server)
        if not database_url.startswith("sqlite"):
            worker, _ = _start(["worker"], env, None)
            procs.append(worker)
        yield f"http://127.0.0.1:{port}", [p.pid for p in procs]
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(20)
            except subprocess.TimeoutExpired:
                p.kill()


def login(client: httpx.Client, username: str) -> None:
    client.get("/login")
    r = client.post(
        "/login",
        data={
            "username": username,
            "password": builder.DEMO_PASSWORD,
            "login_csrf": client.cookies.get("yingji_login_csrf"),
            "next": "/",
        },
    )
    assert r.status_code == 303, r.text[:300]


def export_once(client: httpx.Client) -> tuple[int, str]:
    """One whole-city export to its file: directly, or by following the job (202) until it is ready."""
    r = client.get(EXPORT, headers={"Accept": "application/json"})
    if r.status_code == 202:
        job_url = r.headers["location"]
        while True:
            job = client.get(job_url).json()
            if job["state"] == "done":
                r = client.get(job["download_url"])
                break
            if job["state"] in ("failed", "expired"):
                raise RuntimeError(f"export job {job_url}: {job}")
            time.sleep(0.25)
    assert r.status_code == 200 and r.content[:2] == b"PK", (r.status_code, r.text[:300])
    return len(r.content), "job" if "job_url" in locals() else "direct"


def run(base: str, pids: list[int], exports: int) -> dict:
    total = lambda: sum(rss_mb(p) for p in pids)  # noqa: E731
    with httpx.Client(base_url=base, timeout=600) as client:
        login(client, USER)
        for _ in range(3):  # warm the pages and code paths once
            client.get(LIGHT)
        light_start = total()
        times = []
        for _ in range(exports):
            t = time.perf_counter()
            assert client.get(LIGHT).status_code == 200
            times.append((time.perf_counter() - t) * 1000)
        light_growth = total() - light_start
        page_p95 = sorted(times)[max(0, int(len(times) * 0.95) - 1)]
        start = total()
        series, export_times, sizes, how = [], [], [], ""
        with Sampler(pids) as sampler:
            for i in range(exports):
                t = time.perf_counter()
                size, how = export_once(client)
                export_times.append(time.perf_counter() - t)
                sizes.append(size)
                series.append(total())
                took, mb = export_times[-1], size / 1e6
                print(f"  export {i + 1:>2}: {took:5.1f} s  {mb:5.1f} MB  RSS {series[-1]:7.1f} MB")
        end = total()
    return {
        "rss_start_mb": round(start, 1),
        "rss_end_mb": round(end, 1),
        "rss_growth_mb": round(end - start, 1),
        "rss_peak_mb": round(max(sampler.peak, end), 1),
        "rss_series_mb": [round(x, 1) for x in series],
        "export_s": round(median(export_times), 2),
        "export_bytes": sizes[-1],
        "export_path": how,
        "baseline": round(light_growth, 1),
        "baseline_what": f"RSS growth over {exports} GET {LIGHT}",
        "page_p95_ms": round(page_p95, 1),
    }


def legacy_writer(db) -> dict:
    """The whole-city register through the writer before issue 10: every cell an openpyxl object in
    memory until the workbook is saved (same rows, same columns)."""
    from openpyxl import Workbook
    from sqlalchemy import select

    from yingji.auth.models import User
    from yingji.auth.scope import Principal
    from yingji.risk import exchange

    with db.reading() as session:
        principal = Principal.of(session.scalar(select(User).where(User.username == USER)))
        rows = list(exchange.export_rows(session, principal))
    before = rss_mb(os.getpid())
    started = time.perf_counter()
    wb = Workbook()
    ws = wb.active
    ws.append([c.zh for c in exchange.COLUMNS])
    for row in rows:
        ws.append([row.get(c.key) if row.get(c.key) is not None else "" for c in exchange.COLUMNS])
    for r in ws.iter_rows(min_row=2):
        for cell in r:
            cell.number_format = "@"
    with tempfile.TemporaryFile() as out:
        wb.save(out)
    took = time.perf_counter() - started
    return {"legacy_writer_s": round(took, 1), "legacy_writer_rss_mb": round(rss_mb(os.getpid()) - before, 1)}


# -- the page latency the old collector tuning was added for -------------------------------------
GC_SETTINGS = {
    "app": "the app's own: start-up objects frozen, default thresholds",
    "old": "before issue 10: frozen, thresholds (50000, 20, 100)",
    "none": "no freeze, default thresholds",
}
GC_PAGES = ["/duty", "/incidents", "/risk/enterprises"]


def gc_child(setting: str, database_url: str, requests: int) -> dict:
    """In a fresh process: the app (its lifespan applies its collector settings), then ``setting``;
    the duty officer's pages ``requests`` times each, every collector pause timed (gc.callbacks)."""
    import gc

    from fastapi.testclient import TestClient

    from yingji.app import create_app
    from yingji.config import Settings
    from yingji.core.db import open_database

    settings = Settings(database_url=database_url, secret_key="b", var_dir=Path(tempfile.gettempdir()))
    app = create_app(settings.with_(inprocess_worker=False), open_database(settings), start_worker=False)
    pauses: dict[int, list[float]] = {0: [], 1: [], 2: []}
    started: list[float] = [0.0]

    def timer(phase: str, info: dict) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            pauses[info["generation"]].append((time.perf_counter() - started[0]) * 1000)

    with TestClient(app, base_url="http://127.0.0.1") as client:
        if setting == "old":
            gc.set_threshold(50_000, 20, 100)
        elif setting == "none":
            gc.unfreeze()
        client.get("/login")
        r = client.post(
            "/login",
            data={
                "username": "duty",
                "password": builder.DEMO_PASSWORD,
                "login_csrf": client.cookies.get("yingji_login_csrf"),
                "next": "/",
            },
            follow_redirects=False,
        )
        assert r.status_code == 303, r.text[:300]
        for path in GC_PAGES:
            client.get(path)
        gc.callbacks.append(timer)
        times = []
        for _ in range(requests):
            for path in GC_PAGES:
                t = time.perf_counter()
                assert client.get(path).status_code == 200
                times.append((time.perf_counter() - t) * 1000)
        gc.callbacks.remove(timer)
    times.sort()
    every = [p for v in pauses.values() for p in v]
    return {
        "setting": setting,
        "page_p95_ms": round(times[int(len(times) * 0.95) - 1], 1),
        "page_max_ms": round(times[-1], 1),
        "gc_total_ms": round(sum(every), 1),
        "gc_max_pause_ms": round(max(every, default=0.0), 1),
        "full_collections": len(pauses[2]),
    }


def gc_pages(database_url: str, requests: int) -> list[dict]:
    """``gc_child`` for each setting, each in a process of its own (collector state is per process)."""
    out = []
    for setting in GC_SETTINGS:
        args = ["--gc-child", setting, "--database-url", database_url, "--gc-pages", str(requests)]
        done = subprocess.run(
            [sys.executable, "-m", "bench.resilience_exports", *args],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).resolve().parent.parent,
        )
        out.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return out


def measure(database_url: str | None, exports: int = 20, gc_requests: int = 0) -> dict:
    """Build Tongren, serve it for real, export the whole-city register ``exports`` times (and, with
    ``gc_requests``, compare the page pauses of the collector settings on the same database)."""
    with fresh_database(database_url, "exports") as db:
        started = time.perf_counter()
        builder.build(db, builder.DemoOptions())
        built_s = time.perf_counter() - started
        kind = db.kind
        with db.reading() as session:
            from sqlalchemy import func, select

            from yingji.risk.models import Enterprise

            enterprises = session.scalar(select(func.count()).select_from(Enterprise))
        legacy = legacy_writer(db)
        url = db.settings.database_url
        var_dir = Path(db.settings.var_dir) / f"bench-exports-{os.getpid()}"
        var_dir.mkdir(parents=True, exist_ok=True)
        db.dispose()
        try:
            with servers(url, var_dir) as (base, pids):
                result = run(base, pids, exports)
        finally:
            shutil.rmtree(var_dir, ignore_errors=True)
        if gc_requests:
            result["gc_pages"] = gc_pages(url, gc_requests)
    return (
        result
        | legacy
        | {
            "database": kind,
            "enterprises": enterprises,
            "exports": exports,
            "build_s": round(built_s),
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None, help="PostgreSQL server to use (default SQLite)")
    parser.add_argument("--exports", type=int, default=20)
    parser.add_argument(
        "--gc-pages", type=int, default=0, help="also time the collector's pauses over N rounds of pages"
    )
    parser.add_argument("--gc-child", choices=list(GC_SETTINGS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.gc_child:
        print(json.dumps(gc_child(args.gc_child, args.database_url, args.gc_pages)))
        return
    r = measure(args.database_url, args.exports, args.gc_pages)
    figure, baseline = r["rss_growth_mb"], r["baseline"]
    rows = [
        ("database", r["database"]),
        ("enterprises in the export", f"{r['enterprises']:,}"),
        ("exports", str(r["exports"])),
        ("export path", r["export_path"]),
        ("export size", f"{r['export_bytes'] / 1e6:.1f} MB"),
        ("export time (median)", f"{r['export_s']:.1f} s"),
        ("RSS before the exports", f"{r['rss_start_mb']:.0f} MB"),
        ("RSS after the exports", f"{r['rss_end_mb']:.0f} MB"),
        ("RSS peak", f"{r['rss_peak_mb']:.0f} MB"),
        ("figure: RSS growth", f"{figure:.0f} MB"),
        (f"baseline: {r['baseline_what']}", f"{baseline:.1f} MB"),
        ("enterprise list page p95 (before)", f"{r['page_p95_ms']:.0f} ms"),
        ("writer before issue 10: same sheet in memory", f"{r['legacy_writer_s']:.1f} s"),
        ("writer before issue 10: RSS growth (bench process)", f"{r['legacy_writer_rss_mb']:.0f} MB"),
        ("goal", f"≤ {GOAL_MB:.0f} MB  {'met' if figure <= GOAL_MB else 'NOT MET'}"),
    ]
    for g in r.get("gc_pages", []):
        rows.append(
            (
                f"pages, collector {g['setting']} ({GC_SETTINGS[g['setting']]})",
                f"p95 {g['page_p95_ms']:.0f} ms, max {g['page_max_ms']:.0f} ms; "
                f"longest pause {g['gc_max_pause_ms']:.0f} ms, {g['full_collections']} full collections",
            )
        )
    report(
        f"resilience_exports_{r['database']}",
        rows,
        {
            "figure": figure,
            "unit": "MB",
            "baseline": baseline,
            "ratio": round(figure / max(baseline, 1.0), 2),
            "goal": GOAL_MB,
        }
        | {k: v for k, v in r.items() if k not in ("baseline",)},
    )


if __name__ == "__main__":
    main()
