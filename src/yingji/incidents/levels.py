"""The reporting chain's levels: village group → village → town → county → city → province → nation.

A level is named by the length of its division code (significant digits); the nation is the empty
code, above every province. The receiving jurisdiction of a level is the incident place's code cut
to that length.
"""

from __future__ import annotations

from yingji.core.i18n import N_

# Lowest first. "national" is the State Council level (no division code of its own).
CHAIN = ("group", "village", "town", "county", "city", "province", "national")
LENGTH = {"group": 15, "village": 12, "town": 9, "county": 6, "city": 4, "province": 2, "national": 0}
OF_LENGTH = {v: k for k, v in LENGTH.items()}
RANK = {level: i for i, level in enumerate(CHAIN)}
# The levels a report can be sent to (rules: county, city, province, national; local rules add town).
RECEIVING = ("town", "county", "city", "province", "national")

LABELS = {
    "group": N_("Village group"),
    "village": N_("Village"),
    "town": N_("Town"),
    "county": N_("County"),
    "city": N_("City"),
    "province": N_("Province"),
    "national": N_("National"),
}


def level_of(code: str | None) -> str:
    """The level of a division code ('' or None = national)."""
    if not code:
        return "national"
    try:
        return OF_LENGTH[len(code)]
    except KeyError:
        raise ValueError(f"not a division code: {code!r}") from None


def code_at(place_code: str, level: str) -> str | None:
    """The code of ``level`` above (or at) the place, None if the place is higher than that level."""
    n = LENGTH[level]
    if n > len(place_code):
        return None
    return place_code[:n]


def above(a: str, b: str) -> bool:
    """Is level ``a`` strictly higher than level ``b``?"""
    return RANK[a] > RANK[b]


def chain_above(place_code: str, start: str) -> list[str]:
    """Receiving levels strictly above ``start`` that exist for the place, lowest first."""
    return [lv for lv in RECEIVING if above(lv, start) and code_at(place_code, lv) is not None]
