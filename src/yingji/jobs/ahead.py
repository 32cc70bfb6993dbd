"""The jobs a worker's pool holds: claimed ahead and waiting for a runner, running, and run with
nothing to commit (their ``done`` waits for the claim loop's next pass).

Runners take the waiting jobs in claim order themselves (no hand-off through the loop); the loop is
woken only when there is a pass to make: the waiting jobs are running low, a job's lease is in
doubt, or jobs have been run (it then waits at most ``FLUSH_S`` to record them with more). A waiting
job is started only while its lease, as last renewed by the heartbeat, has at least a third of its
term left (a missed beat: it goes back to the queue instead), and never once the heartbeat found it
lost.
"""

from __future__ import annotations

import threading
import time
from collections import deque

from yingji.jobs import queue

FLUSH_S = 0.05  # the longest a run job waits for its `done` while the loop has nothing else to do


class Ahead:
    def __init__(self, concurrency: int, prefetch: int) -> None:
        self.capacity = concurrency + prefetch
        # Claim again once this few are waiting (at once when nothing is claimed ahead).
        self.low = prefetch // 2
        self._lock = threading.Lock()
        self._work = threading.Condition(self._lock)  # runners wait for a job
        self._loop = threading.Condition(self._lock)  # the claim loop waits for a pass to make
        self._waiting: deque[queue.Claimed] = deque()
        self._expires: dict[int, float] = {}  # waiting job id -> its lease's end (monotonic), as known
        self._running = 0
        self._ran: list[queue.Claimed] = []
        self._ran_since = 0.0  # when the first of them was run
        self._stale: list[queue.Claimed] = []  # waiting jobs whose lease is in doubt: to hand back
        self._woken = False
        self._loop_waits = False
        self.closed = False

    # -- the claim loop -----------------------------------------------------------------------------
    def room(self) -> int:
        with self._lock:
            return self.capacity - len(self._waiting) - self._running

    def add(self, jobs: list[queue.Claimed], since: float) -> None:
        """Jobs just claimed (their leases run from ``since``, monotonic), in claim order."""
        with self._lock:
            for job in jobs:
                self._expires[job.id] = since + job.lease_s
            self._waiting.extend(jobs)
            self._work.notify(len(jobs))

    def _due(self) -> bool:
        if self.closed or self._stale or self._woken:
            return True
        room = self.capacity - len(self._waiting) - self._running
        return room > 0 and len(self._waiting) <= self.low

    def wait_for_pass(self, timeout: float) -> None:
        """Until there is a pass to make (or ``timeout``; ``FLUSH_S`` after a job was run)."""
        with self._lock:
            deadline = time.monotonic() + timeout
            self._loop_waits = True
            try:
                while not self._due():
                    limit = min(deadline, self._ran_since + FLUSH_S) if self._ran else deadline
                    left = limit - time.monotonic()
                    if left <= 0:
                        return
                    self._loop.wait(left)
            finally:
                self._loop_waits = False
                self._woken = False  # an enqueue from now on is seen by the next idle()

    def idle(self, timeout: float) -> None:
        """Nothing was due: wait for an enqueue (``poke``), a run job to record, or ``timeout``."""
        with self._lock:
            self._loop_waits = True
            try:
                self._loop.wait_for(lambda: self.closed or self._stale or self._woken or self._ran, timeout)
            finally:
                self._loop_waits = False
                self._woken = False

    def poke(self) -> None:
        """An enqueue (or a stop): the loop looks again."""
        with self._lock:
            self._woken = True
            self._loop.notify()

    def take_ran(self) -> list[queue.Claimed]:
        with self._lock:
            ran, self._ran = self._ran, []
            return ran

    def put_back_ran(self, jobs: list[queue.Claimed]) -> None:
        """Run jobs whose ``done`` could not be recorded: the next pass tries again."""
        if jobs:
            with self._lock:
                if not self._ran:
                    self._ran_since = time.monotonic()
                self._ran.extend(jobs)

    def take_stale(self) -> list[queue.Claimed]:
        with self._lock:
            stale, self._stale = self._stale, []
            return stale

    def close(self) -> list[queue.Claimed]:
        """Stop: runners finish their jobs and take no more; returns the jobs still waiting."""
        with self._lock:
            self.closed = True
            waiting = list(self._waiting)
            self._waiting.clear()
            self._expires.clear()
            self._work.notify_all()
            self._loop.notify()
            return waiting

    # -- runners ------------------------------------------------------------------------------------
    def take(self) -> queue.Claimed | None:
        """The next waiting job whose lease is sound (a runner), or None once closed."""
        with self._lock:
            while True:
                while not self._waiting and not self.closed:
                    self._work.wait()
                if self.closed:
                    return None
                job = self._waiting.popleft()
                left = self._expires.pop(job.id) - time.monotonic()
                if left >= job.lease_s / 3:
                    self._running += 1
                    return job
                self._stale.append(job)  # a beat was missed: hand it back rather than risk it
                self._notify_loop()

    def finished(self, ran: queue.Claimed | None) -> None:
        """A runner's job ended; ``ran``: it wrote nothing, its ``done`` is for the loop to record."""
        with self._lock:
            self._running -= 1
            if ran is not None:
                self._ran.append(ran)
                if len(self._ran) == 1:
                    self._ran_since = time.monotonic()
            self._notify_loop()

    def _notify_loop(self) -> None:
        # The first run job too: the loop's wait is then cut to FLUSH_S (and idle() ends).
        if self._loop_waits and (self._due() or len(self._ran) == 1):
            self._loop.notify()

    # -- the heartbeat (heartbeat.Watcher) ----------------------------------------------------------
    def is_waiting(self, job: queue.Claimed) -> bool:
        with self._lock:
            return job.id in self._expires

    def renewed(self, job: queue.Claimed, ours: bool | None, since: float) -> bool:
        with self._lock:
            if job.id not in self._expires:
                return ours is not False  # started meanwhile (or handed back)
            if ours:
                self._expires[job.id] = since + job.lease_s
                return True
            if ours is False:  # another worker has it: never start it
                self._waiting.remove(job)
                del self._expires[job.id]
                return False
            return True
