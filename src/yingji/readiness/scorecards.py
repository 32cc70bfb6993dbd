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


@dataclass
class ItemResult:
    item: Item
    state: ItemState
    rules: list[tuple[str, bool | None]]  # computed rule → met (None: no data in this installation)
    missing: list[str]  # message ids of what is lacking
    held: Held | None = None

    @property
    def met(self) -> bool:
        return self.state in COUNTS_MET

    @property
    def hand(self) -> bool:
        """The item needs (or has only) a confirmation by hand."""
        return needs_hand(self.item, self.rules)


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
    rules = [(r, None if r in f.unavailable else code in f.met.get(r, ())) for r in item.rules]
    computed_ok = all(v for _, v in rules if v is not None)
    hand = needs_hand(item, rules)
    hand_ok = conf is not None and (not item.evidence or conf.evidence > 0)
    if computed_ok and not hand:
        return ItemResult(item, ItemState.MET, rules, [], conf)
    if computed_ok and hand_ok:
        return ItemResult(item, ItemState.CONFIRMED, rules, [], conf)
    if not computed_ok and hand_ok and conf.override:
        return ItemResult(item, ItemState.OVERRIDE, rules, [], conf)
    missing = [RULE_LABELS[r] for r, v in rules if v is False]
    if hand and not hand_ok:
        missing.append(HAND_EVIDENCE if item.evidence else HAND)
    return ItemResult(item, ItemState.MISSING, rules, missing, conf)


def compute(
    session: Session, scope_code: str, *, day: date | None = None, level: str | None = None
) -> list[Scorecard]:
    """The scorecards of every town and village under ``scope_code`` (no scope check here)."""
    day = day or today()
    f = facts.compute(session, scope_code, day)
    confs = held(session, scope_code, day)
    by_level = {lv: codes.models_of(lv) for lv in codes.LEVELS}
    cards = []
    for place in f.places:
        if level and place.level != level:
            continue
        card = Scorecard(place)
        for model in by_level[place.level]:
            for item in model.items:
                card.items.append(judge(item, place.code, f, confs.get((place.code, item.ref))))
        cards.append(card)
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
