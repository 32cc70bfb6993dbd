"""Supplies tables (应急物资): stores, keepers, the item catalogue, batches, the stock ledger with its
derived balances, documents, resource requests, reserve standards and "五定" maintenance.

Stock moves only through documents. Every movement is an append-only row of ``supply_movements``;
``supply_balances`` holds the derived quantity per store and batch, changed in the same transaction
by a conditional UPDATE (``qty >= n``) or an upsert, and a CHECK keeps it from ever going negative.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from yingji.core import clock
from yingji.core.models import Audited, Base, IdMixin, TimestampMixin, one_of
from yingji.core.types import BigId, CodeStr, JSONType
from yingji.supplies.codes import DocumentState

STORE_LEVELS = ("city", "county", "town", "village")
DOCUMENT_KINDS = ("receipt", "issue", "transfer", "count")
DOCUMENT_STATES = tuple(s.value for s in DocumentState)
MOVEMENT_KINDS = ("receipt", "issue", "transfer_out", "transfer_in", "transfer_return", "count")
COUNT_REASONS = ("lost", "found", "damaged", "expired", "recount")
MAINTENANCE_KINDS = ("servicing", "inspection", "charging", "performance_test")


class Warehouse(IdMixin, TimestampMixin, Audited, Base):
    """A store (储备库/储备室) of a county, town or village."""

    __tablename__ = "supply_warehouses"
    __table_args__ = (
        CheckConstraint(one_of("level", STORE_LEVELS), name="level"),
        CheckConstraint("area_m2 IS NULL OR area_m2 >= 0", name="area"),
    )

    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120), index=True)
    level: Mapped[str] = mapped_column(String(10))
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, ForeignKey("jurisdictions.code"), index=True)
    area_m2: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    address: Mapped[str | None] = mapped_column(String(200))
    road_access: Mapped[str | None] = mapped_column(String(10))  # good, limited, poor
    road_note: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    note: Mapped[str | None] = mapped_column(Text)

    jurisdiction = relationship("Jurisdiction", lazy="joined")
    keepers = relationship("WarehouseKeeper", back_populates="warehouse", lazy="selectin")


class WarehouseKeeper(IdMixin, Audited, Base):
    """A person who keeps a store (物资管理责任人); their user may move that store's stock."""

    __tablename__ = "supply_keepers"
    __table_args__ = (
        UniqueConstraint("warehouse_id", "person_id", name="uq_supply_keepers_warehouse_person"),
    )

    warehouse_id: Mapped[int] = mapped_column(BigId, ForeignKey("supply_warehouses.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(BigId, ForeignKey("people.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(10), default="keeper")  # keeper, deputy
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, index=True)

    warehouse = relationship(Warehouse, back_populates="keepers")
    person = relationship("Person", lazy="joined")


class Item(IdMixin, TimestampMixin, Audited, Base):
    """A catalogue item: the standard ones come from ``data/catalogue.json``; counties may add more."""

    __tablename__ = "supply_items"

    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(8), index=True)
    unit: Mapped[str] = mapped_column(String(10))
    shelf_life_months: Mapped[int | None] = mapped_column(SmallInteger)
    maintenance_class: Mapped[str | None] = mapped_column(String(20))
    spec: Mapped[str | None] = mapped_column(String(200))
    standard: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    jurisdiction_code: Mapped[str | None] = mapped_column(CodeStr)  # who added it (None: standard)


class Batch(IdMixin, Base):
    """A lot of one item: expiry date and owner. The owner may differ from the store that holds it
    (代储: stock the city owns kept in a town store)."""

    __tablename__ = "supply_batches"
    __table_args__ = (
        UniqueConstraint("item_id", "batch_no", "owner_code", name="uq_supply_batches_item_batch_owner"),
    )

    item_id: Mapped[int] = mapped_column(BigId, ForeignKey("supply_items.id"))
    batch_no: Mapped[str] = mapped_column(String(40))
    owner_code: Mapped[str] = mapped_column(CodeStr)
    owner_name: Mapped[str | None] = mapped_column(String(120))
    expires_on: Mapped[date | None] = mapped_column(Date, index=True)
    produced_on: Mapped[date | None] = mapped_column(Date)
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr)  # where it was first received
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    item = relationship(Item, lazy="joined")


class Balance(IdMixin, Base):
    """Derived stock of one batch in one store; changed only with a movement, never below zero."""

    __tablename__ = "supply_balances"
    __table_args__ = (
        UniqueConstraint("warehouse_id", "batch_id", name="uq_supply_balances_warehouse_batch"),
        CheckConstraint("qty >= 0", name="not_negative"),
        Index("ix_supply_balances_item_jurisdiction", "item_id", "jurisdiction_code"),
        # a post reads one store's balances of its items (not every store's balances of them)
        Index("ix_supply_balances_warehouse_item", "warehouse_id", "item_id"),
    )

    warehouse_id: Mapped[int] = mapped_column(BigId, ForeignKey("supply_warehouses.id"))
    batch_id: Mapped[int] = mapped_column(BigId, ForeignKey("supply_batches.id"), index=True)
    item_id: Mapped[int] = mapped_column(BigId, ForeignKey("supply_items.id"))
    qty: Mapped[int] = mapped_column(Integer, default=0)
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now)


class ResourceRequest(IdMixin, Audited, Base):
    """A request for supplies from an incident, turned into documents in one step (idempotent)."""

    __tablename__ = "supply_requests"
    __table_args__ = (CheckConstraint("mode IN ('issue', 'transfer')", name="mode"),)

    incident_id: Mapped[int] = mapped_column(BigId, ForeignKey("incidents.id"), index=True)
    client_key: Mapped[str] = mapped_column(String(80), unique=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    mode: Mapped[str] = mapped_column(String(10))
    to_warehouse_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("supply_warehouses.id"))
    lines: Mapped[list] = mapped_column(JSONType)  # [{item_code, qty}]
    plan: Mapped[list] = mapped_column(JSONType)  # [{warehouse_id, item_code, qty, minutes}]
    unmet: Mapped[list | None] = mapped_column(JSONType)
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, index=True)
    created_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)


class Document(IdMixin, Audited, Base):
    """A stock document: receipt 入库, issue 出库, transfer 调拨 (in transit until received), count 盘点."""

    __tablename__ = "supply_documents"
    __table_args__ = (
        CheckConstraint(one_of("kind", DOCUMENT_KINDS), name="kind"),
        CheckConstraint(one_of("status", DOCUMENT_STATES), name="status"),
        Index("ix_supply_documents_warehouse", "warehouse_id", "id"),
        Index("ix_supply_documents_destination", "to_warehouse_id", "status"),
    )

    kind: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(12), default="done")
    warehouse_id: Mapped[int] = mapped_column(BigId, ForeignKey("supply_warehouses.id"))
    to_warehouse_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("supply_warehouses.id"))
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, index=True)
    to_jurisdiction_code: Mapped[str | None] = mapped_column(CodeStr, index=True)
    reason: Mapped[str | None] = mapped_column(String(20))
    counterparty: Mapped[str | None] = mapped_column(String(120))
    incident_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("incidents.id"), index=True)
    request_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("supply_requests.id"), index=True)
    client_key: Mapped[str] = mapped_column(String(80), unique=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str | None] = mapped_column(String(100))
    created_by_id: Mapped[int | None] = mapped_column(BigId)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    completed_at: Mapped[datetime | None] = mapped_column()

    warehouse = relationship(Warehouse, foreign_keys=[warehouse_id], lazy="joined")
    to_warehouse = relationship(Warehouse, foreign_keys=[to_warehouse_id], lazy="joined")
    lines = relationship(
        "DocumentLine", back_populates="document", lazy="selectin", order_by="DocumentLine.line_no"
    )


class DocumentLine(IdMixin, Base):
    """One line of a document. Transfers track what arrived and what went back (in transit = the rest)."""

    __tablename__ = "supply_document_lines"
    __table_args__ = (
        UniqueConstraint("document_id", "line_no", name="uq_supply_document_lines_document_line"),
        CheckConstraint("qty >= 0", name="qty"),
        CheckConstraint("received_qty >= 0 AND returned_qty >= 0", name="received_returned"),
        CheckConstraint("received_qty + returned_qty <= qty", name="not_more_than_sent"),
    )

    document_id: Mapped[int] = mapped_column(BigId, ForeignKey("supply_documents.id", ondelete="CASCADE"))
    line_no: Mapped[int] = mapped_column(Integer)
    item_id: Mapped[int] = mapped_column(BigId, ForeignKey("supply_items.id"))
    batch_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("supply_batches.id"))
    qty: Mapped[int] = mapped_column(Integer)  # moved (receipt, issue, transfer) or |change| (count)
    delta: Mapped[int] = mapped_column(Integer, default=0)  # signed change of the first store
    counted: Mapped[int | None] = mapped_column(Integer)  # count: what was found on the shelf
    reason: Mapped[str | None] = mapped_column(String(12))  # count: lost, found, damaged, expired
    received_qty: Mapped[int] = mapped_column(Integer, default=0)
    returned_qty: Mapped[int] = mapped_column(Integer, default=0)
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr)

    document = relationship(Document, back_populates="lines")
    item = relationship(Item, lazy="joined")
    batch = relationship(Batch, lazy="joined")

    @property
    def in_transit(self) -> int:
        return self.qty - self.received_qty - self.returned_qty


class Movement(IdMixin, Base):
    """The stock ledger: one append-only row per change of one batch in one store, with the batch's
    balance in that store right after it (so a stock card needs no recomputation)."""

    __tablename__ = "supply_movements"
    __table_args__ = (
        CheckConstraint(one_of("kind", MOVEMENT_KINDS), name="kind"),
        CheckConstraint("delta <> 0", name="delta"),
        CheckConstraint("balance_after >= 0", name="balance_after"),
        Index("ix_supply_movements_card", "warehouse_id", "item_id", "id"),
    )

    at: Mapped[datetime] = mapped_column(default=clock.now)
    document_id: Mapped[int] = mapped_column(BigId, ForeignKey("supply_documents.id"), index=True)
    line_id: Mapped[int] = mapped_column(BigId, ForeignKey("supply_document_lines.id"))
    warehouse_id: Mapped[int] = mapped_column(BigId, ForeignKey("supply_warehouses.id"))
    batch_id: Mapped[int] = mapped_column(BigId, ForeignKey("supply_batches.id"))
    item_id: Mapped[int] = mapped_column(BigId, ForeignKey("supply_items.id"))
    kind: Mapped[str] = mapped_column(String(16))
    delta: Mapped[int] = mapped_column(Integer)
    balance_after: Mapped[int] = mapped_column(Integer)
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, index=True)
    actor: Mapped[str | None] = mapped_column(String(100))
    actor_id: Mapped[int | None] = mapped_column(BigId)


class ReserveStandard(IdMixin, TimestampMixin, Audited, Base):
    """A local override of the reserve list (储备清单): stores of ``level`` under ``jurisdiction_code``
    should hold ``quantity`` of the item (the deepest matching jurisdiction wins)."""

    __tablename__ = "supply_reserve_standards"
    __table_args__ = (
        UniqueConstraint(
            "jurisdiction_code", "level", "item_id", name="uq_supply_reserve_standards_place_level_item"
        ),
        CheckConstraint(one_of("level", STORE_LEVELS), name="level"),
        CheckConstraint("quantity >= 0", name="quantity"),
    )

    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, ForeignKey("jurisdictions.code"))
    level: Mapped[str] = mapped_column(String(10))
    item_id: Mapped[int] = mapped_column(BigId, ForeignKey("supply_items.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(String(200))

    item = relationship(Item, lazy="joined")


class MaintenanceSchedule(IdMixin, TimestampMixin, Audited, Base):
    """ "五定" maintenance of one item class in one store: what to do and how often."""

    __tablename__ = "supply_maintenance_schedules"
    __table_args__ = (
        UniqueConstraint(
            "warehouse_id",
            "maintenance_class",
            "kind",
            name="uq_supply_maintenance_schedules_warehouse_class_kind",
        ),
        CheckConstraint(one_of("kind", MAINTENANCE_KINDS), name="kind"),
        CheckConstraint("interval_days BETWEEN 1 AND 3660", name="interval"),
        Index("ix_supply_maintenance_schedules_due", "active", "next_due_on"),
    )

    warehouse_id: Mapped[int] = mapped_column(BigId, ForeignKey("supply_warehouses.id", ondelete="CASCADE"))
    maintenance_class: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20))
    interval_days: Mapped[int] = mapped_column(SmallInteger)
    next_due_on: Mapped[date] = mapped_column(Date)
    last_done_on: Mapped[date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, index=True)

    warehouse = relationship(Warehouse, lazy="joined")


class MaintenanceTask(IdMixin, Audited, Base):
    """One due check of a schedule; when done it is the record of that check."""

    __tablename__ = "supply_maintenance_tasks"
    __table_args__ = (
        UniqueConstraint("schedule_id", "due_on", name="uq_supply_maintenance_tasks_schedule_due"),
        CheckConstraint("status IN ('open', 'done')", name="status"),
        CheckConstraint("result IS NULL OR result IN ('ok', 'fixed', 'fault')", name="result"),
        Index("ix_supply_maintenance_tasks_open", "status", "due_on"),
        Index("ix_supply_maintenance_tasks_warehouse", "warehouse_id", "status"),
    )

    schedule_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("supply_maintenance_schedules.id", ondelete="CASCADE")
    )
    warehouse_id: Mapped[int] = mapped_column(BigId, ForeignKey("supply_warehouses.id", ondelete="CASCADE"))
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(8), default="open")
    result: Mapped[str | None] = mapped_column(String(8))
    note: Mapped[str | None] = mapped_column(Text)
    done_at: Mapped[datetime | None] = mapped_column()
    done_by: Mapped[str | None] = mapped_column(String(100))
    done_by_id: Mapped[int | None] = mapped_column(BigId)
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, index=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    schedule = relationship(MaintenanceSchedule, lazy="joined")
    warehouse = relationship(Warehouse, lazy="joined")


class TransferReceipt(IdMixin, Base):
    """One confirmation at the destination of a transfer: what arrived and what went back, per line."""

    __tablename__ = "supply_transfer_receipts"

    document_id: Mapped[int] = mapped_column(BigId, ForeignKey("supply_documents.id"), index=True)
    client_key: Mapped[str] = mapped_column(String(80), unique=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    lines: Mapped[list] = mapped_column(JSONType)  # [{line_no, received, returned}]
    note: Mapped[str | None] = mapped_column(Text)
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, index=True)
    actor: Mapped[str | None] = mapped_column(String(100))
    actor_id: Mapped[int | None] = mapped_column(BigId)
    at: Mapped[datetime] = mapped_column(default=clock.now)
