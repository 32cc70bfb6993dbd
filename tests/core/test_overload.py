"""Overload sheds, never fails: 500 concurrent conflicting stock issues against a real server are
each answered 201, 409 or 503 with Retry-After — never 500 — and the stock adds up; the gates that
make it so, and the database's own signs of saturation mapped to the same 503."""

from __future__ import annotations

import asyncio
import socket
import sqlite3
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import psycopg
import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from tests.conftest import settings_for
from tests.supplies.conftest import make_store, receive, tiny_org
from yingji.app import create_app
from yingji.auth import service as auth_service
from yingji.auth.scope import Principal
from yingji.core import migrate
from yingji.core.db import Actor, Database, open_database
from yingji.core.errors import DatabaseBusy
from yingji.core.overload import REQUEST_WAIT, RequestGate, is_saturation
from yingji.supplies.models import Balance, Document

ITEM = "C11-01"
BURST = 500


def run_async(coro):
    """``asyncio.run`` on a thread of its own: the browser tests leave an event loop on this one."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def api_token(db: Database, code: str) -> str:
    with db.writing(Actor.system("tests")) as session:
        user = auth_service.create_user(
            session,
            Principal.system(),
            username=f"u{uuid.uuid4().hex[:10]}",
            password=uuid.uuid4().hex,
            display_name="压力测试",
            role="admin",
            jurisdiction_code=code,
        )
        return auth_service.create_token(session, Principal.system(), user, "tests")[0]


class LiveServer:
    """uvicorn serving the app in a thread, on a port of 127.0.0.1 the OS chose."""

    def __init__(self, app) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        config = uvicorn.Config(app, log_level="warning", access_log=False, backlog=2048)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        while not self.server.started:
            if not self.thread.is_alive():
                raise RuntimeError("the server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=60)
        self.sock.close()


async def burst(url: str, token: str, store: int, qtys: list[int]) -> list[dict]:
    """Every issue on its own connection, all let go at once."""
    go = asyncio.Event()
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=0)

    async def one(client: httpx.AsyncClient, qty: int) -> dict:
        await go.wait()
        body = {
            "client_key": uuid.uuid4().hex,
            "warehouse_id": store,
            "lines": [{"item_code": ITEM, "qty": qty}],
        }
        r = await client.post("/api/v1/supplies/issues", json=body)
        return {
            "qty": qty,
            "status": r.status_code,
            "body": r.json(),
            "retry_after": r.headers.get("retry-after"),
        }

    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, limits=limits, timeout=600) as client:
        tasks = [asyncio.create_task(one(client, q)) for q in qtys]
        await asyncio.sleep(0.2)
        go.set()
        return await asyncio.gather(*tasks)


@pytest.mark.slow
def test_500_concurrent_conflicting_issues_are_never_a_500(databases):
    db = databases.make("overload")
    codes = tiny_org(db)
    store = make_store(db, "town", codes["town"])
    qtys = [1 + i % 5 for i in range(BURST)]
    stock = sum(qtys) // 5  # far less than asked for: most must be refused
    receive(db, store, [{"item_code": ITEM, "qty": stock}])
    token = api_token(db, codes["city"])

    with LiveServer(create_app(db.settings, db, start_worker=False)) as server:
        answers = run_async(burst(server.url, token, store, qtys))

    by_status: dict[int, int] = {}
    for a in answers:
        by_status[a["status"]] = by_status.get(a["status"], 0) + 1
    ok = [a for a in answers if a["status"] == 201]
    assert set(by_status) <= {201, 409, 503}, by_status
    assert ok, by_status
    for a in answers:
        if a["status"] == 409:
            assert a["body"]["error"]["code"] == "not_enough_stock"
        if a["status"] == 503:  # shed: bilingual, and told when to come back
            error = a["body"]["error"]
            assert error["code"] == "busy" and int(a["retry_after"]) >= 1
            assert "系统繁忙" in error["message"] and "busy" in error["message_en"]
    with db.reading() as session:
        after = session.scalar(select(func.sum(Balance.qty)).where(Balance.warehouse_id == store))
        issued_docs = session.scalar(
            select(func.count()).where(Document.warehouse_id == store, Document.kind == "issue")
        )
    # Totals conserved: what was there, less what the 201s took, is what is left; never below zero.
    assert after == stock - sum(a["qty"] for a in ok) >= 0
    assert issued_docs == len(ok)


def test_a_full_request_gate_answers_503_at_once_and_recovers(databases):
    db = databases.make("gate")
    codes = tiny_org(db)
    token = api_token(db, codes["city"])
    app = create_app(db.settings.with_(db_max_active=1, db_max_queued=0), start_worker=False)
    gate: RequestGate = app.state.db.request_gate
    client = TestClient(app, raise_server_exceptions=False, headers={"Authorization": f"Bearer {token}"})
    run_async(gate.acquire())  # the one turn is taken, and no one may queue
    try:
        shed = client.get("/api/v1/supplies/warehouses")
        page = client.get("/supplies", headers={"Accept": "text/html"})
    finally:
        gate.release()
    assert shed.status_code == 503 and shed.headers["Retry-After"] == "5"
    assert shed.json()["error"]["message"] == "系统繁忙，请在 5 秒后重试。"
    assert shed.json()["error"]["message_en"] == "The system is busy. Please try again in 5 seconds."
    assert page.status_code == 503 and page.headers["Retry-After"] == "5" and "系统繁忙" in page.text
    assert client.get("/api/v1/supplies/warehouses").status_code == 200
    assert gate.active == 0 and gate.queued == 0
    app.state.db.dispose()


def test_request_gate_queues_hands_over_and_times_out():
    async def scenario() -> list[str]:
        gate = RequestGate(active=1, queued=1, wait_s=0.3)
        await gate.acquire()
        waiter = asyncio.create_task(gate.acquire())
        await asyncio.sleep(0.05)
        events = [f"queued {gate.queued}"]
        try:
            await gate.acquire()  # the queue is full
        except DatabaseBusy:
            events.append("refused at once")
        gate.release()  # handed straight to the waiter
        await waiter
        events.append(f"handed over, active {gate.active}")
        late = asyncio.create_task(gate.acquire())
        try:
            await late
        except DatabaseBusy:
            events.append("timed out")
        gate.release()
        events.append(f"active {gate.active} queued {gate.queued}")
        return events

    assert run_async(scenario()) == [
        "queued 1",
        "refused at once",
        "handed over, active 1",
        "timed out",
        "active 0 queued 0",
    ]


def test_sqlite_writers_queue_on_the_write_gate(tmp_path):
    """A request waits its short while for SQLite's write lock, then 503; the worker waits longer."""
    db = open_database(settings_for(f"sqlite:///{tmp_path / 'gate.db'}", tmp_path).with_(db_wait_s=0.3))
    migrate.upgrade(db.engine)
    codes = tiny_org(db)
    token = api_token(db, codes["city"])
    app = create_app(db.settings, db, start_worker=False)
    client = TestClient(app, raise_server_exceptions=False, headers={"Authorization": f"Bearer {token}"})
    holder = db.write_sessions()
    holder.execute(text("SELECT 1"))  # BEGIN IMMEDIATE: this thread holds the write gate
    try:
        busy = client.post("/api/v1/supplies/warehouses", json={})
        token_ = REQUEST_WAIT.set(0.1)
        try:
            with pytest.raises(DatabaseBusy), db.writing(Actor.system("tests")) as s:
                s.execute(text("SELECT 1"))
        finally:
            REQUEST_WAIT.reset(token_)
        # outside a request (the worker) a writer waits until the holder is done
        done = threading.Event()

        def background() -> None:
            with db.writing(Actor.system("tests")) as s:
                s.execute(text("SELECT 1"))
            done.set()

        worker = threading.Thread(target=background)
        worker.start()
        assert not done.wait(0.5)
    finally:
        holder.commit()
        holder.close()
    worker.join(timeout=30)
    assert done.is_set()
    assert busy.status_code == 503 and busy.headers["Retry-After"] == "1"
    assert busy.json()["error"]["code"] == "busy"
    assert client.post("/api/v1/supplies/warehouses", json={}).status_code == 422  # served again
    db.dispose()


@pytest.mark.parametrize(
    ("exc", "status"),
    [
        (PoolTimeout("QueuePool limit of size 10 overflow 20 reached"), 503),
        (OperationalError("BEGIN IMMEDIATE", {}, sqlite3.OperationalError("database is locked")), 503),
        (OperationalError("SELECT 1", {}, psycopg.errors.TooManyConnections("too many")), 503),
        (
            OperationalError(
                "connect", {}, psycopg.OperationalError("FATAL: sorry, too many clients already")
            ),
            503,
        ),
        (DatabaseBusy(3), 503),
        (OperationalError("SELECT x", {}, sqlite3.OperationalError("no such column: x")), 500),
    ],
)
def test_saturation_errors_are_503_and_other_database_errors_stay_500(city, exc, status):
    assert is_saturation(exc) == (status == 503)
    app = create_app(city.db.settings, city.db, start_worker=False)

    def fail():
        raise exc

    app.add_api_route("/api/v1/test/fail", fail)
    r = TestClient(app, raise_server_exceptions=False).get("/api/v1/test/fail")
    assert r.status_code == status
    if status == 503:
        assert int(r.headers["Retry-After"]) >= 1 and r.json()["error"]["code"] == "busy"
    else:
        assert r.json()["error"]["code"] == "internal_error" and "Retry-After" not in r.headers
