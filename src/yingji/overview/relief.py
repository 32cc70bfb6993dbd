"""The overview's "紧急转移" tile: the live evacuation orders that reach the place with their
accounting there (threatened = moved + sheltered + safe elsewhere + unaccounted, households and
people), and the shelters open in the place with people in against capacity. Refreshed on
``evacuation.tally`` and ``shelter.changed`` events (``static/js/overview.js``)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yingji.auth.scope import Principal, in_scope
from yingji.evacuation import board
from yingji.evacuation.labels import EL
from yingji.overview.schemas import EvacCountOut, EvacOrderOut, EvacuationOut
from yingji.overview.situation import link
from yingji.shelters.codes import ShelterStatus
from yingji.shelters.models import Shelter

SHOWN = 5  # orders named on the tile; the total counts them all
KEYS = ("threatened", "moved", "sheltered", "safe_elsewhere", "unaccounted", "returned")


def _counts(c: dict) -> dict[str, EvacCountOut]:
    return {k: EvacCountOut(**c[k]) for k in KEYS}


def evacuation(session: Session, p: Principal, within: str | None) -> EvacuationOut:
    orders = board.orders(session, p, states=board.LIVE)
    counts = board.counts(session, p, [o.id for o in orders])
    totals = {k: {"households": 0, "people": 0} for k in KEYS}
    for c in counts.values():
        for k in KEYS:
            totals[k]["households"] += c[k]["households"]
            totals[k]["people"] += c[k]["people"]
    shown = [
        EvacOrderOut(
            id=o.id,
            code=o.code,
            title=o.title,
            state=o.state,
            state_label=EL.order_state(o.state),
            link=link(f"/evacuation/{o.id}", within),
            **_counts(counts[o.id]),
        )
        for o in orders[:SHOWN]
    ]
    open_states = (ShelterStatus.OPEN.value, ShelterStatus.FULL.value)
    n, full, people, capacity = session.execute(
        select(
            func.count(),
            func.count().filter(Shelter.status == ShelterStatus.FULL.value),
            func.coalesce(func.sum(Shelter.occupancy), 0),
            func.coalesce(func.sum(Shelter.capacity), 0),
        ).where(
            in_scope(Shelter.jurisdiction_code, p), Shelter.active.is_(True), Shelter.status.in_(open_states)
        )
    ).one()
    return EvacuationOut(
        active=len(orders),
        link=link("/evacuation", None),
        orders=shown,
        shelters_open=n,
        shelters_full=full,
        shelter_people=int(people),
        shelter_capacity=int(capacity),
        shelters_link=link("/shelters", within),
        **_counts(totals),
    )
