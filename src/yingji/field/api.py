"""The grid worker's app API (/api/v1/field…): door-to-door ticks (idempotent by the phone's client
key: 201 the first time, 200 with ``created`` false for a replay) and a task's households."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from yingji.auth.deps import CurrentPrincipal
from yingji.core.deps import DbSession
from yingji.delivery import field as delivery_field
from yingji.field import visits
from yingji.field.schemas import TaskVisitsOut, VisitIn, VisitOut

router = APIRouter(prefix="/api/v1/field", tags=["field"])


def _out(v, created: bool) -> dict:
    return {
        "id": v.id,
        "task_id": v.task_id,
        "household": v.household,
        "reached": v.reached,
        "visited_at": v.visited_at,
        "visitor_name": v.visitor_name,
        "client_key": v.client_key,
        "created": created,
    }


@router.post("/visits", response_model=VisitOut, status_code=201, responses={200: {"model": VisitOut}})
def tick(data: VisitIn, principal: CurrentPrincipal, session: DbSession):
    visit, created = visits.record(session, principal, data)
    if created:
        return _out(visit, True)
    return JSONResponse(VisitOut(**_out(visit, False)).model_dump(mode="json"), status_code=200)


@router.get("/tasks/{task_id}/households", response_model=TaskVisitsOut)
def households(task_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    task = delivery_field.get_task(session, principal, task_id)
    rows = visits.households(session, task)
    return {
        "task_id": task.id,
        "households_total": task.households_total,
        "reached": sum(1 for h in rows if h.reached),
        "households": [
            {
                "household": h.household,
                "vulnerable": h.vulnerable,
                "reached": h.reached,
                "people": [p.name for p in h.people],
            }
            for h in rows
        ],
    }
