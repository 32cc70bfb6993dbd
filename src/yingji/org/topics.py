"""The topic code table (防汛抗旱, 森林防灭火 …) and matching free text against it."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from yingji import rules
from yingji.core.i18n import current_locale


@dataclass(frozen=True)
class Topic:
    code: str
    zh: str
    en: str
    category: str
    keywords: tuple[str, ...]

    def label(self, locale: str | None = None) -> str:
        return self.en if (locale or current_locale()) == "en" else self.zh


@cache
def all_topics() -> dict[str, Topic]:
    table = rules.load("topics.json")
    return {
        t["code"]: Topic(t["code"], t["zh"], t["en"], t["category"], tuple(t["keywords"]))
        for t in table["topics"]
    }


def get(code: str | None) -> Topic | None:
    return all_topics().get(code or "")


def match(text: str) -> list[tuple[Topic, str]]:
    """Topics named in ``text`` with the keyword that matched, longest keywords first so that
    "煤矿生产安全事故" means coal mines, not production safety in general."""
    found: list[tuple[Topic, str]] = []
    taken: list[tuple[int, int]] = []
    pairs = sorted(
        ((kw, t) for t in all_topics().values() for kw in t.keywords),
        key=lambda p: -len(p[0]),
    )
    for kw, topic in pairs:
        start = text.find(kw)
        if start < 0:
            continue
        end = start + len(kw)
        if any(start < e and s < end for s, e in taken):
            continue
        taken.append((start, end))
        if all(topic.code != t.code for t, _ in found):
            found.append((topic, kw))
    return found
