"""Input shapes of the supplies API and forms (validated by Pydantic)."""

from __future__ import annotations

from datetime import date

from pydantic import ConfigDict, Field, field_validator, model_validator

from yingji.core import idempotency
from yingji.core.text import Input
from yingji.org import codes
from yingji.supplies.models import COUNT_REASONS, STORE_LEVELS

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


class _In(Input):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")


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


class ReceiptLine(_In):
    item_code: str = Field(min_length=1, max_length=20)
    qty: int = Field(gt=0, le=10_000_000)
    batch_no: str | None = Field(default=None, max_length=40)
    expires_on: date | None = None
    produced_on: date | None = None
    owner_code: str | None = None  # 代储: the stock belongs to another jurisdiction
    owner_name: str | None = Field(default=None, max_length=120)

    _owner = field_validator("owner_code")(_code)


class OutLine(_In):
    """A line taking stock out: from one batch, or first-expiring-first-out when no batch is named."""

    item_code: str = Field(min_length=1, max_length=20)
    qty: int = Field(gt=0, le=10_000_000)
    batch_id: int | None = None


class CountLine(_In):
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


class _Doc(_In):
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
