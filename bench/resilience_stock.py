"""Overload: a burst of concurrent conflicting stock issues against a real ``yingji serve`` process.

A small city (province, city, county, town) with two stores holding the same stock of one item; one
API user. ``requests`` issues of 1–5 units each, all against the same store and item (every one
waits for the same balance row, and together they ask for more than is there), are sent at once
from as many HTTP connections. Each answer must be 201 (issued), 409 (not enough stock) or 503
with ``Retry-After`` (shed); a 500 or a dropped connection is a failure.

Figures of the burst: ``errors_5xx`` (5xx other than a 503 with Retry-After; goal 0),
``transport_errors`` (connections dropped or timed out), ``ok``, ``conflict_409``, ``shed_503``,
``totals_conserved`` (stock before − units of the 2xx answers = stock after, never below zero, one
document per 2xx), ``p50_ms`` / ``p95_ms`` (latency of every answer).
Baseline, measured in the same run on the same server: the same issues sent one at a time to the
second store (``baseline_p50_ms`` / ``baseline_p95_ms``). Headline figure: the burst's p95 latency;
ratio = burst p95 / one-at-a-time p95.

    python -m bench.resilience_stock
    python -m bench.resilience_stock --requests 500 --runs 3
    python -m bench.resilience_stock --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test

The server is a subprocess (``python -m yingji serve``) inheriting this environment, so
``PYTHONPATH=/path/to/other/src`` measures another version of the code.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
from sqlalchemy import func, select

from bench.common import fresh_database, report
from yingji.auth import service as auth_service
from yingji.auth.scope import Principal
from yingji.core.db import Actor, Database
from yingji.org.models import Jurisdiction
from yingji.supplies import documents, warehouses
from yingji.supplies.models import Balance, Document
from yingji.supplies.schemas import ReceiptIn, WarehouseIn

SYSTEM = Principal.system()
ITEM = "C11-01"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def quantities(n: int) -> list[int]:
    """1–5 units each (3 on average)."""
    return [1 + i % 5 for i in range(n)]


def setup(db: Database, stock: int) -> tuple[list[int], str]:
    """Two stores with ``stock`` units of one item each, and an API token of a city administrator."""
    with db.writing(Actor.system("bench")) as session:
        for code, name, level, parent in (
            ("52", "贵州省", "province", None),
            ("5206", "铜仁市", "city", "52"),
            ("520602", "碧江区", "county", "5206"),
            ("520602001", "测试街道", "town", "520602"),
        ):
            session.add(
                Jurisdiction(code=code, name=name, level=level, parent_code=parent, lon=109.2, lat=27.7)
            )
        session.flush()
        stores = []
        for name in ("压力库", "对照库"):
            store = warehouses.create(
                session, SYSTEM, WarehouseIn(name=name, level="town", jurisdiction_code="520602001")
            ).id
            documents.receive(
                session,
                SYSTEM,
                ReceiptIn(
                    client_key=f"bench-{uuid.uuid4().hex}",
                    warehouse_id=store,
                    lines=[{"item_code": ITEM, "qty": stock}],
                ),
            )
            stores.append(store)
        user = auth_service.create_user(
            session,
            SYSTEM,
            username="bench_admin",
            password=secrets.token_urlsafe(18) + "-7a",  # letters, digits and a symbol, whatever the draw
            display_name="压测管理员",
            role="admin",
            jurisdiction_code="5206",
        )
        token, _ = auth_service.create_token(session, SYSTEM, user, "bench")
    return stores, token


def stock_of(db: Database, store: int) -> tuple[int, int]:
    """(units on the shelf, issue documents) of one store."""
    with db.reading() as session:
        qty = session.scalar(
            select(func.coalesce(func.sum(Balance.qty), 0)).where(Balance.warehouse_id == store)
        )
        docs = session.scalar(
            select(func.count()).where(Document.warehouse_id == store, Document.kind == "issue")
        )
        return int(qty), int(docs)


class Server:
    """``python -m yingji serve`` on a free port of 127.0.0.1, its output in a file."""

    def __init__(self, database_url: str, workdir: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / "serve.log"
        env = dict(os.environ)
        env.update(
            YINGJI_DATABASE_URL=database_url,
            YINGJI_VAR_DIR=str(workdir),
            YINGJI_SECRET_KEY="bench-secret",
        )
        self.log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "yingji", "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            env=env,
            cwd=workdir,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 120
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"yingji serve exited: {self.log_path.read_text()[-2000:]}")
            try:
                if httpx.get(self.url + "/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("yingji serve did not answer /healthz within 120 s")
            time.sleep(0.2)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


def _issue_body(store: int, qty: int) -> dict:
    return {
        "client_key": f"burst-{uuid.uuid4().hex}",
        "warehouse_id": store,
        "reason": "rescue",
        "lines": [{"item_code": ITEM, "qty": qty}],
    }


async def _burst(url: str, token: str, store: int, qtys: list[int]) -> list[dict]:
    """Every issue on its own connection, all released at the same moment."""
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=0)
    go = asyncio.Event()

    async def one(client: httpx.AsyncClient, qty: int) -> dict:
        await go.wait()
        started = time.perf_counter()
        try:
            r = await client.post("/api/v1/supplies/issues", json=_issue_body(store, qty), headers=headers)
        except httpx.HTTPError as exc:
            return {"qty": qty, "status": None, "error": type(exc).__name__, "ms": _ms(started)}
        code = r.json().get("error", {}).get("code") if r.status_code >= 400 else None
        return {
            "qty": qty,
            "status": r.status_code,
            "code": code,
            "retry_after": r.headers.get("retry-after"),
            "ms": _ms(started),
        }

    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=600) as client:
        tasks = [asyncio.create_task(one(client, q)) for q in qtys]
        await asyncio.sleep(0.2)  # every task is waiting on the event
        go.set()
        return await asyncio.gather(*tasks)


def _one_at_a_time(url: str, token: str, store: int, qtys: list[int]) -> list[dict]:
    out = []
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=600) as client:
        for q in qtys:
            started = time.perf_counter()
            r = client.post("/api/v1/supplies/issues", json=_issue_body(store, q))
            out.append({"qty": q, "status": r.status_code, "ms": _ms(started)})
    return out


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def _pct(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


def summarise(answers: list[dict], before: int, after: int, issue_docs: int) -> dict:
    """Counts by outcome and whether the stock adds up."""
    ok = [a for a in answers if a["status"] is not None and 200 <= a["status"] < 300]
    shed = [a for a in answers if a["status"] == 503 and a.get("retry_after")]
    conflict = [a for a in answers if a["status"] == 409]
    errors_5xx = [a for a in answers if a["status"] is not None and a["status"] >= 500 and a not in shed]
    transport = [a for a in answers if a["status"] is None]
    other = len(answers) - len(ok) - len(shed) - len(conflict) - len(errors_5xx) - len(transport)
    issued = sum(a["qty"] for a in ok)
    return {
        "errors_5xx": len(errors_5xx),
        "transport_errors": len(transport),
        "ok": len(ok),
        "conflict_409": len(conflict),
        "shed_503": len(shed),
        "other_status": other,
        "totals_conserved": before - issued == after and after >= 0 and issue_docs == len(ok),
        "stock_before": before,
        "stock_after": after,
        "units_issued": issued,
        "p50_ms": round(_pct([a["ms"] for a in answers], 0.5), 1),
        "p95_ms": round(_pct([a["ms"] for a in answers], 0.95), 1),
        "max_ms": round(max(a["ms"] for a in answers), 1),
        "status_5xx": sorted({a["status"] for a in errors_5xx}),
    }


def measure(database_url: str | None, requests: int = 500) -> dict:
    """One run on a fresh database: the burst, then the same issues one at a time (the baseline)."""
    qtys = quantities(requests)
    stock = sum(qtys) // 5  # a fifth of what the burst asks for: most must be refused
    with fresh_database(database_url, "stock") as db, tempfile.TemporaryDirectory() as tmp:
        (burst_store, calm_store), token = setup(db, stock)
        url = db.engine.url.render_as_string(hide_password=False)
        server = Server(url, Path(tmp))
        try:
            answers = asyncio.run(_burst(server.url, token, burst_store, qtys))
            calm = _one_at_a_time(server.url, token, calm_store, qtys)
        finally:
            server.stop()
        after, docs = stock_of(db, burst_store)
        result = summarise(answers, stock, after, docs)
        calm_after, calm_docs = stock_of(db, calm_store)
        calm_ok = [a for a in calm if 200 <= a["status"] < 300]
        result.update(
            database=db.kind,
            requests=requests,
            baseline="the same issues sent one at a time to a second store, same server",
            baseline_p50_ms=round(_pct([a["ms"] for a in calm], 0.5), 1),
            baseline_p95_ms=round(_pct([a["ms"] for a in calm], 0.95), 1),
            baseline_errors_5xx=sum(1 for a in calm if a["status"] >= 500),
            baseline_totals_conserved=stock - sum(a["qty"] for a in calm_ok) == calm_after
            and calm_docs == len(calm_ok),
        )
        if result["errors_5xx"] or result["transport_errors"]:
            log = (Path(tmp) / "serve.log").read_text(errors="replace")
            result["server_errors"] = _error_lines(log)
    return result


def _error_lines(log: str, limit: int = 5) -> list[str]:
    """The distinct exception lines of the server log (what the 5xx were)."""
    seen: dict[str, int] = {}
    for line in log.splitlines():
        if "Error" in line and not line.startswith(" "):
            key = line.split(": ", 1)[0][-120:] + ": " + line.split(": ", 1)[-1][:160]
            seen[key] = seen.get(key, 0) + 1
    return [f"{n} × {k}" for k, n in sorted(seen.items(), key=lambda kv: -kv[1])[:limit]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--runs", type=int, default=1, help="Report the median of this many runs.")
    parser.add_argument("--database-url", default=None, help="PostgreSQL server to use (default SQLite)")
    args = parser.parse_args()
    runs = []
    for i in range(args.runs):
        r = measure(args.database_url, args.requests)
        runs.append(r)
        print(
            f"run {i + 1}: 5xx {r['errors_5xx']}, dropped {r['transport_errors']}, ok {r['ok']}, "
            f"409 {r['conflict_409']}, 503 {r['shed_503']}, conserved {r['totals_conserved']}, "
            f"p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms, max {r['max_ms']} ms; one at a time "
            f"p50 {r['baseline_p50_ms']} ms, p95 {r['baseline_p95_ms']} ms"
            + (f"; {r['server_errors']}" if r.get("server_errors") else ""),
            flush=True,
        )

    def med(key: str) -> float:
        return statistics.median(r[key] for r in runs)

    figure, baseline = med("p95_ms"), med("baseline_p95_ms")
    kind = runs[0]["database"]
    report(
        f"resilience_stock_{kind}",
        [
            ("database", kind),
            ("burst", f"{args.requests} concurrent issues of one item of one store, median of {len(runs)}"),
            ("5xx (not a shed 503)", f"{med('errors_5xx'):g}"),
            ("dropped connections", f"{med('transport_errors'):g}"),
            (
                "201 issued / 409 not enough / 503 shed",
                f"{med('ok'):g} / {med('conflict_409'):g} / {med('shed_503'):g}",
            ),
            ("totals conserved (all runs)", str(all(r["totals_conserved"] for r in runs))),
            ("burst p50 / p95 (ms)", f"{med('p50_ms'):.0f} / {figure:.0f}"),
            ("one at a time p50 / p95 (ms)", f"{med('baseline_p50_ms'):.0f} / {baseline:.0f}"),
            ("ratio burst p95 / one-at-a-time p95", f"{figure / baseline:.1f}"),
        ],
        {
            "figure": figure,
            "unit": "ms (p95, burst)",
            "baseline": baseline,
            "ratio": round(figure / baseline, 2),
            "database": kind,
            "requests": args.requests,
            "runs": len(runs),
            "errors_5xx": med("errors_5xx"),
            "transport_errors": med("transport_errors"),
            "ok": med("ok"),
            "shed_503": med("shed_503"),
            "conflict_409": med("conflict_409"),
            "totals_conserved": all(r["totals_conserved"] for r in runs),
            "p50_ms": med("p50_ms"),
            "p95_ms": figure,
            "baseline_p50_ms": med("baseline_p50_ms"),
            "baseline_p95_ms": baseline,
            "baseline_kind": runs[0]["baseline"],
            "per_run": [
                {k: r[k] for k in ("errors_5xx", "ok", "conflict_409", "shed_503", "p95_ms")} for r in runs
            ],
        },
    )


if __name__ == "__main__":
    main()
