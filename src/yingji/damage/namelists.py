"""The named lists of a process: 因灾死亡失踪人口一览表 (``disaster_casualties``) and 因灾倒塌损坏住房户
一览表 (``damaged_houses``; rebuilding cases start from its rows). Entered by the place's reporters
(``damage.report``), inside the process's area; seen by whoever sees the place."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, mask_phone, writable
from yingji.core.errors import Conflict, NotFound, ValidationFailed
from yingji.core.i18n import N_
from yingji.damage import labels
from yingji.damage.models import DamagedHouse, DisasterCasualty, DisasterEvent
from yingji.damage.schemas import CasualtyIn, HouseIn
from yingji.org import codes as division_codes


def _inside(event: DisasterEvent, code: str) -> None:
    if not code.startswith(event.jurisdiction_code) or len(code) < 12:
        raise ValidationFailed.on(
            "jurisdiction_code", N_("Give the village (or group) inside the disaster process.")
        )


def _scoped(stmt, model, principal: Principal, event: DisasterEvent):
    if principal.covers(event.jurisdiction_code):
        return stmt
    low, high = division_codes.subtree_bounds(principal.jurisdiction_code)
    return stmt.where(model.jurisdiction_code >= low, model.jurisdiction_code < high)


def add_casualty(
    session: Session, principal: Principal, event: DisasterEvent, data: CasualtyIn
) -> DisasterCasualty:
    _inside(event, data.jurisdiction_code)
    writable(principal, data.jurisdiction_code, Perm.DAMAGE_REPORT)
    row = DisasterCasualty(event_id=event.id, **data.model_dump())
    session.add(row)
    session.flush()
    return row


def casualties(session: Session, principal: Principal, event: DisasterEvent) -> list[DisasterCasualty]:
    stmt = select(DisasterCasualty).where(DisasterCasualty.event_id == event.id)
    stmt = _scoped(stmt, DisasterCasualty, principal, event)
    return list(session.scalars(stmt.order_by(DisasterCasualty.jurisdiction_code, DisasterCasualty.id)))


def add_house(session: Session, principal: Principal, event: DisasterEvent, data: HouseIn) -> DamagedHouse:
    _inside(event, data.jurisdiction_code)
    writable(principal, data.jurisdiction_code, Perm.DAMAGE_REPORT)
    row = DamagedHouse(event_id=event.id, **data.model_dump())
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        raise Conflict("This household is already on the list.") from None
    return row


def houses(session: Session, principal: Principal, event: DisasterEvent) -> list[DamagedHouse]:
    stmt = select(DamagedHouse).where(DamagedHouse.event_id == event.id)
    stmt = _scoped(stmt, DamagedHouse, principal, event)
    return list(session.scalars(stmt.order_by(DamagedHouse.jurisdiction_code, DamagedHouse.household)))


def remove(session: Session, principal: Principal, event: DisasterEvent, model, row_id: int) -> None:
    row = session.get(model, row_id)
    if row is None or row.event_id != event.id:
        raise NotFound()
    writable(principal, row.jurisdiction_code, Perm.DAMAGE_REPORT)
    session.delete(row)
    session.flush()


def casualty_out(c: DisasterCasualty) -> dict:
    return {
        k: getattr(c, k)
        for k in (
            "id",
            "kind",
            "name",
            "gender",
            "age",
            "id_tail",
            "jurisdiction_code",
            "address",
            "on",
            "cause",
            "found",
        )
    }


def house_out(h: DamagedHouse, principal: Principal) -> dict:
    out = {
        k: getattr(h, k)
        for k in (
            "id",
            "jurisdiction_code",
            "household",
            "head_name",
            "id_tail",
            "degree",
            "rooms",
            "structure",
        )
    }
    return out | {
        "mobile": mask_phone(h.mobile, principal),
        "degree_label": labels.label(labels.DEGREE, h.degree),
    }
