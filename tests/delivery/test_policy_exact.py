"""Exact answers of the pure decisions of warning escalation (``delivery/policy.py``,
``delivery/steps.py``), no database: the default steps per level, which policy a dispatch freezes
(the nearest place up the tree wins), what a jurisdiction may set, when each frozen step falls due and
whether it runs, the door-to-door tasks of the silent cells and the auditor's words. Written for
``mutmut`` (docs/MUTATION.md); the database side is in test_escalation.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace as NS

import pytest
from pydantic import ValidationError

from yingji.core.errors import ValidationFailed
from yingji.delivery import policy, steps
from yingji.delivery.models import WarningPolicy

T0 = datetime(2026, 7, 1, 8, 0, tzinfo=UTC)
TOWN, VILLAGE, CELL = "330102001", "330102001001", "330102001001001"


def test_default_steps_per_level():
    def table(level):
        return [(s["after_minutes"], s["action"]) for s in policy.DEFAULT_POLICIES[level]["steps"]]

    assert table("red") == [(5, "resend"), (10, "notify_leaders"), (15, "door_to_door")]
    assert table("orange") == [(10, "resend"), (20, "notify_leaders"), (30, "door_to_door")]
    assert table("yellow") == [(30, "resend"), (60, "notify_leaders")]
    assert table("blue") == [(60, "resend")]


def test_the_default_is_frozen_when_no_place_sets_one():
    assert policy.choose(policy.chain_of(CELL), {}, "red")["version"] == 0
    assert policy.choose(policy.chain_of(CELL), {}, "red")["steps"][0]["action"] == "resend"


def test_a_place_of_its_own_wins():
    own = {TOWN: NS(name="镇", version=2, steps=[{"after_minutes": 3, "action": "door_to_door"}])}
    frozen = policy.choose(policy.chain_of(VILLAGE), own, "red")
    assert frozen["name"] == "镇" and frozen["steps"] == [{"after_minutes": 3, "action": "door_to_door"}]


def test_an_unknown_level_is_refused():
    with pytest.raises(ValidationFailed):
        policy.check_level("purple")
    policy.check_level("red")


def test_steps_are_ordered_by_minutes():
    data = policy.PolicyIn(
        name="p", steps=[{"after_minutes": 20, "action": "resend"}, {"after_minutes": 5, "action": "resend"}]
    )
    assert [s["after_minutes"] for s in policy.ordered_steps(data)] == [5, 20]


def test_a_policy_with_a_bad_step_is_refused():
    with pytest.raises(ValidationError):
        policy.PolicyIn(name="p", steps=[{"after_minutes": -1, "action": "resend"}])
    with pytest.raises(ValidationError):
        policy.PolicyIn(name="p", steps=[{"after_minutes": 1, "action": "call"}])


def test_new_version():
    data = policy.PolicyIn(name="p", steps=[])
    row = policy.versioned(None, TOWN, "red", data, [])
    assert isinstance(row, WarningPolicy) and row.version == 1
    assert policy.versioned(row, TOWN, "red", data, []).version == 2


def test_frozen_steps_fall_due_after_publication():
    frozen = policy.choose([], {}, "red")
    assert [due - T0 for _, _, due in policy.frozen_steps(frozen, T0)] == [
        timedelta(minutes=5),
        timedelta(minutes=10),
        timedelta(minutes=15),
    ]


def test_a_step_runs_when_due_and_pending():
    step = NS(state="pending", due_at=T0)
    active = NS(state="active")
    assert steps.gate(step, active, T0) == "run"
    assert steps.gate(step, active, T0 - timedelta(seconds=1)) == "early"
    assert steps.gate(step, NS(state="stopped"), T0) == "cancelled"
    assert steps.gate(NS(state="done", due_at=T0), active, T0) == "skipped"


def test_door_tasks_for_silent_cells():
    cells = [NS(grid_cell_id=1, cell_code=CELL, households=10)]
    rows = steps.door_rows(7, cells, [(1, 5)], [(CELL, 8, 2)], set(), T0)
    assert rows[0]["assignee_ids"] == [5] and rows[0]["households_total"] == 8
