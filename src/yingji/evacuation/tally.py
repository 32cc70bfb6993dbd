"""The live accounting of an order: one GROUP BY over its households' one state column.

Every household is in exactly one bucket (``codes.BUCKET_OF`` of its state), so threatened = moved +
sheltered + safe_elsewhere + unaccounted + returned holds for any snapshot the database gives."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from yingji.auth.scope import Principal, mask_phone
from yingji.core import clock
from yingji.evacuation import areas
from yingji.evacuation.codes import BUCKET_OF, Bucket, HouseholdState, OrderState
from yingji.evacuation.models import EvacuationHousehold, EvacuationOrder
from yingji.evacuation.schemas import TallyOut, UnaccountedOut
from yingji.org.models import GridAssignment, Jurisdiction, Person

UNACCOUNTED = [s.value for s, b in BUCKET_OF.items() if b == Bucket.UNACCOUNTED]


def _empty() -> dict:
    zero = {"households": 0, "people": 0}
    out = {name: dict(zero) for name in ("threatened", "refused", "not_home", *[b.value for b in Bucket])}
    out["vulnerable_unaccounted"] = 0
    return out


def _add(acc: dict, state: str, households: int, people: int, vulnerable: int) -> None:
    bucket = BUCKET_OF[HouseholdState(state)].value
    for name in ("threatened", bucket) + (
        (state,) if state in (HouseholdState.REFUSED, HouseholdState.NOT_HOME) else ()
    ):
        acc[name]["households"] += households
        acc[name]["people"] += people
    if bucket == Bucket.UNACCOUNTED.value:
        acc["vulnerable_unaccounted"] += vulnerable


def tally(session: Session, principal: Principal, order_id: int, *, within: str | None = None) -> TallyOut:
    """The order's accounting, totals and one row per place one level below ``within`` (default: the
    principal's view of the order's area)."""
    order = areas.visible_order(principal, session.get(EvacuationOrder, order_id))
    place = areas.narrowest(principal, order, within)
    width = areas.below(place)
    h = EvacuationHousehold
    key = func.substr(h.jurisdiction_code, 1, width)
    stmt = (
        select(key, h.state, func.count(), func.sum(h.people), func.sum(h.vulnerable))
        .where(h.order_id == order.id)
        .group_by(key, h.state)
    )
    if place:
        stmt = stmt.where(areas.ranges(h.jurisdiction_code, [place]))
    total = _empty()
    rows: dict[str, dict] = defaultdict(_empty)
    for code, state, n, people, vulnerable in session.execute(stmt):
        for acc in (total, rows[code]):
            _add(acc, state, n, int(people or 0), int(vulnerable or 0))
    names = _names(session, list(rows))
    return TallyOut(
        order_id=order.id,
        state=OrderState(order.state),
        as_of=clock.now(),
        level=areas.LEVEL_OF_LENGTH.get(width, "group"),
        rows=[{"code": c, "name": names.get(c, c), **rows[c]} for c in sorted(rows)],
        **total,
    )


def unaccounted(
    session: Session, principal: Principal, order_id: int, *, within: str | None = None, limit: int = 200
) -> list[UnaccountedOut]:
    """The households still unaccounted, vulnerable first, with their grid workers."""
    order = areas.visible_order(principal, session.get(EvacuationOrder, order_id))
    place = areas.narrowest(principal, order, within)
    h = EvacuationHousehold
    stmt = select(h).where(h.order_id == order.id, h.state.in_(UNACCOUNTED))
    if place:
        stmt = stmt.where(areas.ranges(h.jurisdiction_code, [place]))
    # Refusals and the unreachable first (someone must go back), then the vulnerable, then by place.
    first = case((h.state == HouseholdState.PENDING.value, 1), else_=0)
    houses = session.scalars(
        stmt.order_by(first, h.vulnerable.desc(), h.jurisdiction_code, h.household).limit(
            max(1, min(limit, 2000))
        )
    ).all()
    cells = {x.grid_cell_id for x in houses if x.grid_cell_id is not None}
    workers: dict[int, list[str]] = defaultdict(list)
    if cells:
        for cell_id, name, mobile in session.execute(
            select(GridAssignment.grid_cell_id, Person.name, Person.mobile)
            .join(Person, Person.id == GridAssignment.person_id)
            .where(GridAssignment.grid_cell_id.in_(sorted(cells)))
            .order_by(GridAssignment.role.desc(), Person.name)
        ):
            phone = mask_phone(mobile, principal)
            who = f"{name} {phone}" if phone else name
            if who not in workers[cell_id]:  # one person may hold two posts in a cell (网格长 and 网格员)
                workers[cell_id].append(who)
    codes = sorted({x.jurisdiction_code for x in houses})
    names = _names(session, codes)
    return [
        UnaccountedOut(
            household_id=x.id,
            jurisdiction_code=x.jurisdiction_code,
            place=names.get(x.jurisdiction_code, x.jurisdiction_code),
            household=x.household,
            head_name=x.head_name,
            mobile=mask_phone(x.mobile, principal),
            people=x.people,
            vulnerable=x.vulnerable,
            state=HouseholdState(x.state),
            grid_cell_id=x.grid_cell_id,
            workers=workers.get(x.grid_cell_id, []),
        )
        for x in houses
    ]


def _names(session: Session, codes: list[str]) -> dict[str, str]:
    rows = session.execute(select(Jurisdiction.code, Jurisdiction.name).where(Jurisdiction.code.in_(codes)))
    return {code: name for code, name in rows}
