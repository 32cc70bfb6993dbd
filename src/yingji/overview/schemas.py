"""Shapes of the situation overview: what the query may ask (``OverviewIn``) and what each tile
answers (``OverviewOut``). Every figure carries the link of the list it summarises."""

from __future__ import annotations

from pydantic import BaseModel, Field, field_validator

from yingji.core.text import Input

# The tiles, in the order the page shows them; ``?tiles=`` asks for some of them only.
TILES = ("incidents", "reports", "overdue", "responses", "warnings", "alarms", "teams", "supplies", "duty")
TILES += ("evacuation",)  # issue 13: evacuation orders and shelters (overview/relief.py)
EXTRAS = ("trends",)


class OverviewIn(Input):
    """``?within=`` a place under the user's own (404 outside); ``?tiles=a,b`` some tiles only."""

    within: str | None = None
    tiles: list[str] = Field(default_factory=lambda: [*TILES, *EXTRAS])

    @field_validator("tiles", mode="before")
    @classmethod
    def _split(cls, value):
        if value is None or value == "":
            return [*TILES, *EXTRAS]
        parts = value.split(",") if isinstance(value, str) else list(value)
        parts = [p.strip() for p in parts if p and p.strip()]
        unknown = [p for p in parts if p not in TILES and p not in EXTRAS]
        if unknown:
            raise ValueError(f"unknown tiles: {', '.join(unknown)}")
        return parts or [*TILES, *EXTRAS]


class Figure(BaseModel):
    key: str
    label: str
    count: int
    link: str


class IncidentsOut(BaseModel):
    open: int
    link: str
    by_grade: list[Figure]  # I … IV, then not graded
    by_status: list[Figure]  # reported, verified, responding, stabilised


class ReportsOut(BaseModel):
    today: int
    first: int  # 首报
    follow_up: int  # 续报, 终报 and 补报
    link: str


class OverdueOut(BaseModel):
    deadlines_overdue: int  # open reporting deadlines past due now
    late_30d: int  # 迟报 in the last 30 days
    missed_30d: int  # 漏报 in the last 30 days
    tasks_overdue: int
    deadlines_link: str
    tasks_link: str


class ResponsesOut(BaseModel):
    in_force: int
    by_level: list[Figure]  # 一级 … 四级
    link: str


class WarningLevelOut(BaseModel):
    level: str
    label: str
    count: int
    link: str
    cells: int  # grid cells the warnings reach (in scope)
    acknowledged_cells: int
    deliveries: int
    delivered: int  # delivered or acknowledged
    ack_share: int | None  # per cent; None when nothing was sent
    delivery_share: int | None


class WarningsOut(BaseModel):
    in_force: int
    link: str
    by_level: list[WarningLevelOut]
    ack_share: int | None
    delivery_share: int | None


class AlarmsOut(BaseModel):
    active: int
    by_level: list[Figure]
    points_in_alarm: int
    link: str
    points_link: str


class TeamsOut(BaseModel):
    total: int
    ready: int  # on call
    deployed: int
    resting: int
    unavailable: int
    link: str
    ready_link: str
    deployed_link: str


class SuppliesOut(BaseModel):
    stores: int
    stores_short: int
    missing_units: int
    coverage: int  # per cent of the reserve standards held
    link: str


class DutyPersonOut(BaseModel):
    name: str
    phone: str | None = None


class DutyRowOut(BaseModel):
    code: str
    place: str
    unit: str
    duty_phone: str | None
    leader: DutyPersonOut | None
    officers: list[DutyPersonOut]
    gaps: list[str]


class DutyOut(BaseModel):
    rows: list[DutyRowOut]
    uncovered: int  # rows with nobody as leader or officer
    link: str


class SeriesOut(BaseModel):
    name: str
    data: list[int]


class TrendsOut(BaseModel):
    days: list[str]  # MM-DD, the last 30 days
    by_category: list[SeriesOut]  # this period, per top category, per day
    last_year: list[int]  # the same days a year before, all categories
    total: int
    total_last_year: int
    change: float | None  # per cent against last year
    places: list[str]  # the level below: names
    place_codes: list[str]
    place_current: list[int]
    place_last_year: list[int]
    link: str


class EvacCountOut(BaseModel):
    households: int
    people: int


class EvacOrderOut(BaseModel):
    id: int
    code: str
    title: str
    state: str
    state_label: str
    link: str
    threatened: EvacCountOut
    moved: EvacCountOut
    sheltered: EvacCountOut
    safe_elsewhere: EvacCountOut
    unaccounted: EvacCountOut
    returned: EvacCountOut


class EvacuationOut(BaseModel):
    """The live evacuation orders reaching the place, their accounting in it (threatened = moved +
    sheltered + safe elsewhere + unaccounted + returned), and the shelters open in it."""

    active: int
    link: str
    orders: list[EvacOrderOut]  # the newest few
    threatened: EvacCountOut
    moved: EvacCountOut
    sheltered: EvacCountOut
    safe_elsewhere: EvacCountOut
    unaccounted: EvacCountOut
    returned: EvacCountOut
    shelters_open: int  # open or full
    shelters_full: int
    shelter_people: int
    shelter_capacity: int
    shelters_link: str


class OverviewOut(BaseModel):
    code: str
    name: str
    level: str | None
    generated_at: str
    incidents: IncidentsOut | None = None
    reports: ReportsOut | None = None
    overdue: OverdueOut | None = None
    responses: ResponsesOut | None = None
    warnings: WarningsOut | None = None
    alarms: AlarmsOut | None = None
    teams: TeamsOut | None = None
    supplies: SuppliesOut | None = None
    duty: DutyOut | None = None
    trends: TrendsOut | None = None
    evacuation: EvacuationOut | None = None
