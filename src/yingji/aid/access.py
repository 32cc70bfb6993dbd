"""Who may act where in aid: the level of the tree a principal works at (STEP_LEVEL's village, town,
county), and the ID number kept only as a keyed hash and its last four digits."""

from __future__ import annotations

from sqlalchemy import func, literal_column

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, writable
from yingji.auth.security import note_refusal
from yingji.core.errors import Forbidden, ValidationFailed
from yingji.core.i18n import N_
from yingji.residents import idnumber

# Significant digits of a division code at each level (docs/ARCHITECTURE.md "Jurisdiction codes").
LEVEL_DIGITS = {"village": 12, "town": 9, "county": 6}


class WrongLevel(Forbidden):
    code = "wrong_level"
    message = "This step is taken at the {level} level or above."


def at_level(principal: Principal, level: str) -> bool:
    """Whether the principal works at ``level`` or above (a town officer is above the village)."""
    return len(principal.jurisdiction_code) <= LEVEL_DIGITS[level]


def check_step(principal: Principal, code: str, level: str) -> None:
    """A step at ``level`` on a household at ``code``: the village's staff (AID_VILLAGE) or a manager
    for village steps; a manager of the town or above, of the county or above, for the others."""
    if level == "village":
        perm = Perm.AID_MANAGE if principal.can(Perm.AID_MANAGE) else Perm.AID_VILLAGE
        writable(principal, code, perm)
        return
    writable(principal, code, Perm.AID_MANAGE)
    if not at_level(principal, level):
        note_refusal(principal, "forbidden", 403, jurisdiction_code=code, note=f"aid level {level}")
        from yingji.aid.labels import LEVEL_LABELS, label

        raise WrongLevel(level=label(LEVEL_LABELS, level))


def may_step(principal: Principal, code: str, level: str) -> bool:
    """Whether ``check_step`` would pass (for offering the step in a form; refuses nothing)."""
    ok = principal.covers(code) and (
        principal.can(Perm.AID_MANAGE) or (level == "village" and principal.can(Perm.AID_VILLAGE))
    )
    return ok and (level == "village" or at_level(principal, level))


def village_of(column):
    """The village (first 12 digits) of a household's code, as SQL. The bounds are inline literals so
    that PostgreSQL sees the same expression in SELECT and GROUP BY (bound parameters would differ)."""
    return func.substr(column, literal_column("1"), literal_column("12"))


# -- ID numbers --------------------------------------------------------------------------------
def id_parts(number: str | None) -> tuple[str | None, str | None]:
    """(keyed hash, last four) of an ID number (``residents.idnumber``, the one rule for ID numbers);
    (None, None) for none. The number itself is never kept."""
    if not number:
        return None, None
    try:
        return idnumber.hash_and_tail(number)
    except idnumber.BadIdNumber:
        raise ValidationFailed.on(
            "id_number", N_("Not a valid ID number (18 characters with the right check digit).")
        ) from None
