"""Warning fan-out over the whole of Tongren: a red warning, every grid worker and 1,000,000 subscribed
residents.

Figures, all measured in one run on a fresh database (the Tongren demo organisation, ~36,000 grid
workers, plus ``--residents`` generated residents, all subscribed with a phone):

1. resolve + persist: publishing (targeting, frozen policy, cells, staff deliveries, escalation steps,
   in the publishing transaction) plus the residents' fan-out job (one INSERT … SELECT) — every
   delivery row written. Baseline: a raw bulk insert of exactly the same rows with the bare driver
   (sqlite3 ``executemany`` / PostgreSQL ``COPY``) into the same table. Goals: ≤ 15 s on SQLite, and
   at least half the raw insert's rate (ratio ≤ 2).
2. hand-off: publication time plus the time from a worker starting on the queue until the gateway
   has the first batch of grid-staff SMS (goal ≤ 2 s).
3. dispatch rate: SMS accepted per second by a local HTTP gateway (127.0.0.1, batches of 1,000),
   over the first ``--dispatch`` messages (goal ≥ 5,000/s).

    python -m bench.fanout                         # SQLite, 1,000,000 residents
    python -m bench.fanout --residents 200000      # quicker
    python -m bench.fanout --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import contextlib
import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from sqlalchemy import delete, func, select

from bench.common import fresh_database, report, timed
from yingji.core import clock
from yingji.core.db import Actor, Database
from yingji.core.schema import metadata
from yingji.delivery import flows
from yingji.delivery.models import ChannelEndpoint, Delivery, Dispatch
from yingji.demo import builder
from yingji.jobs import registry
from yingji.jobs.worker import Worker
from yingji.org.models import GridAssignment
from yingji.residents import demo as residents_demo

GOALS = {"persist_s": 15.0, "ratio": 2.0, "handoff_s": 2.0, "rate": 5000.0}
SMS_BATCH = 1000


class BenchGateway:
    """A minimal SMS gateway on 127.0.0.1 that counts what it takes and when staff SMS arrive.

    Like a real gateway it honours idempotency keys: a message whose key it has already taken is
    answered but not delivered again (``delivered`` counts deliveries per phone). ``hold_after``
    makes it hold the first request that arrives once that many messages were taken, until
    ``release`` is set (the resilience bench kills a worker while it waits for the answer)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.held = threading.Event()
        self.release = threading.Event()
        self.hold_after: int | None = None
        self.reset()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
                messages = body.get("messages", [])
                now = time.perf_counter()
                with gateway.lock:
                    gateway.request_times.append(now)
                    hold = gateway.hold_after is not None and gateway.count >= gateway.hold_after
                    hold = hold and not gateway.held.is_set()
                    if gateway.first_staff_at is None and any("/ack/" in m["content"] for m in messages):
                        gateway.first_staff_at = now
                    gateway.count += len(messages)
                    for m in messages:
                        if m["id"] not in gateway.keys:
                            gateway.keys.add(m["id"])
                            gateway.delivered[m["to"]] += 1
                if hold:
                    gateway.held.set()
                    gateway.release.wait(timeout=600)
                raw = b'{"code": 0}'
                with contextlib.suppress(OSError):  # the client may be gone (a killed worker)
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(raw)))
                    self.end_headers()
                    self.wfile.write(raw)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def reset(self) -> None:
        """Forget what was taken (between two measured fan-outs)."""
        with self.lock:
            self.count = 0
            self.keys: set[str] = set()
            self.delivered: Counter[str] = Counter()
            self.request_times: list[float] = []
            self.first_staff_at: float | None = None

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/sms"

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def build_city(db: Database, residents: int, seed: int) -> dict:
    options = builder.DemoOptions(seed=seed)
    data = builder.generate(options)
    builder.write(db, data)
    builder.create_logins(db, data)
    groups = residents_demo.group_codes(db, data.top)
    # "1,000,000 subscribed residents": every generated resident has a phone and subscribes.
    residents_demo.MOBILE_SHARE = residents_demo.SUBSCRIBED_SHARE = 1.0
    residents_demo.write(db, groups, residents, seed)
    with db.reading() as session:
        workers = session.scalar(
            select(func.count(func.distinct(GridAssignment.person_id))).where(GridAssignment.role == "worker")
        )
    return {"groups": len(groups), "grid_workers": workers, "top": data.top}


def add_gateway(db: Database, top: str, gateway: BenchGateway) -> None:
    """The city's SMS endpoint: the bench gateway, batches of ``SMS_BATCH``, no rate limit."""
    with db.writing(Actor.system("bench")) as session:
        session.add(
            ChannelEndpoint(
                kind="sms",
                name="bench gateway",
                jurisdiction_code=top,
                config={"url": gateway.url, "batch_size": SMS_BATCH, "results_field": "none"},
                enabled=True,
                rate_per_s=1_000_000,
            )
        )


def red_warning(db: Database, top: str, identifier: str = "BENCH_FANOUT") -> int:
    from yingji.warnings.models import Warning, WarningArea, WarningInfo
    from yingji.warnings.profile import geocodes_for

    with db.writing(Actor.system("bench")) as session:
        area = WarningArea(seq=1, jurisdiction_code=top, area_desc="铜仁市全境", geocodes=geocodes_for([top]))
        info = WarningInfo(
            seq=1,
            jurisdiction_code=top,
            event="暴雨",
            urgency="Immediate",
            severity="Extreme",
            certainty="Likely",
            categories=["Met"],
            areas=[area],
        )
        warning = Warning(
            identifier=identifier,
            sender="bench@yingji",
            sent=clock.now(),
            status="published",
            level="red",
            event="暴雨",
            headline="铜仁市气象台发布暴雨红色预警",
            description="预计未来3小时铜仁市全境有大暴雨。",
            instruction="请立即转移地质灾害隐患点和低洼地带群众。",
            sender_name="铜仁市气象台",
            jurisdiction_code=top,
            infos=[info],
        )
        session.add(warning)
        session.flush()
        return warning.id


def publish(db: Database, warning_id: int) -> int:
    from yingji.warnings.models import Warning

    with db.writing(Actor.system("bench")) as session:
        flows.on_warning_event(session, session.get(Warning, warning_id), "published")
    with db.reading() as session:
        return session.scalar(select(Dispatch.id).where(Dispatch.warning_id == warning_id))


def raw_reinsert(db: Database, dispatch_id: int) -> tuple[float, int]:
    """Read the dispatch's delivery rows, delete them, and time the bare driver putting them back."""
    table = metadata.tables["deliveries"]
    columns = [c.name for c in table.columns]
    with db.reading() as session:
        rows = [
            tuple(r)
            for r in session.execute(select(*table.columns).where(table.c.dispatch_id == dispatch_id))
        ]
    with db.writing(Actor.system("bench")) as session:
        session.execute(delete(Delivery).where(Delivery.dispatch_id == dispatch_id))
    raw = db.engine.raw_connection()
    try:
        cur = raw.cursor()
        started = time.perf_counter()
        if db.kind == "sqlite":
            cur.execute("BEGIN")
            marks = ",".join("?" * len(columns))
            cur.executemany(f"INSERT INTO deliveries ({','.join(columns)}) VALUES ({marks})", rows)
        else:
            with cur.copy(f"COPY deliveries ({','.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        raw.commit()
        return time.perf_counter() - started, len(rows)
    finally:
        raw.close()


def dispatch(db: Database, gateway: BenchGateway, limit: int, staff: int) -> dict:
    """Run the send jobs in a worker thread until the gateway has ``limit`` messages."""
    worker = Worker(db, kinds=["delivery.send"], name="bench", batch=10, idle_sleep_s=0.01)
    thread = threading.Thread(target=worker.run_forever, daemon=True)
    started = time.perf_counter()
    thread.start()
    staff_done = None
    while gateway.count < limit and thread.is_alive() and time.perf_counter() - started < 900:
        if staff_done is None and gateway.count >= staff:
            staff_done = time.perf_counter() - started
        time.sleep(0.005)
    elapsed = time.perf_counter() - started
    sent = gateway.count
    worker.stop()
    thread.join(timeout=60)
    return {
        "first_staff_s": (gateway.first_staff_at - started) if gateway.first_staff_at else float("nan"),
        "all_staff_s": staff_done if staff_done is not None else float("nan"),
        "sent": sent,
        "elapsed": elapsed,
        "rate": sent / elapsed if elapsed else 0.0,
        # counted once the worker has stopped (it finishes the batches it holds): equal = no duplicate
        "distinct_keys": len(gateway.keys),
        "received": gateway.count,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=1_000_000)
    parser.add_argument("--dispatch", type=int, default=200_000, help="messages to time the dispatch rate on")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--database-url", default=None, help="PostgreSQL server to use (default SQLite)")
    args = parser.parse_args()
    with fresh_database(args.database_url, "fanout") as db:
        setup = {}
        setup_s = timed(lambda: setup.update(build_city(db, args.residents, args.seed)))
        gateway = BenchGateway()
        add_gateway(db, setup["top"], gateway)
        warning_id = red_warning(db, setup["top"])
        registry.load_all()  # import the job handlers once, as a running server has
        holder: dict = {}
        publish_s = timed(lambda: holder.update(dispatch_id=publish(db, warning_id)))
        dispatch_id = holder["dispatch_id"]
        with db.reading() as session:
            staff_sms = session.scalar(
                select(func.count()).where(
                    Delivery.dispatch_id == dispatch_id, Delivery.channel == "sms", Delivery.tier == 0
                )
            )
        fanout_s = timed(lambda: Worker(db, kinds=["delivery.fanout_residents"]).run_until_idle())
        persist_s = publish_s + fanout_s
        with db.reading() as session:
            rows = session.scalar(select(func.count()).where(Delivery.dispatch_id == dispatch_id))
            sms = session.scalar(
                select(func.count()).where(Delivery.dispatch_id == dispatch_id, Delivery.channel == "sms")
            )
        raw_s, raw_rows = raw_reinsert(db, dispatch_id)
        assert raw_rows == rows
        sent = dispatch(db, gateway, min(args.dispatch, sms), staff_sms)  # only SMS reach the gateway
        gateway.close()
        handoff_s = publish_s + sent["first_staff_s"]
        kind = db.kind
    ratio = persist_s / raw_s
    report(
        f"fanout_tongren_{kind}",
        [
            ("database", kind),
            ("village groups (grid cells)", f"{setup['groups']:,}"),
            ("grid workers", f"{setup['grid_workers']:,}"),
            ("subscribed residents", f"{args.residents:,}"),
            ("setup: demo + residents (s)", f"{setup_s:.1f}"),
            ("delivery rows written", f"{rows:,}   (staff SMS {staff_sms:,})"),
            ("publish transaction (s)", f"{publish_s:.2f}"),
            ("residents fan-out job (s)", f"{fanout_s:.2f}"),
            ("resolve + persist (s)", f"{persist_s:.2f}   goal ≤ {GOALS['persist_s']:.0f}"),
            ("raw bulk insert of the same rows (s)", f"{raw_s:.2f}"),
            ("ratio persist / raw", f"{ratio:.2f}x   goal ≤ {GOALS['ratio']:.0f}x (half the raw rate)"),
            (
                "hand-off: publish + first staff batch (s)",
                f"{handoff_s:.2f}   goal ≤ {GOALS['handoff_s']:.0f}",
            ),
            ("  worker start → all staff SMS handed (s)", f"{sent['all_staff_s']:.2f}"),
            ("dispatch: messages to the gateway", f"{sent['sent']:,} in {sent['elapsed']:.1f} s"),
            ("dispatch rate (msg/s)", f"{sent['rate']:,.0f}   goal ≥ {GOALS['rate']:,.0f}"),
            (
                "distinct idempotency keys / messages received",
                f"{sent['distinct_keys']:,} / {sent['received']:,}"
                + ("   no duplicate" if sent["distinct_keys"] == sent["received"] else "   DUPLICATES"),
            ),
        ],
        {
            "figure": round(persist_s, 2),
            "unit": "s",
            "baseline": round(raw_s, 2),
            "ratio": round(ratio, 2),
            "rows": rows,
            "handoff_s": round(handoff_s, 2),
            "dispatch_rate": round(sent["rate"]),
            "goals": GOALS,
            "database": kind,
        },
    )


if __name__ == "__main__":
    main()
