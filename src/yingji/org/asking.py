"""Reading a directory query: places (by any of their names, see ``names``), topics, 值班, role
words and the rest, then the place asked about — one, a choice, or outside the user's scope."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.scope import Principal, in_scope
from yingji.org import names, topics
from yingji.org.models import Person


@dataclass
class Parsed:
    matches: list[names.Match] = field(default_factory=list)
    topics: list[topics.Topic] = field(default_factory=list)
    duty: bool = False
    roles: list[str] = field(default_factory=list)
    rest: list[str] = field(default_factory=list)


def _all(text: str, word: str):
    start = text.find(word)
    while start >= 0:
        yield start, start + len(word)
        start = text.find(word, start + 1)


def _greedy(spans: list[tuple]) -> list[tuple]:
    """Longest spans first (then by priority), never overlapping: "防汛抗旱" over "防汛",
    "北门社区居民委员会" over "北门"."""
    taken: list[tuple] = []
    for span in sorted(spans, key=lambda s: (s[0] - s[1], s[2], s[0])):
        if all(span[1] <= t[0] or t[1] <= span[0] for t in taken):
            taken.append(span)
    return sorted(taken)


def _segment(ix: names.PlaceIndex, text: str) -> tuple[list[names.Match], str]:
    """A run of characters no word claimed: a place by any of its names, else the rest."""
    if len(text) < 2 or text.isdigit():
        return [], text if text.isdigit() else ""
    whole = ix.lookup(text)
    if whole is not None:
        return [whole], ""
    cover = _greedy([(s, e, 0, m) for s, e, m in ix.occurrences(text)])
    left = "".join(ch for i, ch in enumerate(text) if not any(s <= i < e for s, e, _, _ in cover))
    noise = set("村组镇乡区县市社街道")
    if cover and not set(left) - noise:
        return [m for _, _, _, m in cover], ""
    near = ix.fuzzy(text)
    if near is not None:
        return [near], ""
    if cover:
        return [m for _, _, _, m in cover], left
    return [], text


def parse(session: Session, principal: Principal, ix: names.PlaceIndex, query: str) -> Parsed:
    w = names.words()
    text = names.normalise(query)
    spans: list[tuple] = []  # (start, end, priority, (kind, payload))
    for topic in topics.all_topics().values():
        for kw in topic.keywords:
            spans += [(s, e, 1, ("topic", topic)) for s, e in _all(text, kw)]
    for word in w["duty_words"]:
        spans += [(s, e, 1, ("duty", None)) for s, e in _all(text, word)]
    for word, role in w["role_words"].items():
        spans += [(s, e, 1, ("role", role)) for s, e in _all(text, word)]
    for word in w["filler_words"]:
        spans += [(s, e, 3, ("filler", None)) for s, e in _all(text, word)]
    spans += [(s, e, 0, ("place", m)) for s, e, m in ix.occurrences(text, max_tier=names.STRONG)]
    parsed = Parsed()
    taken = _greedy(spans)
    for _, _, _, (kind, payload) in taken:
        if kind == "topic" and payload not in parsed.topics:
            parsed.topics.append(payload)
        elif kind == "duty":
            parsed.duty = True
        elif kind == "role":
            parsed.roles.append(payload)
        elif kind == "place":
            parsed.matches.append(payload)
    free = list(text)
    for s, e, _, _ in taken:
        free[s:e] = [" "] * (e - s)
    for run in "".join(free).split():
        if ix.lookup(run) is None and is_person(session, principal, run):
            parsed.rest.append(run)
            continue
        found, rest = _segment(ix, run)
        parsed.matches += found
        if rest:
            parsed.rest.append(rest)
    return parsed


def is_person(session: Session, principal: Principal, text: str) -> bool:
    if not names.has_cjk(text) or len(text) > 5:
        return False
    return (
        session.scalar(
            select(Person.id)
            .where(Person.name == text, in_scope(Person.jurisdiction_code, principal))
            .limit(1)
        )
        is not None
    )


def visible(principal: Principal, code: str) -> bool:
    """In the user's scope, or a level above it (the chain they report to)."""
    return principal.covers(code) or (principal.jurisdiction_code or "").startswith(code)


def resolve(
    principal: Principal, matches: list[names.Match]
) -> tuple[list[str], list[str], names.Match | None]:
    """The candidate places of the deepest place named (those visible, those outside): places
    named together must lie on one line ("碧江区 新庄村" is 碧江区's 新庄村)."""
    matches = [m for m in matches if m.codes]
    sets = [set(m.codes) for m in matches]
    if not sets:
        return [], [], None

    def related(a: str, b: str) -> bool:
        return a.startswith(b) or b.startswith(a)

    kept = [
        {c for c in s if all(any(related(c, d) for d in other) for j, other in enumerate(sets) if j != i)}
        for i, s in enumerate(sets)
    ]
    if all(kept):
        sets = kept
    # The place asked about is the deepest one named; its own candidates (of any level: 和平 is
    # 和平乡 and 和平村) are the choice when there are several.
    deepest = max(range(len(sets)), key=lambda i: (max(len(c) for c in sets[i]), -len(sets[i])))
    candidates = sorted(sets[deepest], key=lambda c: (len(c), c))
    inside = [c for c in candidates if visible(principal, c)]
    return inside, [c for c in candidates if c not in inside], matches[deepest]
