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


# -- against the survivors of the first mutmut run -----------------------------------------------


def test_the_default_table_is_written_as_step_dicts():
    assert policy._steps((5, "resend"), (10, "door_to_door")) == [
        {"after_minutes": 5, "action": "resend"},
        {"after_minutes": 10, "action": "door_to_door"},
    ]
    assert {level: p["name"] for level, p in policy.DEFAULT_POLICIES.items()} == {
        "red": "红色预警默认督办",
        "orange": "橙色预警默认督办",
        "yellow": "黄色预警默认督办",
        "blue": "蓝色预警默认督办",
    }
    assert policy.LEVELS == ("red", "orange", "yellow", "blue")
    assert policy.ACTIONS == ("resend", "notify_leaders", "door_to_door")


def test_the_chain_runs_from_the_province_down_to_the_place():
    assert policy.chain_of(CELL) == ["33", "3301", "330102", TOWN, VILLAGE, CELL]
    assert policy.chain_of(TOWN) == ["33", "3301", "330102", TOWN]
    assert policy.chain_of("") == []  # a warning without a place: only the default


def test_a_default_is_frozen_whole_with_version_0_and_its_source():
    for level, default in policy.DEFAULT_POLICIES.items():
        frozen = policy.choose(policy.chain_of(CELL), {}, level)
        assert frozen == {
            "name": default["name"],
            "version": 0,
            "source": policy.SOURCE,
            "steps": default["steps"],
        }
        assert frozen["steps"] is not default["steps"]  # a copy: the dispatch's own
    assert policy.SOURCE == (
        "Yingji default (issue 4 example; seed 002 village practice). A setting per jurisdiction."
    )
    # a level without a default (a warning row's level is free text): nothing escalates
    assert policy.choose([TOWN], {}, "purple") == {
        "name": "",
        "version": 0,
        "source": policy.SOURCE,
        "steps": [],
    }


def own(name, version, *pairs):
    return NS(name=name, version=version, steps=policy._steps(*pairs))


def test_the_nearest_place_up_the_tree_wins():
    rows = {
        "3301": own("市", 4, (1, "resend")),
        TOWN: own("镇", 2, (3, "door_to_door")),
        VILLAGE: own("村", 7, (2, "notify_leaders")),
        "330102001002": own("邻村", 1, (9, "resend")),  # a sibling: not on the chain
    }
    assert policy.choose(policy.chain_of(CELL), rows, "red") == {
        "name": "村",
        "version": 7,
        "source": "jurisdiction 330102001001",
        "steps": [{"after_minutes": 2, "action": "notify_leaders"}],
    }
    assert policy.choose(policy.chain_of(VILLAGE), rows, "red")["name"] == "村"  # the place itself
    assert policy.choose(policy.chain_of("330102001003"), rows, "blue") == {
        "name": "镇",
        "version": 2,
        "source": "jurisdiction 330102001",
        "steps": [{"after_minutes": 3, "action": "door_to_door"}],
    }
    assert policy.choose(policy.chain_of("330103"), rows, "red")["source"] == "jurisdiction 3301"
    assert policy.choose(policy.chain_of("3302"), rows, "red")["source"] == policy.SOURCE
    frozen = policy.choose([TOWN], rows, "red")
    assert frozen["steps"] is not rows[TOWN].steps  # later edits of the row never reach the dispatch


def test_an_unknown_level_is_refused_on_the_level_field():
    for bad in ("purple", "", "Red"):
        with pytest.raises(ValidationFailed) as caught:
            policy.check_level(bad)
        assert caught.value.details == [{"field": "level", "message": "Unknown warning level."}]
    for level in ("red", "orange", "yellow", "blue"):
        assert policy.check_level(level) is None


def refusals(body) -> list[tuple]:
    with pytest.raises(ValidationError) as caught:
        policy.PolicyIn.model_validate(body)
    return [(e["loc"], e["type"], e.get("ctx")) for e in caught.value.errors()]


def step(minutes, action="resend"):
    return {"after_minutes": minutes, "action": action}


def test_what_a_jurisdiction_may_set():
    week = 7 * 24 * 60
    ok = policy.PolicyIn.model_validate({"name": "x" * 100, "steps": [step(0), step(week)] * 5})
    assert len(ok.steps) == 10 and policy.PolicyIn.model_validate({"name": "p", "steps": []}).steps == []
    assert refusals({"name": "p", "steps": [step(-1)]}) == [
        (("steps", 0, "after_minutes"), "greater_than_equal", {"ge": 0})
    ]
    assert refusals({"name": "p", "steps": [step(0), step(week + 1)]}) == [
        (("steps", 1, "after_minutes"), "less_than_equal", {"le": 10080})
    ]
    assert refusals({"name": "p", "steps": [step(5, "call")]}) == [
        (("steps", 0, "action"), "string_pattern_mismatch", {"pattern": f"^({'|'.join(policy.ACTIONS)})$"})
    ]
    assert refusals({"name": "", "steps": []}) == [(("name",), "string_too_short", {"min_length": 1})]
    assert refusals({"name": "x" * 101, "steps": []}) == [(("name",), "string_too_long", {"max_length": 100})]
    assert refusals({"name": "p", "steps": [step(1)] * 11}) == [
        (("steps",), "too_long", {"field_type": "List", "max_length": 10, "actual_length": 11})
    ]


def test_steps_are_stored_in_the_order_they_fall_due():
    data = policy.PolicyIn(
        name="p",
        steps=[step(20, "door_to_door"), step(5), step(20, "notify_leaders"), step(0, "notify_leaders")],
    )
    assert policy.ordered_steps(data) == [
        step(0, "notify_leaders"),
        step(5),
        step(20, "door_to_door"),  # ties keep the order they were given in
        step(20, "notify_leaders"),
    ]


def test_a_first_policy_is_version_1_and_each_change_the_next():
    data = policy.PolicyIn(name="镇红色", steps=[step(3)])
    row = policy.versioned(None, TOWN, "red", data, [step(3)])
    assert isinstance(row, WarningPolicy)
    assert (row.jurisdiction_code, row.level, row.name, row.version, row.steps) == (
        TOWN,
        "red",
        "镇红色",
        1,
        [step(3)],
    )
    again = policy.versioned(row, TOWN, "red", policy.PolicyIn(name="改", steps=[]), [step(1)])
    assert again is row and (row.name, row.version, row.steps) == ("改", 2, [step(1)])
    assert policy.versioned(row, TOWN, "red", data, []).version == 3


def test_each_frozen_step_is_numbered_from_1_and_due_its_minutes_after_publication():
    assert policy.frozen_steps(policy.choose([], {}, "orange"), T0) == [
        (1, "resend", T0 + timedelta(minutes=10)),
        (2, "notify_leaders", T0 + timedelta(minutes=20)),
        (3, "door_to_door", T0 + timedelta(minutes=30)),
    ]
    assert policy.frozen_steps({"steps": [step(0, "door_to_door")]}, T0) == [(1, "door_to_door", T0)]
    assert policy.frozen_steps({"steps": []}, T0) == []
    assert policy.frozen_steps({}, T0) == []  # a lift's dispatch freezes no policy


def test_which_steps_run():
    pending = NS(state="pending", due_at=T0)
    active = NS(state="active")
    assert steps.RUN == "run"
    assert steps.gate(pending, active, T0 + timedelta(hours=1)) == "run"  # late (a repaired job) still runs
    assert steps.gate(pending, active, T0 - timedelta(microseconds=1)) == "early"
    assert steps.gate(pending, None, T0) == "cancelled"  # its dispatch is gone
    assert steps.gate(pending, NS(state="stopped"), T0 - timedelta(minutes=1)) == "cancelled"
    for state in ("done", "cancelled", "stalled"):
        assert steps.gate(NS(state=state, due_at=T0), active, T0) == "skipped"
    assert steps.gate(None, None, T0) == "skipped"


def cell(cell_id, code, households=None):
    return NS(grid_cell_id=cell_id, cell_code=code, households=households)


def test_a_door_task_per_silent_cell_without_one():
    c1, c2, c3, c4 = (f"33010200100100{i}" for i in range(1, 5))
    rows = steps.door_rows(
        7,
        [cell(1, c1, 10), cell(2, c2, 12), cell(3, c3), cell(4, c4, 5), cell(5, "330102001001005", 9)],
        [(1, 9), (1, 5), (1, 9), (3, 4)],  # a person with two roles in a cell is one assignee
        [(c1, 8, 2), (c2, 0, None), (c4, 3, 0)],
        {5},  # cell 5 has its task already
        T0,
    )

    def task(cell_id, code, assignees, households, vulnerable):
        return {
            "dispatch_id": 7,
            "grid_cell_id": cell_id,
            "jurisdiction_code": code,
            "assignee_ids": assignees,
            "state": "open",
            "households_total": households,
            "vulnerable_total": vulnerable,
            "created_at": T0,
            "updated_at": T0,
        }

    assert rows == [
        task(1, c1, [5, 9], 8, 2),  # households from the residents registered in the cell
        task(2, c2, [], 12, 0),  # none registered: the cell's own figure
        task(3, c3, [4], 0, 0),  # neither: 0
        task(4, c4, [], 3, 0),
    ]
    assert steps.door_rows(7, [cell(5, c1, 9)], [], [], {5}, T0) == []


def test_what_the_auditor_writes():
    rows = [{"grid_cell_id": 3, "jurisdiction_code": CELL}]
    assert steps.door_audit_items(7, rows) == [("7:3", CELL, None, rows[0])]
    assert steps.door_audit_items(7, []) == []
    assert timedelta(minutes=5) == steps.AUDIT_GRACE and steps.MAX_REPAIRS == 3
    assert steps.late_before(T0) == T0 - timedelta(minutes=5)
    late = NS(id=12, repairs=2, dispatch_id=7, seq=3)
    assert steps.requeue_key(late) == "delivery.escalate:12:r2"
    assert steps.stall_notice(late) == {
        "subject": "预警督办步骤停滞：调度 7 第 3 步",
        "category": "warning.escalation_stalled",
        "severity": "urgent",
        "link": "/delivery/dispatches/7",
        "key": "stalled:12",
    }
