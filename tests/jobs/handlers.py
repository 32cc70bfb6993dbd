"""Job kinds for the job-queue tests.

Imported by the tests themselves and by ``yingji worker --load tests.jobs.handlers`` in the
subprocess tests. Handlers record their work in two ways:

* ``job_effects`` rows, written inside the job's transaction, so they show what *committed*;
* optionally, a line appended (``O_APPEND``, one ``write``) to the file named by
  ``payload["log"]``, which shows every *execution*, including ones later rolled back.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Column, Integer, MetaData, String, Table, func, select
from sqlalchemy.orm import Session

from yingji.jobs.registry import JobContext, handler

# Kept out of the application's metadata, so the migrations test never sees it.
test_metadata = MetaData()
effects = Table(
    "job_effects",
    test_metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("job_id", Integer, nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("pid", Integer, nullable=False),
    Column("note", String(100), nullable=False, default=""),
)

# In-process tests plug behaviour into ``tests.hook`` jobs by name: HOOKS[payload["hook"]].
HOOKS: dict[str, Callable[[Session, JobContext], None]] = {}
# In-process tests make the periodic ``tests.tick`` fail by setting this (monkeypatch).
TICK_FAILS = False

BLOCK_TIMEOUT_S = 30.0


def install(engine) -> None:
    """Create the effects table in a test database."""
    test_metadata.create_all(engine, checkfirst=True)


def record(session: Session, ctx: JobContext, note: str = "") -> None:
    session.execute(
        effects.insert().values(job_id=ctx.job_id, attempt=ctx.attempt, pid=os.getpid(), note=note)
    )


def effect_rows(session: Session) -> list[tuple[int, int, int, str]]:
    return [
        tuple(r)
        for r in session.execute(
            select(effects.c.job_id, effects.c.attempt, effects.c.pid, effects.c.note).order_by(effects.c.id)
        )
    ]


def effect_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(effects))


def log_line(ctx: JobContext, event: str) -> None:
    """Append one line to payload["log"] atomically (O_APPEND, one short write)."""
    path = ctx.payload.get("log")
    if not path:
        return
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, f"{ctx.job_id} {ctx.attempt} {os.getpid()} {event}\n".encode())
    finally:
        os.close(fd)


def read_log(path: Path) -> list[tuple[int, int, int, str]]:
    if not path.exists():
        return []
    out = []
    for line in path.read_text().splitlines():
        job_id, attempt, pid, event = line.split(" ", 3)
        out.append((int(job_id), int(attempt), int(pid), event))
    return out


@handler("tests.record", max_attempts=3, backoff_base_s=1.0)
def record_job(session: Session, ctx: JobContext) -> None:
    """Writes one effect row (and a log line); sleeps payload["sleep"] seconds first."""
    log_line(ctx, "run")
    if ctx.payload.get("sleep"):
        time.sleep(ctx.payload["sleep"])
    record(session, ctx, ctx.payload.get("note", ""))


@handler("tests.fail", max_attempts=4, backoff_base_s=10.0, backoff_max_s=3600.0)
def failing_job(session: Session, ctx: JobContext) -> None:
    """Writes, then fails: the write must never commit."""
    record(session, ctx, "should be rolled back")
    session.flush()
    raise RuntimeError(f"boom on attempt {ctx.attempt}")


@handler("tests.hook", max_attempts=3, backoff_base_s=5.0, lease_s=30.0)
def hook_job(session: Session, ctx: JobContext) -> None:
    HOOKS[ctx.payload["hook"]](session, ctx)


@handler("tests.hook_short_lease", max_attempts=3, lease_s=1.5)
def hook_short_lease_job(session: Session, ctx: JobContext) -> None:
    HOOKS[ctx.payload["hook"]](session, ctx)


@handler("tests.block", max_attempts=3, lease_s=2.0)
def blocking_job(session: Session, ctx: JobContext) -> None:
    """Logs "start", then waits until the file payload["release"] exists, then records."""
    log_line(ctx, "start")
    release = Path(ctx.payload["release"])
    deadline = time.monotonic() + BLOCK_TIMEOUT_S
    while not release.exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{release} never appeared")
        time.sleep(0.02)
    record(session, ctx, "unblocked")
    log_line(ctx, "done")


@handler("tests.tick", period=timedelta(minutes=10), max_attempts=2, backoff_base_s=1.0)
def periodic_job(session: Session, ctx: JobContext) -> None:
    if TICK_FAILS:
        raise RuntimeError("tick failed")
    record(session, ctx, "tick")
