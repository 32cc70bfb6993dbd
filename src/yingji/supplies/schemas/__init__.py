"""Input shapes of the supplies API and forms (validated by Pydantic)."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from yingji.core import idempotency
from yingji.core.text import StrictInput
from yingji.org import codes
from yingji.supplies.models import COUNT_REASONS, STORE_LEVELS
from yingji.supplies.schemas.cleaning import DocumentInput, FlatInput
from yingji.supplies.schemas.dispatch import (  # noqa: F401  (what the optimiser answers, importable from here)
    AllocationOut,
    AllocationPlanOut,
    FlowOut,
    RecommendOut,
    ShipmentOut,
    StoreOfferOut,
    UnmetDemandOut,
)

RECEIPT_REASONS = ("purchase", "donation", "allocation", "return", "other")
ISSUE_REASONS = ("rescue", "relief", "drill", "loan", "scrap", "other")
ROAD_ACCESS = ("good", "limited", "poor")


def _code(value: str | None) -> str | None:
    if value in (None, ""):
        return None
    try:
        return codes.normalise(value)
    except ValueError:
        raise ValueError("not a division code") from None


_In = StrictInput


class WarehouseIn(_In):
    code: str | None = Field(default=None, max_length=40, pattern=r"^[A-Za-z0-9_.\-]+$")
    name: str = Field(min_length=1, max_length=120)
    level: str = Field(pattern="^(" + "|".join(STORE_LEVELS) + ")$")
    jurisdiction_code: str
    area_m2: float | None = Field(default=None, ge=0, le=1_000_000)
    lon: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)
    address: str | None = Field(default=None, max_length=200)
    road_access: str | None = Field(default=None, pattern="^(" + "|".join(ROAD_ACCESS) + ")$")
    road_note: str | None = Field(default=None, max_length=200)
    note: str | None = Field(default=None, max_length=2000)

    _jur = field_validator("jurisdiction_code")(_code)


class WarehousePatch(_In):
    name: str | None = Field(default=None, min_length=1, max_length=120)
    area_m2: float | None = Field(default=None, ge=0, le=1_000_000)
    lon: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)
    address: str | None = Field(default=None, max_length=200)
    road_access: str | None = Field(default=None, pattern="^(" + "|".join(ROAD_ACCESS) + ")$")
    road_note: str | None = Field(default=None, max_length=200)
    note: str | None = Field(default=None, max_length=2000)
    active: bool | None = None


class KeeperIn(_In):
    person_id: int
    role: str = Field(default="keeper", pattern="^(keeper|deputy)$")


class ItemIn(_In):
    code: str = Field(min_length=2, max_length=20, pattern=r"^[A-Za-z0-9\-]+$")
    name: str = Field(min_length=1, max_length=100)
    category: str = Field(pattern=r"^C\d\d$")
    unit: str = Field(min_length=1, max_length=10)
    shelf_life_months: int | None = Field(default=None, ge=1, le=600)
    maintenance_class: str | None = Field(default=None, max_length=20)
    spec: str | None = Field(default=None, max_length=200)


class ReceiptLine(FlatInput):
    item_code: str = Field(min_length=1, max_length=20)
    qty: int = Field(gt=0, le=10_000_000)
    batch_no: str | None = Field(default=None, max_length=40)
    expires_on: date | None = None
    produced_on: date | None = None
    owner_code: str | None = None  # 代储: the stock belongs to another jurisdiction
    owner_name: str | None = Field(default=None, max_length=120)

    _owner = field_validator("owner_code")(_code)


class OutLine(FlatInput):
    """A line taking stock out: from one batch, or first-expiring-first-out when no batch is named."""

    item_code: str = Field(min_length=1, max_length=20)
    qty: int = Field(gt=0, le=10_000_000)
    batch_id: int | None = None


class CountLine(FlatInput):
    """A stock-count line: what is on the shelf (``counted``) or the change (``delta``), and why."""

    item_code: str = Field(min_length=1, max_length=20)
    batch_id: int | None = None
    counted: int | None = Field(default=None, ge=0, le=10_000_000)
    delta: int | None = Field(default=None, ge=-10_000_000, le=10_000_000)
    reason: str = Field(pattern="^(" + "|".join(COUNT_REASONS) + ")$")

    @model_validator(mode="after")
    def _one_of(self):
        if (self.counted is None) == (self.delta is None):
            raise ValueError("give either counted or delta")
        return self


class _Doc(DocumentInput):
    client_key: str = idempotency.client_key(required=True, max_length=80)
    warehouse_id: int
    note: str | None = Field(default=None, max_length=2000)


class ReceiptIn(_Doc):
    reason: str = Field(default="purchase", pattern="^(" + "|".join(RECEIPT_REASONS) + ")$")
    counterparty: str | None = Field(default=None, max_length=120)
    lines: list[ReceiptLine] = Field(min_length=1, max_length=200)


class IssueIn(_Doc):
    reason: str = Field(default="rescue", pattern="^(" + "|".join(ISSUE_REASONS) + ")$")
    counterparty: str | None = Field(default=None, max_length=120)
    incident_id: int | None = None
    lines: list[OutLine] = Field(min_length=1, max_length=200)


class TransferIn(_Doc):
    to_warehouse_id: int
    incident_id: int | None = None
    lines: list[OutLine] = Field(min_length=1, max_length=200)


class CountIn(_Doc):
    lines: list[CountLine] = Field(min_length=1, max_length=500)


class ReceiveLine(_In):
    line_no: int = Field(ge=1)
    received: int = Field(default=0, ge=0, le=10_000_000)
    returned: int = Field(default=0, ge=0, le=10_000_000)


class ReceiveIn(_In):
    """Confirmation at the destination of a transfer: per line what arrived and what goes back."""

    client_key: str = idempotency.client_key(required=True, max_length=80)
    note: str | None = Field(default=None, max_length=2000)
    lines: list[ReceiveLine] = Field(min_length=1, max_length=200)


class RequestLine(_In):
    item_code: str = Field(min_length=1, max_length=20)
    qty: int = Field(gt=0, le=10_000_000)


class ResourceRequestIn(_In):
    """Supplies asked for an incident: issued to the scene, or transferred to a store near it."""

    client_key: str = idempotency.client_key(required=True, max_length=80)
    mode: str = Field(default="issue", pattern="^(issue|transfer)$")
    to_warehouse_id: int | None = None
    lines: list[RequestLine] = Field(min_length=1, max_length=50)
    note: str | None = Field(default=None, max_length=2000)

    @model_validator(mode="after")
    def _destination(self):
        if self.mode == "transfer" and self.to_warehouse_id is None:
            raise ValueError("a transfer needs to_warehouse_id")
        return self


class DemandPoint(_In):
    name: str = Field(min_length=1, max_length=120)
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    items: dict[str, int] = Field(min_length=1)

    @field_validator("items")
    @classmethod
    def _positive(cls, v: dict[str, int]) -> dict[str, int]:
        if any(q <= 0 or q > 10_000_000 for q in v.values()):
            raise ValueError("quantities must be positive")
        return v


class AllocationIn(_In):
    """Demand points and the place whose stores may supply them (default: the user's own)."""

    within: str | None = None
    demands: list[DemandPoint] = Field(min_length=1, max_length=500)

    _within = field_validator("within")(_code)


class MaintenanceRecordIn(_In):
    result: str = Field(pattern="^(ok|fixed|fault)$")
    note: str | None = Field(default=None, max_length=2000)


class ReserveStandardIn(_In):
    jurisdiction_code: str
    level: str = Field(pattern="^(" + "|".join(STORE_LEVELS) + ")$")
    item_code: str = Field(min_length=1, max_length=20)
    quantity: int = Field(ge=0, le=10_000_000)
    note: str | None = Field(default=None, max_length=200)

    _jur = field_validator("jurisdiction_code")(_code)


# -- what the routes answer (field for field and in order; dates and times already strings) -------
Number = int | float  # kept as given: a rule's 200 stays 200, a measured 12.5 stays 12.5


class CatalogueItemOut(BaseModel):
    code: str
    name: str
    unit: str
    shelf_life_months: int | None
    maintenance_class: str | None
    standard: bool


class CatalogueCategoryOut(BaseModel):
    code: str
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)
    cls: str = Field(alias="class")
    name: str
    items: list[CatalogueItemOut]


class CatalogueOut(BaseModel):
    version: str
    source: str
    categories: list[CatalogueCategoryOut]


class StandardLoadedOut(BaseModel):
    added: int


class ItemCreatedOut(BaseModel):
    id: int
    code: str
    name: str
    category: str


class KeeperOut(BaseModel):
    id: int
    person_id: int
    name: str
    role: str
    mobile: str | None


class WarehouseOut(BaseModel):
    id: int
    code: str
    name: str
    level: str
    jurisdiction_code: str
    jurisdiction_name: str
    area_m2: Number | None
    area_ok: bool | None
    min_area_m2: Number | None
    lon: float | None
    lat: float | None
    address: str | None
    road_access: str | None
    road_note: str | None
    active: bool
    keepers: list[KeeperOut]


class WarehousePageOut(BaseModel):
    items: list[WarehouseOut]
    total: int
    page: int
    size: int


class HeldBatchOut(BaseModel):
    batch_id: int
    batch_no: str
    owner_code: str
    expires_on: str | None
    qty: int


class StockLineOut(BaseModel):
    item_code: str
    item: str
    unit: str
    qty: int
    owned_by_others: int
    next_expiry: str | None
    batches: list[HeldBatchOut]


class WarehouseDetailOut(WarehouseOut):
    can_move: bool
    stock: list[StockLineOut]


class KeeperAddedOut(BaseModel):
    id: int
    warehouse_id: int
    person_id: int
    role: str


class CardRowOut(BaseModel):
    at: str
    document_id: int | None
    kind: str
    batch_no: str | None
    delta: int
    balance: int
    actor: str | None


class CardPageOut(BaseModel):
    items: list[CardRowOut]
    total: int
    page: int
    size: int


class DocumentLineOut(BaseModel):
    line_no: int
    item_code: str
    item: str
    unit: str
    batch_id: int | None
    batch_no: str | None
    qty: int
    delta: int
    counted: int | None
    reason: str | None
    received: int
    returned: int
    in_transit: int


class DocumentOut(BaseModel):
    id: int
    kind: str
    status: str
    warehouse_id: int
    warehouse: str
    to_warehouse_id: int | None
    to_warehouse: str | None
    reason: str | None
    counterparty: str | None
    incident_id: int | None
    request_id: int | None
    client_key: str
    note: str | None
    created_by: str | None
    created_at: str
    completed_at: str | None
    lines: list[DocumentLineOut]


class DocumentPostedOut(DocumentOut):
    """201 for a new document, 200 (``replayed``) when a retry found the first one."""

    replayed: bool


class TownGapOut(BaseModel):
    code: str
    name: str
    stores: int
    villages: int
    villages_without_store: list[str]
    stores_below_area: int
    stores_short: int
    missing_units: int
    coverage: float


class StoreGapOut(BaseModel):
    warehouse_id: int
    name: str
    level: str
    area_ok: bool | None
    coverage: float
    missing: dict[str, int]


class TownGapsOut(BaseModel):
    by: Literal["town"]
    towns: list[TownGapOut]


class StoreGapsOut(BaseModel):
    by: Literal["store"]
    stores: list[StoreGapOut]


class StandardOverrideOut(BaseModel):
    jurisdiction_code: str
    level: str
    item_code: str
    quantity: int
    note: str | None


class ReserveStandardsOut(BaseModel):
    """The packaged reserve table's defaults (kept as the rule file has them) and local overrides."""

    version: str
    source: str
    defaults: dict[str, Any]
    overrides: list[StandardOverrideOut]


class StandardSetOut(BaseModel):
    id: int
    jurisdiction_code: str
    level: str
    quantity: int


class ExpiringOut(BaseModel):
    warehouse_id: int
    warehouse: str
    item_code: str
    item: str
    batch_no: str
    expires_on: str
    days_left: int
    qty: int


class MaintenanceTaskOut(BaseModel):
    id: int
    warehouse_id: int
    warehouse: str
    maintenance_class: str
    kind: str
    due_on: str
    status: str
    result: str | None
    note: str | None
    done_by: str | None


class MaintenancePageOut(BaseModel):
    items: list[MaintenanceTaskOut]
    total: int
    page: int
    size: int


class MaintenanceRecordedOut(BaseModel):
    id: int
    status: str
    result: str | None
    next_due_on: str


class RequestOut(BaseModel):
    """A resource request turned into documents (201; 200 with ``replayed`` on a retry)."""

    id: int
    incident_id: int
    mode: str
    plan: list[dict[str, Any]]
    unmet: list[dict[str, Any]]
    documents: list[DocumentOut]
    replayed: bool
