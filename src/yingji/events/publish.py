"""``publish()``: an event written in the caller's transaction and pushed after its commit.

The rows are inserted at commit time (``before_commit``), not when ``publish`` is called: on
PostgreSQL the insert then takes a transaction-level advisory lock first, so event ids are handed out
in commit order, and "every event after id N" (what a reconnecting client asks for, what each
process's fan-out reads) never skips a row that commits late. The lock is held only from the insert
to the commit, never while the caller still takes row locks (no deadlock). ``pg_notify`` in the same
transaction wakes every listening process once the commit is visible; a rolled-back transaction (or
savepoint) publishes nothing. On SQLite writers are serialised anyway; processes are woken in process
(``hub.wake_all``) after the commit, and other processes poll the log (see ``hub``).
"""

from __future__ import annotations

import json

from sqlalchemy import event, insert, text
from sqlalchemy.orm import Session, SessionTransaction

from yingji.core import clock
from yingji.events.models import EventLog

KINDS = (
    "report.new",  # a 首报 (payload: incident_id, report_id, report_kind, title, grade)
    "report.changed",  # a 续报 / 终报 / 补报, a receipt or forwarding
    "incident.changed",  # status, grade, merge
    "alarm.new",
    "alarm.changed",
    "deadline.overdue",  # a reporting deadline or a routine duty report became overdue
    "warning.coverage",  # delivery or acknowledgement coverage of a warning moved
    "task.changed",  # a response task was assigned, acknowledged, done, escalated …
    "evacuation.tally",  # an evacuation order's accounting moved (payload: order_id; coalesced per commit)
    "shelter.changed",  # a shelter opened, closed, filled or its occupancy moved (shelter_id, occupancy)
    "damage.changed",  # a damage report arrived or was decided, a relief grade moved (event_id)
    "owner.changed",  # 首接负责制: an item was taken in or handed over (kind, item_id, owner_user_id)
)
CHANNEL = "yingji_events"
# pg_advisory_xact_lock key: "yingji events" (any constant no other code uses).
LOCK_KEY = 0x59494E474A49
_PENDING = "yingji.events.pending"
_WAKE = "yingji.events.wake"


def publish(
    session: Session, kind: str, jurisdiction_code: str, payload: dict, *, once: str | None = None
) -> None:
    """Push ``kind`` about a place to everyone whose jurisdiction covers it, once ``session``'s
    transaction commits (nothing if it rolls back). ``payload`` must be JSON: small, ids and labels.
    ``once``: a key; further events with the same kind and key in this transaction are dropped (one
    "incident changed" for a transaction that changes an incident several ways)."""
    if kind not in KINDS:
        raise ValueError(f"unknown event kind {kind!r}")
    pending = session.info.setdefault(_PENDING, [])
    if once is not None and any(e[1] == kind and e[4] == once for e in pending):
        return
    body = json.loads(json.dumps(payload, default=str, ensure_ascii=False))
    tx = session.get_nested_transaction() or session.get_transaction()
    pending.append((tx, kind, jurisdiction_code or "", body, once))


@event.listens_for(Session, "before_commit")
def _write_pending(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint's release: its events wait for the outer commit
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    session.flush()  # the caller's row locks first: once the advisory lock is held, nothing else waits
    now = clock.now()
    rows = [{"kind": k, "jurisdiction_code": c, "payload": p, "created_at": now} for _, k, c, p, _ in pending]
    conn = session.connection()
    postgres = conn.dialect.name == "postgresql"
    if postgres:
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": LOCK_KEY})
    conn.execute(insert(EventLog.__table__), rows)
    if postgres:
        conn.execute(text("SELECT pg_notify(:c, '')"), {"c": CHANNEL})
    session.info[_WAKE] = True


@event.listens_for(Session, "after_commit")
def _wake_after_commit(session: Session) -> None:
    if session.info.pop(_WAKE, False):
        from yingji.events.hub import wake_all

        wake_all()


def _within(tx: SessionTransaction | None, ended: SessionTransaction) -> bool:
    while tx is not None:
        if tx is ended:
            return True
        tx = tx.parent
    return False


@event.listens_for(Session, "after_soft_rollback")
def _drop_rolled_back(session: Session, previous_transaction: SessionTransaction) -> None:
    pending = session.info.get(_PENDING)
    if previous_transaction.parent is None:
        session.info.pop(_PENDING, None)
        session.info.pop(_WAKE, None)
    elif pending:
        session.info[_PENDING] = [e for e in pending if not _within(e[0], previous_transaction)]
