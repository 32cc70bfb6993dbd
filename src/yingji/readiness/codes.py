"""Code tables of readiness: the checklists (rule data in ``rules/readiness_models.json``), item
states, follow-up states with their transition table, and the computed rules' labels."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from yingji.core.i18n import N_, current_locale
from yingji.rules import load

LEVELS = ("town", "village")


class ItemState(StrEnum):
    MET = "met"  # computed from live data
    CONFIRMED = "confirmed"  # confirmed by hand (with the computed part met, if any)
    OVERRIDE = "override"  # confirmed by hand although the computed part is not met: shown as such
    MISSING = "missing"


COUNTS_MET = frozenset({ItemState.MET, ItemState.CONFIRMED, ItemState.OVERRIDE})

STATE_LABELS = {
    ItemState.MET: N_("Met (computed)"),
    ItemState.CONFIRMED: N_("Confirmed by hand"),
    ItemState.OVERRIDE: N_("Overridden by hand"),
    ItemState.MISSING: N_("Missing"),
}


class FollowUpState(StrEnum):
    OPEN = "open"
    DONE = "done"


FOLLOWUP_MOVES: dict[FollowUpState, frozenset[FollowUpState]] = {
    FollowUpState.OPEN: frozenset({FollowUpState.DONE}),
    FollowUpState.DONE: frozenset({FollowUpState.OPEN}),  # reopened when the closing was premature
}

FOLLOWUP_LABELS = {FollowUpState.OPEN: N_("Open"), FollowUpState.DONE: N_("Done")}

# The computed rules (yingji.readiness.facts): what each checks, for the scorecard's "what is missing".
RULE_LABELS = {
    "hq_unit": N_("the town's emergency committee (HQ) is in the organisation"),
    "hq_chiefs": N_("the HQ's two heads are named"),
    "office_director": N_("the director of the emergency office is named"),
    "responsibilities": N_("every HQ unit has a responsibility list"),
    "quarterly_meetings": N_("an HQ meeting in every quarter so far"),
    "training_held": N_("training held this year"),
    "township_plan": N_("a town plan in force"),
    "drill_this_year": N_("a drill held this year"),
    "store_stock": N_("a store holding stock"),
    "town_brigade": N_("a town rescue brigade with members"),
    "village_teams": N_("every village has a volunteer team of at least 10"),
    "village_team": N_("a volunteer team of at least 10"),
    "grid_leaders": N_("grid leaders named at every level"),
    "duty_roster": N_("a duty roster without gaps"),
    "village_officers": N_("an information officer in every village"),
    "village_officer": N_("an information officer named"),
    "service_station": N_("the emergency service station is in the organisation"),
}
HAND = N_("a confirmation by hand")
HAND_EVIDENCE = N_("a confirmation by hand with its document")


@dataclass(frozen=True)
class Item:
    model: str
    key: str
    no: str
    group: str
    zh: str
    en: str
    rules: tuple[str, ...]
    evidence: bool  # the hand part needs an attached document (e.g. the founding document)
    how: str
    source: str

    @property
    def label(self) -> str:
        return self.zh if current_locale().startswith("zh") else self.en

    @property
    def ref(self) -> str:
        return f"{self.model}.{self.key}"


@dataclass(frozen=True)
class Model:
    key: str
    level: str
    zh: str
    en: str
    source: str
    items: tuple[Item, ...]

    @property
    def label(self) -> str:
        return self.zh if current_locale().startswith("zh") else self.en


@cache
def table() -> dict:
    return load("readiness_models.json")


@cache
def models() -> tuple[Model, ...]:
    out = []
    for m in table()["models"]:
        items = tuple(
            Item(
                m["key"],
                i["key"],
                i.get("no", ""),
                i.get("group", ""),
                i["zh"],
                i["en"],
                tuple(i.get("rules", [])),
                bool(i.get("evidence", False)),
                i.get("how", ""),
                i["source"],
            )
            for i in m["items"]
        )
        out.append(Model(m["key"], m["level"], m["zh"], m["en"], m["source"], items))
    return tuple(out)


def models_of(level: str) -> tuple[Model, ...]:
    return tuple(m for m in models() if m.level == level)


@cache
def items_by_ref() -> dict[str, Item]:
    return {i.ref: i for m in models() for i in m.items}


def threshold(name: str) -> int:
    return int(table()["thresholds"][name]["value"])


GROUP_LABELS = {
    "eight": N_("Eight building items"),
    "nets": N_("Six nets (六张网)"),
    "systems": N_("Systems"),
    "ones": N_("Three ones"),
    "": "",
}
