"""Escalation policies per warning level, as data, and the one a dispatch freezes.

Defaults (a setting, not a rule of law; after the issue's example and seed 002's practice that the
village pushes the warning at once and goes door to door when that is not enough): the minutes are
counted from publication, and every step acts on the grid cells still silent at that moment.

- ``resend``: send the warning again to the grid leaders and workers of the silent cells;
- ``notify_leaders``: tell the cell's grid leader and the village secretary (二级网格长) which cells
  are silent;
- ``door_to_door``: create a 逐家逐户 task for every silent cell, listing its vulnerable residents
  first, and tell the cell's staff.

A jurisdiction may set its own steps per level (``WarningPolicy`` rows, nearest up the tree wins).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, writable
from yingji.core.errors import ValidationFailed
from yingji.core.text import Input
from yingji.delivery.models import WarningPolicy
from yingji.org.codes import ancestors

LEVELS = ("red", "orange", "yellow", "blue")
ACTIONS = ("resend", "notify_leaders", "door_to_door")
SOURCE = "Yingji default (issue 4 example; seed 002 village practice). A setting per jurisdiction."


def _steps(*pairs: tuple[int, str]) -> list[dict]:
    return [{"after_minutes": m, "action": a} for m, a in pairs]


DEFAULT_POLICIES: dict[str, dict] = {
    "red": {
        "name": "红色预警默认督办",
        "steps": _steps((5, "resend"), (10, "notify_leaders"), (15, "door_to_door")),
    },
    "orange": {
        "name": "橙色预警默认督办",
        "steps": _steps((10, "resend"), (20, "notify_leaders"), (30, "door_to_door")),
    },
    "yellow": {"name": "黄色预警默认督办", "steps": _steps((30, "resend"), (60, "notify_leaders"))},
    "blue": {"name": "蓝色预警默认督办", "steps": _steps((60, "resend"))},
}


class StepIn(Input):
    after_minutes: int = Field(ge=0, le=7 * 24 * 60)
    action: str = Field(pattern="^(resend|notify_leaders|door_to_door)$")


class PolicyIn(Input):
    name: str = Field(min_length=1, max_length=100)
    steps: list[StepIn] = Field(max_length=10)


def chain_of(code: str) -> list[str]:
    """The places whose own policy counts for ``code``, farthest first: its ancestors, then itself."""
    return [*ancestors(code), code] if code else []


def choose(chain: list[str], own: dict, level: str) -> dict:
    """The policy to freeze from the places' own policies (``own``: jurisdiction code → row): the
    nearest up the chain wins (the place itself first), else the level's default (none: no steps)."""
    for c in reversed(chain):
        if c in own:
            p = own[c]
            return {
                "name": p.name,
                "version": p.version,
                "source": f"jurisdiction {c}",
                "steps": list(p.steps),
            }
    default = DEFAULT_POLICIES.get(level, {"name": "", "steps": []})
    return {"name": default["name"], "version": 0, "source": SOURCE, "steps": list(default["steps"])}


def check_level(level: str) -> None:
    """A policy is set for one of the four warning levels only."""
    if level not in LEVELS:
        raise ValidationFailed(details=[{"field": "level", "message": "Unknown warning level."}])


def ordered_steps(data: PolicyIn) -> list[dict]:
    """The steps as stored and frozen: plain dicts in the order they fall due (ties keep their order)."""
    return sorted((s.model_dump() for s in data.steps), key=lambda s: s["after_minutes"])


def versioned(row: WarningPolicy | None, code: str, level: str, data: PolicyIn, steps: list[dict]):
    """The first version of a place's policy for a level, or the next version of its row."""
    if row is None:
        return WarningPolicy(jurisdiction_code=code, level=level, name=data.name, version=1, steps=steps)
    row.name, row.steps, row.version = data.name, steps, row.version + 1
    return row


def frozen_steps(policy: dict, published_at: datetime) -> list[tuple[int, str, datetime]]:
    """(seq, action, due at) of each step of a frozen policy: numbered from 1 in the policy's order,
    due its minutes after publication."""
    return [
        (seq, step["action"], published_at + timedelta(minutes=step["after_minutes"]))
        for seq, step in enumerate(policy.get("steps", []), start=1)
    ]


# The database side (tests/delivery/test_escalation.py runs it against SQLite and PostgreSQL). mutmut
# leaves it alone: it mutates the pure decisions above, with tests that need no database.
# pragma: no mutate block
def policy_for(session: Session, code: str, level: str) -> dict:
    """The policy to freeze: the nearest jurisdiction's own (itself, then up), else the default."""
    chain = chain_of(code)
    rows = {
        p.jurisdiction_code: p
        for p in session.scalars(
            select(WarningPolicy).where(
                WarningPolicy.jurisdiction_code.in_(chain), WarningPolicy.level == level
            )
        )
    }
    return choose(chain, rows, level)


def set_policy(
    session: Session, principal: Principal, code: str, level: str, data: PolicyIn
) -> WarningPolicy:
    """A jurisdiction's own policy for a level (a new version); running dispatches keep their copy."""
    writable(principal, code, Perm.RULES_MANAGE)
    check_level(level)
    steps = ordered_steps(data)
    row = session.scalar(
        select(WarningPolicy)
        .where(WarningPolicy.jurisdiction_code == code, WarningPolicy.level == level)
        .with_for_update()
    )
    saved = versioned(row, code, level, data, steps)
    if row is None:
        session.add(saved)
    session.flush()
    return saved
