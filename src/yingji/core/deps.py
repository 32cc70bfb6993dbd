"""Request-scoped dependencies: the database session (read or write by HTTP method)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

import anyio
import anyio.to_thread
from fastapi import Depends, Request
from sqlalchemy.orm import Session

from yingji.core.db import Database
from yingji.core.overload import REQUEST_WAIT

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def get_database(request: Request) -> Database:  # async: no I/O, no hop to a thread
    return request.app.state.db


async def database_turn(request: Request) -> AsyncIterator[None]:
    """A turn at the database (``core.overload.RequestGate``), waited for in the event loop before
    any worker thread is taken; a 503 with Retry-After when too many are waiting or the wait is over."""
    db: Database = request.app.state.db
    await db.request_gate.acquire()
    token = REQUEST_WAIT.set(db.settings.db_wait_s)  # SQLite's write lock: a request's short wait
    try:
        yield
    finally:
        REQUEST_WAIT.reset(token)
        db.request_gate.release()


async def get_session(
    request: Request, _turn: Annotated[None, Depends(database_turn, scope="function")]
) -> AsyncIterator[Session]:
    """GET and HEAD read; everything else writes and commits before the response is sent
    (``scope="function"``), so a client never sees success for a change that was lost.
    Async: making a session does no I/O (the connection is taken at its first statement); the
    commit, rollback and close, which do, run in a worker thread — one hop instead of two."""
    db: Database = request.app.state.db
    write = request.method not in SAFE_METHODS
    session = (db.write_sessions if write else db.read_sessions)()
    request.state.session = session  # the request's own session, for what templates look up

    def end(ok: bool) -> None:
        try:
            if ok and write:
                session.commit()
            elif not ok:
                session.rollback()
        finally:
            session.close()

    ok = False
    try:
        yield session
        ok = True
    finally:
        with anyio.CancelScope(shield=True):  # a client gone mid-request still frees the connection
            await anyio.to_thread.run_sync(end, ok)


Db = Annotated[Database, Depends(get_database)]
DbSession = Annotated[Session, Depends(get_session, scope="function")]
