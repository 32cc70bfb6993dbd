"""Job handlers by kind. A handler is ``fn(session, ctx) -> None`` running inside the job's
transaction, so its writes commit together with the job's completion, or not at all — unless it
calls ``ctx.checkpoint()``, which commits the work so far with a renewal of the job's lease (long
jobs made of resumable steps, such as sending deliveries batch by batch).

Leases: a job is leased for its kind's ``lease_s``, at most ``YINGJI_JOB_LEASE_S`` (default 15 s).
The worker renews the lease while the job runs (a heartbeat every third of it, and at every
checkpoint), so ``lease_s`` bounds how long a dead worker's job waits, not how long a job may run.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from importlib.metadata import entry_points
from typing import Any

from sqlalchemy.orm import Session

from yingji import domains

# A dead worker's jobs run again after at most the lease plus the auditor's interval (plus an idle
# worker's pause): 15 + 5 + 0.5 s by default. YINGJI_JOB_LEASE_S and YINGJI_JOB_AUDIT_S change them.
DEFAULT_LEASE_S = 15.0
DEFAULT_AUDIT_S = 5.0


class LeaseLost(RuntimeError):
    """The job's lease ran out and the auditor gave it to another worker: stop at once; what was
    done since the last checkpoint is rolled back."""


@dataclass
class JobContext:
    job_id: int
    kind: str
    payload: dict[str, Any]
    attempt: int
    worker: str
    _checkpoint: Callable[[], None] | None = field(default=None, repr=False)

    def checkpoint(self) -> None:
        """Commit the work so far in one transaction with a renewal of this job's lease, and go on
        in a new transaction. Raises :class:`LeaseLost` (nothing of this step commits) when the job
        is no longer ours. Outside a worker (a handler called directly) it commits nothing: the work
        then commits with the caller's transaction."""
        if self._checkpoint is not None:
            self._checkpoint()


@dataclass(frozen=True)
class HandlerSpec:
    kind: str
    fn: Callable[[Session, JobContext], None]
    max_attempts: int = 5
    backoff_base_s: float = 10.0
    backoff_max_s: float = 3600.0
    lease_s: float = DEFAULT_LEASE_S  # the lease term; capped by YINGJI_JOB_LEASE_S
    period: timedelta | None = None  # periodic jobs re-schedule themselves


_HANDLERS: dict[str, HandlerSpec] = {}
_LOADED = False
# The platform's own handler modules; plugins add theirs under the ``yingji.jobs`` entry points.
HANDLER_MODULES = domains.modules("jobs")


def handler(
    kind: str,
    *,
    max_attempts: int = 5,
    backoff_base_s: float = 10.0,
    backoff_max_s: float = 3600.0,
    lease_s: float = DEFAULT_LEASE_S,
    period: timedelta | None = None,
):
    def register(fn):
        _HANDLERS[kind] = HandlerSpec(kind, fn, max_attempts, backoff_base_s, backoff_max_s, lease_s, period)
        return fn

    return register


def get(kind: str) -> HandlerSpec | None:
    load_all()
    return _HANDLERS.get(kind)


def all_specs() -> list[HandlerSpec]:
    load_all()
    return list(_HANDLERS.values())


def load_all(extra_modules: list[str] | None = None) -> None:
    """Import handler modules: those registered under the ``yingji.jobs`` entry point
    group (so later domains and plugins add theirs) plus any named explicitly."""
    global _LOADED
    if not _LOADED:
        _LOADED = True
        for name in HANDLER_MODULES:
            importlib.import_module(name)
        for ep in entry_points(group="yingji.jobs"):
            importlib.import_module(ep.value)
    for module in extra_modules or []:
        importlib.import_module(module)


def lease_for(kind: str, max_lease_s: float | None = None) -> float:
    """The lease a job of ``kind`` takes: its ``lease_s``, at most ``max_lease_s`` (the configured
    longest lease, so that a kind declaring a long one cannot delay recovery past it)."""
    cap = DEFAULT_LEASE_S if max_lease_s is None else max_lease_s
    spec = get(kind)
    return min(spec.lease_s, cap) if spec is not None else cap


def backoff_seconds(spec: HandlerSpec, attempt: int) -> float:
    """Exponential backoff: base, 2·base, 4·base … capped."""
    return min(spec.backoff_base_s * (2 ** max(attempt - 1, 0)), spec.backoff_max_s)
