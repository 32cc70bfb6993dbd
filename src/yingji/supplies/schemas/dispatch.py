"""What the dispatch optimiser answers: the stores offered for one incident and several demand
points allocated (``supplies.store_dispatch``)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class StoreOfferOut(BaseModel):
    """A store holding some of what is asked for, nearest first, with the reason it is offered."""

    warehouse_id: int
    name: str
    minutes: float = Field(description="travel time to the incident")
    km: float
    by_road: bool = Field(description="over the road network; false: straight line × road factor")
    holds: dict[str, int] = Field(description="item code → units held of those asked")
    reason: str


class ShipmentOut(BaseModel):
    warehouse_id: int
    item_code: str
    qty: int
    minutes: float


class RecommendOut(BaseModel):
    """The stores for one incident and the nearest-first plan (optimal for one destination)."""

    stores: list[StoreOfferOut]
    plan: list[ShipmentOut]
    unmet: dict[str, int] = Field(description="item code → units no store in reach holds")


class FlowOut(BaseModel):
    warehouse_id: int
    warehouse: str
    demand: str = Field(description="the demand point's name")
    item_code: str
    item: str
    qty: int
    minutes: float


class AllocationPlanOut(BaseModel):
    cost: float = Field(description="unit-minutes of the whole plan")
    seconds: float = Field(description="time the solver took")
    flows: list[FlowOut]


class UnmetDemandOut(BaseModel):
    demand: str
    item_code: str
    qty: int


class AllocationOut(BaseModel):
    """Several demand points from the stores in scope: the optimal plan (HiGHS), nearest-first
    beside it, and what the optimal one saves."""

    optimal: AllocationPlanOut
    greedy: AllocationPlanOut
    unmet: list[UnmetDemandOut]
    stores: int
    items: list[str]
    greedy_cost: float
    optimal_cost: float
    saving: float
    saving_share: float
