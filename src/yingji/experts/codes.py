"""Code tables of the expert registry (专家库): availability (an enum beside its one transition
table), title grades, and the fields an expert is sorted by — disciplines (rules/expert_fields.json)
and event categories (rules/event_categories.json), both data."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from yingji.core.i18n import N_, current_locale
from yingji.rules import load


class Availability(StrEnum):
    AVAILABLE = "available"  # 可召集
    BUSY = "busy"  # 暂不便 (on another task, travelling): may still be asked
    UNAVAILABLE = "unavailable"  # 不可召集 (ill, abroad, retired from the pool for now)


# The one transition table: any state may follow any other (an expert says when it changes); a
# move to the same state is no move and is refused so that the history shows real changes only.
AVAILABILITY_MOVES: dict[Availability, frozenset[Availability]] = {
    a: frozenset(set(Availability) - {a}) for a in Availability
}

AVAILABILITY_LABELS = {
    Availability.AVAILABLE: N_("Available to call"),
    Availability.BUSY: N_("Busy for now"),
    Availability.UNAVAILABLE: N_("Not available to call"),
}
# Words an Excel sheet may use (what officials write).
AVAILABILITY_WORDS = {
    "可召集": Availability.AVAILABLE,
    "可用": Availability.AVAILABLE,
    "在岗": Availability.AVAILABLE,
    "忙碌": Availability.BUSY,
    "暂不便": Availability.BUSY,
    "不可召集": Availability.UNAVAILABLE,
    "不可用": Availability.UNAVAILABLE,
}
EXCEL_AVAILABILITY = {
    Availability.AVAILABLE: "可召集",
    Availability.BUSY: "暂不便",
    Availability.UNAVAILABLE: "不可召集",
}


class FieldKind(StrEnum):
    DISCIPLINE = "discipline"
    CATEGORY = "category"


@dataclass(frozen=True)
class Entry:
    code: str
    zh: str
    en: str

    def label(self) -> str:
        return self.zh if current_locale().startswith("zh") else self.en


@cache
def disciplines() -> dict[str, Entry]:
    return {d["code"]: Entry(d["code"], d["zh"], d["en"]) for d in load("expert_fields.json")["disciplines"]}


@cache
def titles() -> dict[str, Entry]:
    return {t["code"]: Entry(t["code"], t["zh"], t["en"]) for t in load("expert_fields.json")["titles"]}


@cache
def categories() -> dict[str, Entry]:
    """The four event categories and their subcategories, by code (natural, natural.flood_drought …)."""
    out: dict[str, Entry] = {}
    for c in load("event_categories.json")["categories"]:
        out[c["code"]] = Entry(c["code"], c["zh"], c["en"])
        for s in c.get("subcategories", []):
            out[s["code"]] = Entry(s["code"], s["zh"], s["en"])
    return out


def known(kind: FieldKind | str, code: str) -> bool:
    return code in (disciplines() if kind == FieldKind.DISCIPLINE else categories())


def label(kind: FieldKind | str, code: str) -> str:
    table = disciplines() if kind == FieldKind.DISCIPLINE else categories()
    entry = table.get(code)
    return entry.label() if entry else code


def matching_categories(code: str) -> list[str]:
    """The codes an incident category matches in an expert's fields: itself and its parent category
    (an expert of 自然灾害 as a whole fits a flood)."""
    parts = [code]
    if "." in code:
        parts.append(code.split(".", 1)[0])
    return parts


def by_word(table: dict[str, Entry], word: str) -> str | None:
    """A code from its code, Chinese or English name (Excel cells)."""
    word = word.strip()
    if word in table:
        return word
    for entry in table.values():
        if word in (entry.zh, entry.en):
            return entry.code
    return None
