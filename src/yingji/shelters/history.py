"""A shelter's history: its opening and closing log (运行情况日志) and routine inspections (日常管理)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, writable
from yingji.core import clock
from yingji.shelters import labels, registry, status
from yingji.shelters.codes import ShelterEventKind
from yingji.shelters.models import ShelterEvent, ShelterInspection
from yingji.shelters.schemas import InspectionIn


def events(session: Session, shelter_id: int, limit: int = 100) -> list[dict]:
    rows = session.scalars(
        select(ShelterEvent)
        .where(ShelterEvent.shelter_id == shelter_id)
        .order_by(ShelterEvent.at.desc(), ShelterEvent.id.desc())
        .limit(limit)
    )
    return [
        {
            "id": e.id,
            "kind": e.kind,
            "kind_label": labels.label(labels.EVENT_LABELS, e.kind),
            "at": e.at,
            "occupancy": e.occupancy,
            "order_id": e.order_id,
            "note": e.note,
        }
        for e in rows
    ]


def inspections(session: Session, shelter_id: int, limit: int = 50) -> list[dict]:
    rows = session.scalars(
        select(ShelterInspection)
        .where(ShelterInspection.shelter_id == shelter_id)
        .order_by(ShelterInspection.on.desc(), ShelterInspection.id.desc())
        .limit(limit)
    )
    return [
        {
            "id": i.id,
            "on": i.on,
            "by_name": i.by_name,
            "passed": i.passed,
            "findings": i.findings or {},
            "note": i.note,
        }
        for i in rows
    ]


def inspect(session: Session, principal: Principal, shelter_id: int, data: InspectionIn) -> ShelterInspection:
    """Record a routine check; the shelter's last inspection date follows, the log says so."""
    shelter = registry.get(session, principal, shelter_id, lock=True)
    writable(principal, shelter.jurisdiction_code, Perm.SHELTERS_MANAGE)
    row = ShelterInspection(
        shelter_id=shelter.id,
        user_id=principal.user_id,
        jurisdiction_code=shelter.jurisdiction_code,
        **data.model_dump(mode="json") | {"on": data.on},
    )
    session.add(row)
    shelter.last_inspected_at = clock.now()
    status.log(session, shelter, ShelterEventKind.INSPECTED, principal, note=data.note)
    session.flush()
    return row
