"""Request-scoped dependencies: the database session (read or write by HTTP method)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from yingji.core.db import Database

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_database(request: Request) -> Database:
    return request.app.state.db


def get_session(request: Request) -> Iterator[Session]:
    """GET and HEAD read; everything else writes and commits before the response is sent
    (``scope="function"``), so a client never sees success for a change that was lost."""
    db: Database = request.app.state.db
    write = request.method not in SAFE_METHODS
    with (db.write_sessions if write else db.read_sessions)() as session:
        try:
            yield session
            if write:
                session.commit()
        except BaseException:
            session.rollback()
            raise


Db = Annotated[Database, Depends(get_database)]
DbSession = Annotated[Session, Depends(get_session, scope="function")]
