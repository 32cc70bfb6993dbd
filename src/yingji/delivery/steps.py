"""The pure decisions of a dispatch's escalation; ``escalation.py`` does the database work around them.
Whether a frozen step runs now, the door-to-door tasks of the silent cells, when a pending step counts
as late, and what the auditor says when it gives a step up. No database here, so the mutation tests
(docs/MUTATION.md) exercise them in microseconds."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from yingji.delivery.codes import DispatchState, StepState, TaskState
from yingji.delivery.issuing import STEP_JOB

AUDIT_GRACE = timedelta(minutes=5)
MAX_REPAIRS = 3
RUN = "run"


def gate(step, dispatch, now: datetime) -> str:
    """What ``run_step`` does with a step: ``skipped`` (gone, or no longer pending: run, cancelled or
    stalled already), ``cancelled`` (its dispatch is gone or stopped), ``early`` (its job came before
    the due time), else ``run``. ``dispatch`` is not looked at for a skipped step."""
    if step is None or step.state != StepState.PENDING:
        return "skipped"
    if dispatch is None or dispatch.state != DispatchState.ACTIVE:
        return StepState.CANCELLED.value
    if now < step.due_at:
        return "early"
    return RUN


def door_rows(
    dispatch_id: int,
    cells: Iterable,
    staff: Iterable[tuple[int, int]],
    counts: Iterable[tuple[str, int, int | None]],
    existing: set[int],
    now: datetime,
) -> list[dict]:
    """The 逐家逐户 tasks to create, one per silent cell (``grid_cell_id``, ``cell_code``,
    ``households``) that has none yet: its staff (``staff``: cell id, person id) each once, sorted; the
    households counted from the residents registered in the cell (``counts``: cell code, households,
    vulnerable residents), else the cell's own figure, else 0; and its vulnerable residents."""
    assignees: dict[int, list[int]] = {}
    for cell_id, person_id in staff:
        assignees.setdefault(cell_id, []).append(person_id)
    households, vulnerable = {}, {}
    for code, n_households, n_vulnerable in counts:
        households[code], vulnerable[code] = n_households, int(n_vulnerable or 0)
    return [
        {
            "dispatch_id": dispatch_id,
            "grid_cell_id": c.grid_cell_id,
            "jurisdiction_code": c.cell_code,
            "assignee_ids": sorted(set(assignees.get(c.grid_cell_id, []))),
            "state": TaskState.OPEN.value,
            "households_total": households.get(c.cell_code) or c.households or 0,
            "vulnerable_total": vulnerable.get(c.cell_code, 0),
            "created_at": now,
            "updated_at": now,
        }
        for c in cells
        if c.grid_cell_id not in existing
    ]


def door_audit_items(dispatch_id: int, rows: list[dict]) -> list[tuple]:
    """The audit entries of the new tasks: keyed ``dispatch:cell``, in the cell's jurisdiction."""
    return [(f"{dispatch_id}:{r['grid_cell_id']}", r["jurisdiction_code"], None, r) for r in rows]


def late_before(now: datetime) -> datetime:
    """A pending step due before this has missed its time by more than the auditor's grace."""
    return now - AUDIT_GRACE


def requeue_key(step) -> str:
    """The dedupe key of a repaired step's new job: one per repair."""
    return f"{STEP_JOB}:{step.id}:r{step.repairs}"


def stall_notice(step) -> dict:
    """What the dispatch's jurisdiction is told when the auditor gives a step up (once per step)."""
    return {
        "subject": f"预警督办步骤停滞：调度 {step.dispatch_id} 第 {step.seq} 步",
        "category": "warning.escalation_stalled",
        "severity": "urgent",
        "link": f"/delivery/dispatches/{step.dispatch_id}",
        "key": f"stalled:{step.id}",
    }
