"""Statistical division codes (统计用区划代码): levels, normalisation, subtree ranges."""

from __future__ import annotations

import itertools
import re
from enum import StrEnum


class GridRole(StrEnum):
    """Who a person is in a grid cell (网格长 / 网格员)."""

    LEADER = "leader"
    WORKER = "worker"


LEVELS = ("province", "city", "county", "town", "village", "group")
LEVEL_LENGTH = {"province": 2, "city": 4, "county": 6, "town": 9, "village": 12, "group": 15}
LENGTH_LEVEL = {v: k for k, v in LEVEL_LENGTH.items()}
CHILD_LEVEL = dict(itertools.pairwise(LEVELS))
GRID_LEVEL_OF = {"town": 1, "village": 2, "group": 3}

_DIGITS = re.compile(r"^\d+$")


def level_of(code: str) -> str:
    try:
        return LENGTH_LEVEL[len(code)]
    except KeyError:
        raise ValueError(f"not a division code: {code!r}") from None


def normalise(code: str) -> str:
    """Accept the 12-digit padded form (520602000000) or the significant digits (520602).

    Returns the significant form that the database keys on, or raises ValueError.
    """
    code = (code or "").strip()
    if not _DIGITS.match(code):
        raise ValueError(f"not a division code: {code!r}")
    if len(code) == 12:
        for length in (2, 4, 6, 9):
            if set(code[length:]) == {"0"}:
                return code[:length]
        return code
    if len(code) in LENGTH_LEVEL:
        return code
    raise ValueError(f"not a division code: {code!r}")


def field_code(code: str) -> str:
    """``normalise`` for an input schema's validator: the refusal reads "not a division code" (the
    value itself is not echoed into the 422)."""
    try:
        return normalise(code)
    except ValueError:
        raise ValueError("not a division code") from None


def division_code_12(code: str) -> str:
    """The national 12-digit form; village groups keep their 15 digits."""
    return code.ljust(12, "0") if len(code) <= 12 else code


def subtree_bounds(prefix: str) -> tuple[str, str]:
    """[low, high) such that every code in the subtree of ``prefix`` sorts inside it."""
    return prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)


def ancestors(code: str) -> list[str]:
    """Codes of the enclosing divisions, nearest last (excluding the code itself)."""
    return [code[:n] for n in (2, 4, 6, 9, 12) if n < len(code)]
