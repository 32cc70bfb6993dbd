"""The no-op jobs of ``bench.queue``, one per queue under test (ours, procrastinate, pgqueuer).

Loaded by the worker processes the bench starts (``yingji worker --load bench.queue_jobs``,
``procrastinate --app=bench.queue_jobs.procrastinate_app``, ``pgqueuer.run(bench.queue_jobs.pgqueuer_app)``).
A job does nothing, except that one carrying its enqueue time ``t`` appends how long it waited to
start to the file ``BENCH_QUEUE_LOG`` (one ``write`` with ``O_APPEND``): the enqueue-to-start latency.
"""

from __future__ import annotations

import contextlib
import json
import os
import time

from yingji.jobs.registry import JobContext, handler

KIND = "bench.noop"


def record_start(t: float | None) -> None:
    if t is None:
        return
    waited_ms = (time.time() - t) * 1000
    path = os.environ.get("BENCH_QUEUE_LOG")
    if path:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, f"{waited_ms:.3f}\n".encode())
        finally:
            os.close(fd)


@handler(KIND, max_attempts=3)
def noop(session, ctx: JobContext) -> None:
    record_start(ctx.payload.get("t"))


def _dsn() -> str:
    # Never the libpq defaults: a peer's schema must go to the bench's own database only.
    dsn = os.environ.get("BENCH_PG_DSN", "")
    if not dsn.startswith("postgresql://"):
        raise RuntimeError("BENCH_PG_DSN (the bench database) is not set")
    return dsn


# -- procrastinate (its documented usage: an App with a PsycopgConnector, a task, the CLI worker) --
try:
    import procrastinate
except ImportError:  # the bench's optional dependencies are not installed
    procrastinate = None

if procrastinate is not None:
    # conninfo as a callable: read when the worker connects, not at import.
    procrastinate_app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=_dsn))

    @procrastinate_app.task(name="noop")
    async def procrastinate_noop(t: float | None = None) -> None:
        record_start(t)


# -- pgqueuer (its documented usage: a factory giving PgQueuer with an entrypoint, `pgq run`) -------
@contextlib.asynccontextmanager
async def pgqueuer_app():
    import psycopg
    from pgqueuer import PgQueuer
    from pgqueuer.db import PsycopgDriver

    conn = await psycopg.AsyncConnection.connect(_dsn(), autocommit=True)
    pgq = PgQueuer(PsycopgDriver(conn))

    @pgq.entrypoint("noop")
    async def pgqueuer_noop(job) -> None:
        record_start(json.loads(job.payload).get("t") if job.payload else None)

    try:
        yield pgq
    finally:
        await conn.close()
