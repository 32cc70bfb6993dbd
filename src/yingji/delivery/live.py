"""What the live warning page shows: cells coloured by acknowledgement, coverage per town and
village, delivery by channel and state, the door-to-door tasks — all filtered to the viewer's scope."""

from __future__ import annotations

import json

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from yingji.auth.scope import Principal, in_scope
from yingji.core.errors import NotFound
from yingji.delivery.models import Delivery, Dispatch, DispatchCell, DoorTask, EscalationStep
from yingji.org.models import Jurisdiction

MAX_CELLS_ON_MAP = 4000


def dispatch_for_warning(session: Session, principal: Principal, warning_id: int) -> Dispatch:
    """The latest dispatch of a warning (its own issue, else the chain it starts), if visible."""
    dispatch = session.scalar(
        select(Dispatch).where(Dispatch.warning_id == warning_id).order_by(Dispatch.id.desc()).limit(1)
    ) or session.scalar(
        select(Dispatch).where(Dispatch.root_warning_id == warning_id).order_by(Dispatch.id.desc()).limit(1)
    )
    return visible_dispatch(session, principal, dispatch)


def visible_dispatch(session: Session, principal: Principal, dispatch: Dispatch | None) -> Dispatch:
    """Visible to those whose area holds the issuing jurisdiction or any of the cells (404 else)."""
    if dispatch is None:
        raise NotFound()
    if principal.covers(dispatch.jurisdiction_code):
        return dispatch
    mine = session.scalar(
        select(DispatchCell.id)
        .where(DispatchCell.dispatch_id == dispatch.id, in_scope(DispatchCell.cell_code, principal))
        .limit(1)
    )
    if mine is None:
        raise NotFound()
    return dispatch


def get_dispatch(session: Session, principal: Principal, dispatch_id: int) -> Dispatch:
    return visible_dispatch(session, principal, session.get(Dispatch, dispatch_id))


def coverage(session: Session, principal: Principal, dispatch: Dispatch, length: int) -> list[dict]:
    """Cells and acknowledged cells per town (length 9) or village (12), in the viewer's scope."""
    place = func.substr(DispatchCell.cell_code, 1, length)
    rows = session.execute(
        select(
            place.label("code"),
            func.count().label("cells"),
            func.count(DispatchCell.acknowledged_at).label("acked"),
            func.sum(case((DispatchCell.escalated > 0, 1), else_=0)).label("escalated"),
        )
        .where(DispatchCell.dispatch_id == dispatch.id, in_scope(DispatchCell.cell_code, principal))
        .group_by(place)
        .order_by(place)
    ).all()
    names = dict(
        session.execute(
            select(Jurisdiction.code, Jurisdiction.name).where(Jurisdiction.code.in_([r.code for r in rows]))
        ).all()
    )
    return [
        {
            "code": r.code,
            "name": names.get(r.code, r.code),
            "cells": r.cells,
            "acked": r.acked,
            "silent": r.cells - r.acked,
            "escalated": int(r.escalated or 0),
            "share": round(100 * r.acked / r.cells) if r.cells else 0,
        }
        for r in rows
    ]


def by_channel(session: Session, principal: Principal, dispatch: Dispatch) -> dict[str, dict[str, int]]:
    """{channel: {state: count}} of the dispatch's deliveries in the viewer's scope."""
    stmt = (
        select(Delivery.channel, Delivery.state, func.count())
        .where(Delivery.dispatch_id == dispatch.id)
        .group_by(Delivery.channel, Delivery.state)
    )
    if principal.jurisdiction_code and not principal.covers(dispatch.jurisdiction_code):
        stmt = stmt.where(in_scope(Delivery.cell_code, principal))
    out: dict[str, dict[str, int]] = {}
    for channel, state, n in session.execute(stmt):
        out.setdefault(channel, {})[state] = n
    return out


def totals(coverage_rows: list[dict]) -> dict[str, int]:
    cells = sum(r["cells"] for r in coverage_rows)
    acked = sum(r["acked"] for r in coverage_rows)
    return {
        "cells": cells,
        "acked": acked,
        "silent": cells - acked,
        "share": round(100 * acked / cells) if cells else 0,
    }


def tasks(session: Session, principal: Principal, dispatch: Dispatch, limit: int = 500) -> list[DoorTask]:
    return list(
        session.scalars(
            select(DoorTask)
            .where(DoorTask.dispatch_id == dispatch.id, in_scope(DoorTask.jurisdiction_code, principal))
            .order_by(DoorTask.state.desc(), DoorTask.jurisdiction_code)
            .limit(limit)
        )
    )


def steps(session: Session, dispatch: Dispatch) -> list[EscalationStep]:
    return list(
        session.scalars(
            select(EscalationStep)
            .where(EscalationStep.dispatch_id == dispatch.id)
            .order_by(EscalationStep.seq)
        )
    )


def cells_geojson(session: Session, principal: Principal, dispatch: Dispatch) -> str:
    """Cells (or, past ``MAX_CELLS_ON_MAP``, villages) with ``acked``/``cells`` for colouring;
    geometry text spliced in as stored."""
    scoped = (DispatchCell.dispatch_id == dispatch.id, in_scope(DispatchCell.cell_code, principal))
    n = session.scalar(select(func.count()).where(*scoped)) or 0
    length = 15 if n <= MAX_CELLS_ON_MAP else 12
    place = func.substr(DispatchCell.cell_code, 1, length)
    counts = (
        select(
            place.label("code"),
            func.count().label("cells"),
            func.count(DispatchCell.acknowledged_at).label("acked"),
        )
        .where(*scoped)
        .group_by(place)
        .subquery()
    )
    rows = session.execute(
        select(counts.c.code, counts.c.cells, counts.c.acked, Jurisdiction.name, Jurisdiction.geometry)
        .join(Jurisdiction, Jurisdiction.code == counts.c.code)
        .where(Jurisdiction.geometry.is_not(None))
        .limit(MAX_CELLS_ON_MAP)
    ).all()
    parts = []
    for r in rows:
        props = json.dumps(
            {"code": r.code, "name": r.name, "cells": r.cells, "acked": r.acked}, ensure_ascii=False
        )
        parts.append(f'{{"type":"Feature","geometry":{r.geometry},"properties":{props}}}')
    return '{"type":"FeatureCollection","features":[' + ",".join(parts) + "]}"
