"""Stores (county, town, village): search, read, create, update, keepers, and who may move their stock.

A manager (``SUPPLIES_MANAGE``) moves stock in any store of their jurisdiction; a keeper only in the
stores they keep ("a village keeper moves only their store's stock"): their user is tied to a person
who is a keeper of the store.
"""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from yingji.auth.models import User
from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, in_scope, visible, writable
from yingji.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from yingji.core.models import apply_changes
from yingji.core.pagination import Page, paginate
from yingji.org import places
from yingji.org.models import Jurisdiction, Person
from yingji.supplies import rules
from yingji.supplies.models import Balance, Warehouse, WarehouseKeeper
from yingji.supplies.schemas import KeeperIn, WarehouseIn, WarehousePatch

LEVEL_OF_DIVISION = {"city": "city", "county": "county", "town": "town", "village": "village"}


class NotAKeeper(Forbidden):
    code = "not_a_keeper"
    message = "Only the keepers of this store may move its stock."


def search(
    session: Session,
    principal: Principal,
    *,
    q: str = "",
    within: str | None = None,
    level: str | None = None,
    area_short: bool = False,
    page: int = 1,
    size: int = 50,
) -> Page[Warehouse]:
    """Stores in scope, optionally under a place, of a level, or smaller than their level's minimum."""
    stmt = select(Warehouse).where(in_scope(Warehouse.jurisdiction_code, principal), Warehouse.active)
    stmt = places.narrow(session, principal, stmt, Warehouse.jurisdiction_code, within)
    if level:
        stmt = stmt.where(Warehouse.level == level)
    q = (q or "").strip()
    if q:
        stmt = stmt.where(
            or_(Warehouse.name.contains(q, autoescape=True), Warehouse.code.startswith(q, autoescape=True))
        )
    if area_short:
        short = [
            (Warehouse.level == lvl) & (Warehouse.area_m2 < minimum)
            for lvl in ("city", "county", "town", "village")
            if (minimum := rules.min_area(lvl)) is not None
        ]
        stmt = stmt.where(or_(*short)) if short else stmt.where(False)
    return paginate(session, stmt.order_by(Warehouse.jurisdiction_code, Warehouse.id), page, size)


def get(session: Session, principal: Principal, warehouse_id: int) -> Warehouse:
    """A store the principal may see (404 otherwise)."""
    return visible(principal, session.get(Warehouse, warehouse_id))


def person_of(session: Session, principal: Principal) -> int | None:
    """The person record tied to the principal's user, if any."""
    if principal.user_id is None:
        return None
    return session.scalar(select(User.person_id).where(User.id == principal.user_id))


def kept_by(session: Session, principal: Principal) -> list[int]:
    """Ids of the stores the principal keeps."""
    person_id = person_of(session, principal)
    if person_id is None:
        return []
    return list(
        session.scalars(select(WarehouseKeeper.warehouse_id).where(WarehouseKeeper.person_id == person_id))
    )


def can_move(session: Session, principal: Principal, warehouse: Warehouse) -> bool:
    """Whether the principal may move this store's stock (for showing the forms)."""
    if not (principal.can(Perm.STOCK_MOVE) and principal.covers(warehouse.jurisdiction_code)):
        return False
    return principal.can(Perm.SUPPLIES_MANAGE) or warehouse.id in kept_by(session, principal)


def check_move(
    session: Session, principal: Principal, warehouse: Warehouse, *, dispatch: bool = False
) -> None:
    """Raise unless the principal may move this store's stock: 403 outside the jurisdiction, 403 for
    a keeper of another store. A dispatcher (``DISPATCH``) commits stock of any store in scope."""
    if dispatch:
        writable(principal, warehouse.jurisdiction_code, Perm.DISPATCH)
        return
    writable(principal, warehouse.jurisdiction_code, Perm.STOCK_MOVE)
    if principal.can(Perm.SUPPLIES_MANAGE):
        return
    if warehouse.id not in kept_by(session, principal):
        raise NotAKeeper()
    if not warehouse.active:
        raise ValidationFailed("This store is closed.")


def _check_place(session: Session, code: str, level: str) -> Jurisdiction:
    place = session.get(Jurisdiction, code)
    if place is None:
        raise ValidationFailed(details=[{"field": "jurisdiction_code", "message": "Unknown jurisdiction."}])
    if LEVEL_OF_DIVISION.get(place.level) != level:
        raise ValidationFailed(
            details=[{"field": "level", "message": "The store level does not match the place's level."}]
        )
    return place


def _free_code(session: Session, base: str) -> str:
    taken = set(session.scalars(select(Warehouse.code).where(Warehouse.code.startswith(base))))
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def create(session: Session, principal: Principal, data: WarehouseIn) -> Warehouse:
    """A new store in the principal's jurisdiction (``SUPPLIES_MANAGE``)."""
    writable(principal, data.jurisdiction_code, Perm.SUPPLIES_MANAGE)
    place = _check_place(session, data.jurisdiction_code, data.level)
    values = data.model_dump()
    if values["code"]:
        if session.scalar(select(Warehouse.id).where(Warehouse.code == values["code"])) is not None:
            raise Conflict("The store code {code} is already taken.", code=values["code"])
    else:
        values["code"] = _free_code(session, f"CK{place.code}")
    if values["lon"] is None or values["lat"] is None:
        values["lon"], values["lat"] = place.lon, place.lat
    warehouse = Warehouse(**values, active=True)
    session.add(warehouse)
    session.flush()
    return warehouse


def update(session: Session, principal: Principal, warehouse_id: int, patch: WarehousePatch) -> Warehouse:
    warehouse = session.get(Warehouse, warehouse_id, with_for_update={"of": Warehouse})
    if warehouse is None:
        raise NotFound()
    writable(principal, warehouse.jurisdiction_code, Perm.SUPPLIES_MANAGE)
    changes = patch.model_dump(exclude_unset=True)
    if changes.get("active") is False:
        held = session.scalar(
            select(func.coalesce(func.sum(Balance.qty), 0)).where(Balance.warehouse_id == warehouse.id)
        )
        if held:
            raise Conflict("The store still holds stock: transfer or issue it first.")
    apply_changes(warehouse, changes)
    session.flush()
    return warehouse


def add_keeper(session: Session, principal: Principal, warehouse_id: int, data: KeeperIn) -> WarehouseKeeper:
    warehouse = get(session, principal, warehouse_id)
    writable(principal, warehouse.jurisdiction_code, Perm.SUPPLIES_MANAGE)
    person = visible(principal, session.get(Person, data.person_id))
    exists = session.scalar(
        select(WarehouseKeeper).where(
            WarehouseKeeper.warehouse_id == warehouse.id, WarehouseKeeper.person_id == person.id
        )
    )
    if exists is not None:
        return exists
    keeper = WarehouseKeeper(
        warehouse_id=warehouse.id,
        person_id=person.id,
        role=data.role,
        jurisdiction_code=warehouse.jurisdiction_code,
    )
    session.add(keeper)
    session.flush()
    return keeper


def remove_keeper(session: Session, principal: Principal, keeper_id: int) -> None:
    keeper = session.get(WarehouseKeeper, keeper_id)
    if keeper is None or not principal.covers(keeper.jurisdiction_code):
        raise NotFound()
    writable(principal, keeper.jurisdiction_code, Perm.SUPPLIES_MANAGE)
    session.delete(keeper)
    session.flush()


def keeper_user_ids(session: Session, warehouse_id: int) -> list[int]:
    """Active users tied to a keeper of the store (the people maintenance reminders go to)."""
    return list(
        session.scalars(
            select(User.id)
            .join(WarehouseKeeper, WarehouseKeeper.person_id == User.person_id)
            .where(WarehouseKeeper.warehouse_id == warehouse_id, User.active)
            .order_by(User.id)
        )
    )


def area_status(warehouse: Warehouse) -> dict:
    """The area check of seed 003: ``{ok, minimum, area}`` (ok None when there is no rule or area)."""
    return {
        "ok": rules.area_ok(warehouse.level, warehouse.area_m2),
        "minimum": rules.min_area(warehouse.level),
        "area": warehouse.area_m2,
    }
