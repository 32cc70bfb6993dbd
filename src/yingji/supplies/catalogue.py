"""The item catalogue in the database: the standard items of the packaged table (loaded on demand,
idempotently) and items a county adds for itself."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, require
from yingji.core import clock
from yingji.core.errors import Conflict, Forbidden, ValidationFailed
from yingji.org.codes import LEVEL_LENGTH
from yingji.supplies import rules
from yingji.supplies.models import Item
from yingji.supplies.schemas import ItemIn


def standard_rows() -> list[dict]:
    """Rows of ``supply_items`` for the packaged standard catalogue."""
    now = clock.now()
    return [
        {
            "code": s.code,
            "name": s.zh,
            "category": s.category,
            "unit": s.unit,
            "shelf_life_months": s.shelf_life_months,
            "maintenance_class": s.maintenance_class,
            "spec": None,
            "standard": True,
            "active": True,
            "jurisdiction_code": None,
            "created_at": now,
            "updated_at": now,
        }
        for s in rules.standard_items().values()
    ]


def sync_standard(session: Session) -> int:
    """Insert the standard items that are missing (existing rows are left as they are); returns
    how many were added. Safe to run concurrently: conflicting codes are skipped."""
    have = set(session.scalars(select(Item.code).where(Item.standard)))
    rows = [r for r in standard_rows() if r["code"] not in have]
    if not rows:
        return 0
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    session.execute(insert(Item).on_conflict_do_nothing(index_elements=["code"]), rows)
    return len(rows)


def load_standard(session: Session, principal: Principal) -> int:
    """The "load the standard catalogue" action of managers."""
    require(principal, Perm.SUPPLIES_MANAGE)
    return sync_standard(session)


def items(session: Session, *, category: str | None = None, active_only: bool = True) -> list[Item]:
    """Catalogue items, by category and code (the catalogue is the same for everyone)."""
    stmt = select(Item)
    if category:
        stmt = stmt.where(Item.category == category)
    if active_only:
        stmt = stmt.where(Item.active)
    return list(session.scalars(stmt.order_by(Item.category, Item.code)))


def by_code(session: Session, code: str) -> Item:
    """The item with ``code``; a standard item not yet in the database is added on first use."""
    item = session.scalar(select(Item).where(Item.code == code))
    if item is None and code in rules.standard_items():
        sync_standard(session)
        item = session.scalar(select(Item).where(Item.code == code))
    if item is None or not item.active:
        raise ValidationFailed(details=[{"field": "item_code", "message": "Unknown item.", "value": code}])
    return item


def by_codes(session: Session, codes: list[str]) -> dict[str, Item]:
    """Items for several codes at once (unknown codes are an error)."""
    return {code: by_code(session, code) for code in dict.fromkeys(codes)}


def require_owner(principal: Principal) -> None:
    """Item codes are one namespace shared by every store: only officials at (or above) the level
    that owns the catalogue write them (``supplies_catalogue.json`` → ``local_items``)."""
    require(principal, Perm.SUPPLIES_MANAGE)
    owner = rules.catalogue_owner_level()
    if len(principal.jurisdiction_code) > LEVEL_LENGTH.get(owner, 4):
        raise Forbidden(
            "Item codes are shared by every store: only officials of the level that owns the catalogue "
            "add items to it. Ask them to add this item."
        )


def create(session: Session, principal: Principal, data: ItemIn) -> Item:
    """A local item (not in the standard catalogue), owned by the principal's jurisdiction."""
    require_owner(principal)
    if rules.category(data.category) is None:
        raise ValidationFailed(details=[{"field": "category", "message": "Unknown category."}])
    if data.maintenance_class and data.maintenance_class not in rules.maintenance_classes():
        raise ValidationFailed(
            details=[{"field": "maintenance_class", "message": "Unknown maintenance class."}]
        )
    if session.scalar(select(Item.id).where(Item.code == data.code)) is not None:
        raise Conflict("The item code {code} is already taken.", code=data.code)
    item = Item(
        **data.model_dump(), standard=False, active=True, jurisdiction_code=principal.jurisdiction_code
    )
    session.add(item)
    session.flush()
    return item
