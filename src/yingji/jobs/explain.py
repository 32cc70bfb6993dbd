"""The database's plan for the claim statement (tests and the queue bench check that it reads
``ix_jobs_queued`` without a sort)."""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session

from yingji.core import clock
from yingji.jobs import queue


def claim_plan(session: Session, limit: int = 10, *, kinds: list[str] | None = None) -> list[str]:
    """The database's plan for the claim statement, as text lines (``EXPLAIN`` on PostgreSQL,
    ``EXPLAIN QUERY PLAN`` on SQLite); nothing is claimed. For tests and the queue bench."""
    prefix = "EXPLAIN " if queue._postgres(session) else "EXPLAIN QUERY PLAN "
    conn = session.connection()

    def explain(conn, cursor, statement, parameters, context, executemany):
        return prefix + statement, parameters

    event.listen(conn, "before_cursor_execute", explain, retval=True)
    try:
        stmt = queue._claim_statement(session, "explain", limit, kinds, 1.0, clock.now(), "explain")
        rows = conn.execute(stmt).all()
    finally:
        event.remove(conn, "before_cursor_execute", explain)
    return [str(row[-1]) for row in rows]
