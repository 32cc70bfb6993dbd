"""Scorecards: every item of every checklist (``codes.models()``) for every town and village in
scope, from the computed rules (``facts.compute``, set-based) and the confirmations by hand in force
(one query). Computed on request, never cached: a scorecard changes as soon as its data change.

``share(session, jurisdiction_codes)`` is the assessment's view: per code, (items met, items total)
over all town and village scorecards inside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yingji.auth.scope import Principal, visible
from yingji.core import clock
from yingji.core.errors import NotFound
from yingji.org import places as org_places
from yingji.org.models import Jurisdiction
from yingji.readiness import codes, facts
from yingji.readiness.codes import COUNTS_MET, HAND, HAND_EVIDENCE, RULE_LABELS, Item, ItemState
from yingji.readiness.models import Confirmation, Evidence


@dataclass(frozen=True)
class Held:
    """A confirmation by hand in force (plain row)."""

    id: int
    override: bool
    note: str
    confirmed_by: str
    confirmed_at: datetime
    expires_on: date
    evidence: int


class ItemResult:
    """One item of one place. ``rules`` (each computed rule and whether the place meets it) and
    ``missing`` are worked out when read: the table of a province needs only the states."""

    __slots__ = ("_code", "_judge", "held", "item", "state")

    def __init__(self, judge: _Judge, code: str, state: ItemState, held: Held | None) -> None:
        self._judge, self._code, self.item, self.state, self.held = judge, code, judge.item, state, held

    @property
    def rules(self) -> list[tuple[str, bool | None]]:
        """Computed rule → met (None: no data for it in this installation)."""
        return self._judge.rules(self._code)

    @property
    def missing(self) -> list[str]:
        """Message ids of what is lacking (empty when the item counts as met)."""
        if self.state != ItemState.MISSING:
            return []
        out = [RULE_LABELS[r] for r, v in self.rules if v is False]
        h = self.held
        if self._judge.hand and not (h is not None and (not self.item.evidence or h.evidence > 0)):
            out.append(self._judge.missing_hand)
        return out

    @property
    def met(self) -> bool:
        return self.state in COUNTS_MET

    @property
    def hand(self) -> bool:
        """The item needs (or has only) a confirmation by hand."""
        return self._judge.hand


@dataclass
class Scorecard:
    place: facts.Place
    items: list[ItemResult] = field(default_factory=list)

    @property
    def met(self) -> int:
        return sum(1 for r in self.items if r.met)

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def score(self) -> float:
        return self.met / self.total if self.total else 0.0

    @property
    def missing(self) -> list[ItemResult]:
        return [r for r in self.items if not r.met]

    @property
    def overrides(self) -> int:
        return sum(1 for r in self.items if r.state == ItemState.OVERRIDE)


def needs_hand(item: Item, rules: list[tuple[str, bool | None]]) -> bool:
    """The item has a part only a person can confirm (or a rule without data here)."""
    return item.evidence or not item.rules or any(v is None for _, v in rules)


def today() -> date:
    """Today in China (the year and quarter of the checklists are local)."""
    return clock.now().astimezone(clock.LOCAL_TZ).date()


def held(session: Session, scope_code: str, day: date) -> dict[tuple[str, str], Held]:
    """The newest confirmation in force per (place, item) under ``scope_code``: one query."""
    low, high = _bounds(scope_code)
    n_evidence = (
        select(Evidence.confirmation_id.label("cid"), func.count(Evidence.id).label("n"))
        .where(
            Evidence.confirmation_id.is_not(None),
            Evidence.jurisdiction_code >= low,
            Evidence.jurisdiction_code < high,
        )
        .group_by(Evidence.confirmation_id)
        .subquery()
    )
    c = Confirmation
    stmt = (
        select(
            c.jurisdiction_code,
            c.item_ref,
            c.id,
            c.override,
            c.note,
            c.confirmed_by,
            c.confirmed_at,
            c.expires_on,
            func.coalesce(n_evidence.c.n, 0),
        )
        .outerjoin(n_evidence, n_evidence.c.cid == c.id)
        .where(
            c.withdrawn_at.is_(None),
            c.expires_on >= day,
            c.jurisdiction_code >= low,
            c.jurisdiction_code < high,
        )
        .order_by(c.confirmed_at, c.id)
    )
    out: dict[tuple[str, str], Held] = {}
    for code, ref, *rest in session.execute(stmt):
        out[(code, ref)] = Held(*rest)  # later rows (newer) win
    return out


def _bounds(scope_code: str) -> tuple[str, str]:
    return ("", "\uffff") if not scope_code else (scope_code, scope_code[:-1] + chr(ord(scope_code[-1]) + 1))


def judge(item: Item, code: str, f: facts.Facts, conf: Held | None) -> ItemResult:
    """One item of one place: its state and what is missing."""
    return _Judge(item, f)(code, conf)


class _Judge:
    """An item's judgement with what does not depend on the place worked out once: the places whose
    data meet every computed rule of the item are one set intersection, so judging a place is a set
    lookup (19,474 places of a province × their items)."""

    __slots__ = ("hand", "item", "missing_hand", "ok", "sets", "unavailable")

    def __init__(self, item: Item, f: facts.Facts) -> None:
        self.item = item
        self.unavailable = tuple(r for r in item.rules if r in f.unavailable)
        self.sets = tuple((r, f.met.get(r, frozenset())) for r in item.rules if r not in f.unavailable)
        self.ok = set.intersection(*(set(m) for _, m in self.sets)) if self.sets else None  # None: all
        self.hand = item.evidence or not item.rules or bool(self.unavailable)
        self.missing_hand = HAND_EVIDENCE if item.evidence else HAND

    def rules(self, code: str) -> list[tuple[str, bool | None]]:
        return [(r, code in met) for r, met in self.sets] + [(r, None) for r in self.unavailable]

    def __call__(self, code: str, conf: Held | None) -> ItemResult:
        computed_ok = self.ok is None or code in self.ok
        if computed_ok and not self.hand:
            return ItemResult(self, code, ItemState.MET, conf)
        if conf is not None and (not self.item.evidence or conf.evidence > 0):
            if computed_ok:
                return ItemResult(self, code, ItemState.CONFIRMED, conf)
            if conf.override:
                return ItemResult(self, code, ItemState.OVERRIDE, conf)
        return ItemResult(self, code, ItemState.MISSING, conf)


def compute(
    session: Session, scope_code: str, *, day: date | None = None, level: str | None = None
) -> list[Scorecard]:
    """The scorecards of every town and village under ``scope_code`` (no scope check here)."""
    day = day or today()
    f = facts.compute(session, scope_code, day)
    confs = held(session, scope_code, day)
    judges = {lv: [_Judge(i, f) for m in codes.models_of(lv) for i in m.items] for lv in codes.LEVELS}
    cards = []
    for place in f.places:
        if level and place.level != level:
            continue
        code = place.code
        cards.append(Scorecard(place, [j(code, confs.get((code, j.item.ref))) for j in judges[place.level]]))
    return cards


def for_principal(
    session: Session, principal: Principal, *, within: str | None = None, level: str | None = None
) -> list[Scorecard]:
    """The scorecards a user sees, narrowed to ``within`` (a place they can see, else 404)."""
    scope = principal.jurisdiction_code
    if within:
        org_places.within(session, principal, within)
        scope = within
    return compute(session, scope, level=level)


def card(session: Session, principal: Principal, code: str) -> Scorecard:
    """One town's or village's scorecard (404 outside the user's scope or for another level)."""
    place = visible(principal, session.get(Jurisdiction, code), code)
    if place.level not in codes.LEVELS:
        raise NotFound()
    cards = compute(session, code, level=place.level)
    found = next((c for c in cards if c.place.code == code), None)
    if found is None:
        raise NotFound()
    return found


def share(session: Session, jurisdiction_codes: list[str]) -> dict[str, tuple[int, int]]:
    """Per given code, (items met, items total) over all town and village scorecards in its subtree.
    One computation over the codes' common ancestor, then summed per code."""
    wanted = [c for c in dict.fromkeys(jurisdiction_codes) if c is not None]
    if not wanted:
        return {}
    prefix = wanted[0]
    for c in wanted[1:]:
        while not c.startswith(prefix):
            prefix = prefix[:-1]
    sums = {c: [0, 0] for c in wanted}
    lengths = sorted({len(c) for c in wanted})
    for sc in compute(session, prefix):
        code = sc.place.code
        for n in lengths:
            hit = sums.get(code[:n])
            if hit is not None:
                hit[0] += sc.met
                hit[1] += sc.total
    return {c: (m, t) for c, (m, t) in sums.items()}
