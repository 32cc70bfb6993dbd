"""The gap report ("what is missing where"): each store's holdings against the reserve list of its
level (储备清单: packaged defaults, overridden per county or town), summed per town together with
villages that have no store and stores below the minimum area."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, in_scope, writable
from yingji.core.errors import ValidationFailed
from yingji.org import places
from yingji.org.models import Jurisdiction
from yingji.supplies import catalogue, rules
from yingji.supplies.models import Balance, Item, ReserveStandard, Warehouse
from yingji.supplies.schemas import ReserveStandardIn


@dataclass
class StoreGap:
    warehouse: Warehouse
    required: dict[str, int]
    held: dict[str, int]
    area_ok: bool | None

    @property
    def missing(self) -> dict[str, int]:
        return {c: q - self.held.get(c, 0) for c, q in self.required.items() if self.held.get(c, 0) < q}

    @property
    def missing_units(self) -> int:
        return sum(self.missing.values())

    @property
    def coverage(self) -> float:
        need = sum(self.required.values())
        if not need:
            return 1.0
        return sum(min(self.held.get(c, 0), q) for c, q in self.required.items()) / need


@dataclass
class TownGap:
    code: str
    name: str
    stores: int = 0
    villages: int = 0
    villages_without_store: list[str] = field(default_factory=list)
    stores_below_area: int = 0
    stores_short: int = 0
    missing_units: int = 0
    required_units: int = 0
    covered_units: int = 0

    @property
    def coverage(self) -> float:
        return self.covered_units / self.required_units if self.required_units else 1.0


class Standards:
    """Resolves what a store should hold: the deepest override for its place, else the default."""

    def __init__(self, session: Session) -> None:
        self.defaults = {lvl: rules.default_reserve(lvl) for lvl in ("city", "county", "town", "village")}
        self.overrides: dict[str, list[tuple[str, str, int]]] = defaultdict(list)
        rows = session.execute(
            select(
                ReserveStandard.level, ReserveStandard.jurisdiction_code, Item.code, ReserveStandard.quantity
            )
            .join(Item, Item.id == ReserveStandard.item_id)
            .order_by(func.length(ReserveStandard.jurisdiction_code).desc())
        )
        for level, code, item_code, qty in rows:
            self.overrides[level].append((code, item_code, qty))

    def for_store(self, level: str, jurisdiction_code: str) -> dict[str, int]:
        out = dict(self.defaults.get(level, {}))
        seen: set[str] = set()
        for code, item_code, qty in self.overrides.get(level, []):  # deepest first
            if item_code not in seen and jurisdiction_code.startswith(code):
                seen.add(item_code)
                out[item_code] = qty
        return {c: q for c, q in out.items() if q > 0}


def _stores(session: Session, principal: Principal, within: str | None, level: str | None = None):
    stmt = select(Warehouse).where(in_scope(Warehouse.jurisdiction_code, principal), Warehouse.active)
    if within:
        low, high = places.within(session, principal, within)
        stmt = stmt.where(Warehouse.jurisdiction_code >= low, Warehouse.jurisdiction_code < high)
    if level:
        stmt = stmt.where(Warehouse.level == level)
    return list(session.scalars(stmt.order_by(Warehouse.jurisdiction_code, Warehouse.id)))


def _held(session: Session, stores: list[Warehouse]) -> dict[int, dict[str, int]]:
    held: dict[int, dict[str, int]] = defaultdict(dict)
    ids = [s.id for s in stores]
    for part in range(0, len(ids), 2000):
        rows = session.execute(
            select(Balance.warehouse_id, Item.code, func.sum(Balance.qty))
            .join(Item, Item.id == Balance.item_id)
            .where(Balance.warehouse_id.in_(ids[part : part + 2000]))
            .group_by(Balance.warehouse_id, Item.code)
        )
        for wid, code, qty in rows:
            held[wid][code] = int(qty)
    return held


def store_gaps(
    session: Session, principal: Principal, *, within: str | None = None, level: str | None = None
) -> list[StoreGap]:
    """Every store in scope (under ``within``) with what it should hold and what it holds."""
    stores = _stores(session, principal, within, level)
    standards = Standards(session)
    held = _held(session, stores)
    return [
        StoreGap(
            s,
            standards.for_store(s.level, s.jurisdiction_code),
            held.get(s.id, {}),
            rules.area_ok(s.level, s.area_m2),
        )
        for s in stores
    ]


def town_gaps(session: Session, principal: Principal, *, within: str | None = None) -> list[TownGap]:
    """One row per town in scope: its store and its villages' stores, villages without a store."""
    towns = select(Jurisdiction.code, Jurisdiction.name).where(
        Jurisdiction.level == "town", in_scope(Jurisdiction.code, principal)
    )
    villages = select(Jurisdiction.code, Jurisdiction.name).where(
        Jurisdiction.level == "village", in_scope(Jurisdiction.code, principal)
    )
    if within:
        low, high = places.within(session, principal, within)
        towns = towns.where(Jurisdiction.code >= low, Jurisdiction.code < high)
        villages = villages.where(Jurisdiction.code >= low, Jurisdiction.code < high)
    out = {code: TownGap(code, name) for code, name in session.execute(towns.order_by(Jurisdiction.code))}
    with_store: set[str] = set()
    for gap in store_gaps(session, principal, within=within):
        code = gap.warehouse.jurisdiction_code
        if gap.warehouse.level == "village":
            with_store.add(code)
        town = out.get(code[:9])
        if town is None or gap.warehouse.level not in ("town", "village"):
            continue
        town.stores += 1
        town.stores_below_area += gap.area_ok is False
        town.stores_short += bool(gap.missing)
        town.missing_units += gap.missing_units
        town.required_units += sum(gap.required.values())
        town.covered_units += sum(min(gap.held.get(c, 0), q) for c, q in gap.required.items())
    for code, name in session.execute(villages.order_by(Jurisdiction.code)):
        town = out.get(code[:9])
        if town is None:
            continue
        town.villages += 1
        if code not in with_store:
            town.villages_without_store.append(name)
    return list(out.values())


def set_standard(session: Session, principal: Principal, data: ReserveStandardIn) -> ReserveStandard:
    """Override the reserve list for stores of a level under a place (``SUPPLIES_MANAGE``)."""
    writable(principal, data.jurisdiction_code, Perm.SUPPLIES_MANAGE)
    if session.get(Jurisdiction, data.jurisdiction_code) is None:
        raise ValidationFailed(details=[{"field": "jurisdiction_code", "message": "Unknown jurisdiction."}])
    item = catalogue.by_code(session, data.item_code)
    row = session.scalar(
        select(ReserveStandard).where(
            ReserveStandard.jurisdiction_code == data.jurisdiction_code,
            ReserveStandard.level == data.level,
            ReserveStandard.item_id == item.id,
        )
    )
    if row is None:
        row = ReserveStandard(
            jurisdiction_code=data.jurisdiction_code,
            level=data.level,
            item_id=item.id,
            quantity=data.quantity,
        )
        session.add(row)
    row.quantity, row.note = data.quantity, data.note
    session.flush()
    return row


def standards_in_scope(session: Session, principal: Principal) -> list[ReserveStandard]:
    """The local overrides a principal can see."""
    return list(
        session.scalars(
            select(ReserveStandard)
            .where(in_scope(ReserveStandard.jurisdiction_code, principal))
            .order_by(ReserveStandard.jurisdiction_code, ReserveStandard.level, ReserveStandard.item_id)
        )
    )


def export_rows(gaps: list[StoreGap], items: dict[str, Item], town_names: dict[str, str]) -> list[dict]:
    """One row per missing item per store, for the Excel export."""
    rows = []
    for gap in gaps:
        for code, missing in gap.missing.items():
            item = items.get(code)
            rows.append(
                {
                    "town": town_names.get(gap.warehouse.jurisdiction_code[:9], ""),
                    "store": gap.warehouse.name,
                    "level": gap.warehouse.level,
                    "item_code": code,
                    "item": rules.item_label(code, item.name if item else code),
                    "unit": item.unit if item else "",
                    "required": gap.required[code],
                    "held": gap.held.get(code, 0),
                    "missing": missing,
                }
            )
    return rows
