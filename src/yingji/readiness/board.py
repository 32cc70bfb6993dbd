"""What the pages and the API show of the scorecards: the table (filter by place and level, sort by
score, the missing items named), one place's card with every item, and the map's points."""

from __future__ import annotations

from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, require
from yingji.core.i18n import gettext
from yingji.readiness import codes, scorecards
from yingji.readiness.codes import RULE_LABELS, STATE_LABELS
from yingji.readiness.scorecards import ItemResult, Scorecard

SORTS = ("score", "-score", "code")


def summary(card: Scorecard) -> dict:
    p = card.place
    return {
        "code": p.code,
        "name": p.name,
        "level": p.level,
        "parent_code": p.parent_code,
        "met": card.met,
        "total": card.total,
        "score": round(card.score, 4),
        "overrides": card.overrides,
        "missing": [r.item.label for r in card.missing],
    }


def item_out(r: ItemResult) -> dict:
    h = r.held
    return {
        "ref": r.item.ref,
        "model": r.item.model,
        "key": r.item.key,
        "no": r.item.no,
        "label": r.item.label,
        "state": r.state.value,
        "state_label": gettext(STATE_LABELS[r.state]),
        "met": r.met,
        "hand": r.hand,
        "evidence_required": r.item.evidence,
        "rules": [{"key": k, "label": gettext(RULE_LABELS[k]), "met": v} for k, v in r.rules],
        "missing": [gettext(m) for m in r.missing],
        "how": r.item.how,  # English; the pages show the computed rules, translated
        "source": codes.source_text(r.item.source),
        "confirmation": None
        if h is None
        else {
            "id": h.id,
            "override": h.override,
            "note": h.note,
            "confirmed_by": h.confirmed_by,
            "confirmed_at": h.confirmed_at,
            "expires_on": h.expires_on,
            "evidence": h.evidence,
        },
    }


def card_out(card: Scorecard) -> dict:
    return summary(card) | {"items": [item_out(r) for r in card.items]}


def table(
    session: Session,
    principal: Principal,
    *,
    within: str | None = None,
    level: str | None = None,
    sort: str = "score",
    missing: str | None = None,
    page: int = 1,
    size: int = 50,
) -> dict:
    """One page of the scorecards in scope, with the totals of all of them."""
    require(principal, Perm.ORG_READ)
    cards = scorecards.for_principal(session, principal, within=within, level=level)
    if missing:
        cards = [c for c in cards if any(r.item.ref == missing for r in c.missing)]
    if sort == "-score":
        cards.sort(key=lambda c: (-c.score, c.place.code))
    elif sort == "score":
        cards.sort(key=lambda c: (c.score, c.place.code))
    size = max(1, min(size, 500))
    page = max(1, page)
    chunk = cards[(page - 1) * size : page * size]
    return {
        "items": [summary(c) for c in chunk],
        "total": len(cards),
        "page": page,
        "size": size,
        "met": sum(c.met for c in cards),
        "items_total": sum(c.total for c in cards),
    }


def points(
    session: Session, principal: Principal, *, within: str | None = None, level: str | None = None
) -> dict:
    """GeoJSON points of the places with their score and the number of missing items."""
    require(principal, Perm.ORG_READ)
    cards = scorecards.for_principal(session, principal, within=within, level=level)
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [c.place.lon, c.place.lat]},
            "properties": {
                "code": c.place.code,
                "name": c.place.name,
                "level": c.place.level,
                "met": c.met,
                "total": c.total,
                "score": round(c.score, 4),
                "missing": len(c.missing),
            },
        }
        for c in cards
        if c.place.lon is not None and c.place.lat is not None
    ]
    return {"type": "FeatureCollection", "features": features}
