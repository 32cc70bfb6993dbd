"""Waking idle workers when a job due now is enqueued, instead of letting them poll.

``enqueue`` marks its transaction; when it commits, the workers of this process are woken at once
(``after_commit``), and on PostgreSQL the transaction also sent ``NOTIFY yingji_jobs``, which one
``LISTEN`` connection per worker process turns into the same wake-up — from whichever process
enqueued. Jobs due later, retries and the auditor's requeues are found by the worker's idle poll
(``--idle``, 0.5 s), so a lost notification costs at most that pause, never a job.
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

log = logging.getLogger("yingji.worker")

CHANNEL = "yingji_jobs"
_WAKE = "yingji.jobs.wake"
RECONNECT_S = 2.0


class Signal:
    """A broadcast: every waiter returns once ``notify`` is called after it looked (generation)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self.generation = 0
        self._listeners: list = []  # also called on notify (a worker pool's loop)

    def notify(self) -> None:
        with self._cond:
            self.generation += 1
            self._cond.notify_all()
            listeners = list(self._listeners)
        for listener in listeners:
            listener()

    def subscribe(self, listener) -> None:
        with self._cond:
            self._listeners.append(listener)

    def unsubscribe(self, listener) -> None:
        with self._cond:
            self._listeners.remove(listener)

    def wait(self, seen: int, timeout: float) -> bool:
        """Wait up to ``timeout`` unless notified since ``seen`` (a ``generation`` read before the
        caller last looked for work); True when notified."""
        with self._cond:
            return self._cond.wait_for(lambda: self.generation != seen, timeout)


# One per process: enqueues wake the process's own workers, the listeners wake them for others.
LOCAL = Signal()


def job_due(session: Session) -> None:
    """Called by ``enqueue`` for a job due now, in the enqueuing transaction: this process's
    workers are woken when it commits."""
    session.info[_WAKE] = True


@event.listens_for(Session, "after_commit")
def _wake_after_commit(session: Session) -> None:
    if session.info.pop(_WAKE, False):
        LOCAL.notify()


@event.listens_for(Session, "after_soft_rollback")
def _forget(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop(_WAKE, None)


_LISTENERS: dict[str, threading.Thread] = {}
_LISTENERS_LOCK = threading.Lock()


def listen(database_url: str) -> None:
    """Start (once per database and process) the thread that LISTENs on PostgreSQL and wakes this
    process's workers. It reconnects after a lost connection and wakes them after every connect,
    for what was enqueued while it was not listening."""
    url = make_url(database_url)
    if not url.get_backend_name().startswith("postgresql"):
        return
    dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with _LISTENERS_LOCK:
        if dsn in _LISTENERS and _LISTENERS[dsn].is_alive():
            return
        thread = threading.Thread(target=_listen, args=(dsn,), name="yingji-jobs-listen", daemon=True)
        _LISTENERS[dsn] = thread
        thread.start()


def _listen(dsn: str) -> None:
    import psycopg

    while True:
        try:
            with psycopg.connect(dsn, autocommit=True) as conn:
                conn.execute(f"LISTEN {CHANNEL}")
                LOCAL.notify()
                for _ in conn.notifies():
                    LOCAL.notify()
        except Exception as exc:
            log.warning("job listener lost its connection (%s); reconnecting", type(exc).__name__)
            threading.Event().wait(RECONNECT_S)
