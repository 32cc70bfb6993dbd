"""Supplies for an incident: which stores hold what is asked for, ranked by travel time with the
reason; a request turned into issue or transfer documents in one step (idempotent, on the incident
timeline); and the allocation of several demand points from several stores (optimal beside greedy)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from yingji.auth.audit import actor_of
from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, in_scope, require, visible, writable
from yingji.core.errors import ValidationFailed
from yingji.core.i18n import N_, translate
from yingji.geo import travel
from yingji.incidents import timeline
from yingji.incidents.models import Incident
from yingji.org import places
from yingji.supplies import allocation, catalogue, documents
from yingji.supplies.documents import fingerprint, replay
from yingji.supplies.models import Balance, Document, Item, ResourceRequest, Warehouse
from yingji.supplies.schemas import AllocationIn, IssueIn, OutLine, ResourceRequestIn, TransferIn

MAX_OPTIONS = 30


@dataclass
class StoreOption:
    """A store that holds some of what is asked for, how far it is, and why it is offered."""

    warehouse: Warehouse
    minutes: float
    km: float
    by_road: bool
    holds: dict[str, int] = field(default_factory=dict)  # item code → units held of those asked

    def reason(self, items: dict[str, Item], wanted: dict[str, int]) -> tuple[str, dict]:
        """A message id and its parameters: distance, how it was estimated, what it holds."""
        held = "、".join(f"{items[c].name} {q}/{wanted[c]}{items[c].unit}" for c, q in self.holds.items())
        how = N_("by road") if self.by_road else N_("straight line × road factor")
        return N_("{minutes} min away ({km} km, {how}); holds {held}"), {
            "minutes": round(self.minutes),
            "km": round(self.km, 1),
            "how": how,
            "held": held,
        }


def incident_for(session: Session, principal: Principal, incident_id: int) -> Incident:
    """The incident, if the principal may see it (404 otherwise)."""
    return visible(principal, session.get(Incident, incident_id))


def recommend(
    session: Session,
    principal: Principal,
    incident: Incident,
    wanted: dict[str, int],
    limit: int = MAX_OPTIONS,
) -> tuple[list[StoreOption], dict[str, Item]]:
    """Stores in the principal's scope holding any of ``wanted`` (item code → units), nearest first."""
    items = catalogue.by_codes(session, list(wanted))
    if incident.lon is None or incident.lat is None:
        raise ValidationFailed("The incident has no location yet.")
    by_id = {i.id: i.code for i in items.values()}
    rows = session.execute(
        select(Balance.warehouse_id, Balance.item_id, func.sum(Balance.qty))
        .join(Warehouse, Warehouse.id == Balance.warehouse_id)
        .where(
            Balance.item_id.in_(list(by_id)),
            Balance.qty > 0,
            in_scope(Balance.jurisdiction_code, principal),
            Warehouse.active,
            Warehouse.lon.is_not(None),
        )
        .group_by(Balance.warehouse_id, Balance.item_id)
    ).all()
    holds: dict[int, dict[str, int]] = defaultdict(dict)
    for wid, item_id, qty in rows:
        holds[wid][by_id[item_id]] = int(qty)
    if not holds:
        return [], items
    stores = list(session.scalars(select(Warehouse).where(Warehouse.id.in_(list(holds)))))
    points = np.array([[w.lon, w.lat] for w in stores])
    model = travel.model_for(session, incident.jurisdiction_code)
    estimate = model.estimate(points, (incident.lon, incident.lat))
    km = travel.haversine_km(points[:, 0], points[:, 1], incident.lon, incident.lat)
    options = [
        StoreOption(w, float(estimate.minutes[n]), float(km[n]), bool(estimate.by_road[n]), holds[w.id])
        for n, w in enumerate(stores)
    ]
    options.sort(key=lambda o: (o.minutes, o.warehouse.id))
    return options[:limit], items


def nearest_first(options: list[StoreOption], wanted: dict[str, int]) -> tuple[list[dict], dict[str, int]]:
    """For one destination, taking from the nearest store first is optimal: the plan and what is unmet."""
    plan, left = [], dict(wanted)
    for option in options:
        for code, held in option.holds.items():
            take = min(held, left.get(code, 0))
            if take:
                plan.append(
                    {
                        "warehouse_id": option.warehouse.id,
                        "item_code": code,
                        "qty": take,
                        "minutes": option.minutes,
                    }
                )
                left[code] -= take
    return plan, {c: q for c, q in left.items() if q > 0}


def request(
    session: Session, principal: Principal, incident_id: int, data: ResourceRequestIn
) -> tuple[ResourceRequest, list[Document], bool]:
    """Turn a request into documents at once: issues to the scene, or transfers to a store near it."""
    require(principal, Perm.DISPATCH)
    incident = incident_for(session, principal, incident_id)
    fp = fingerprint(data, incident_id=incident_id)
    found = replay(session, ResourceRequest, data.client_key, fp)
    if found is not None:
        return found, _documents(session, found), True
    writable(principal, incident.jurisdiction_code, Perm.DISPATCH)
    wanted: dict[str, int] = defaultdict(int)
    for line in data.lines:
        wanted[line.item_code] += line.qty
    destination = None
    if data.mode == "transfer":
        destination = visible(principal, session.get(Warehouse, data.to_warehouse_id))
    options, items = recommend(session, principal, incident, dict(wanted))
    options = [o for o in options if destination is None or o.warehouse.id != destination.id]
    plan, unmet = nearest_first(options, dict(wanted))
    if not plan:
        raise ValidationFailed("None of the requested supplies is in stock within reach.")
    actor = actor_of(session)
    req = ResourceRequest(
        incident_id=incident.id,
        client_key=data.client_key,
        fingerprint=fp,
        mode=data.mode,
        to_warehouse_id=destination.id if destination else None,
        lines=[{"item_code": c, "qty": q} for c, q in wanted.items()],
        plan=plan,
        unmet=[{"item_code": c, "qty": q} for c, q in unmet.items()] or None,
        jurisdiction_code=incident.jurisdiction_code,
        created_by=actor.name,
    )
    try:
        with session.begin_nested():
            session.add(req)
            session.flush()
    except IntegrityError:
        found = replay(session, ResourceRequest, data.client_key, fp)
        return found, _documents(session, found), True
    by_store: dict[int, list[OutLine]] = defaultdict(list)
    for p in plan:
        by_store[p["warehouse_id"]].append(OutLine(item_code=p["item_code"], qty=p["qty"]))
    docs = []
    for wid, lines in sorted(by_store.items()):
        key = f"request-{req.id}-store-{wid}"
        if destination is None:
            doc_in = IssueIn(
                client_key=key,
                warehouse_id=wid,
                reason="rescue",
                counterparty=incident.title[:120],
                incident_id=incident.id,
                lines=lines,
                note=data.note,
            )
            docs.append(
                documents.issue(session, principal, doc_in, dispatch=True, request_id=req.id).document
            )
        else:
            doc_in = TransferIn(
                client_key=key,
                warehouse_id=wid,
                to_warehouse_id=destination.id,
                incident_id=incident.id,
                lines=lines,
                note=data.note,
            )
            docs.append(
                documents.transfer(session, principal, doc_in, dispatch=True, request_id=req.id).document
            )
    _timeline(session, incident, req, docs, items, unmet)
    return req, docs, False


def _timeline(session, incident, req, docs, items, unmet) -> None:
    stores = "、".join(d.warehouse.name for d in docs)
    asked = "、".join(
        f"{items[c].name}{q}{items[c].unit}" for c, q in ((x["item_code"], x["qty"]) for x in req.lines)
    )
    message = N_("Supplies requested: {asked}; {count} documents from {stores}")
    summary = translate(message, "zh_CN", asked=asked, count=len(docs), stores=stores)
    if unmet:
        short = "、".join(f"{items[c].name}{q}{items[c].unit}" for c, q in unmet.items())
        summary += translate(N_("; not in stock: {short}"), "zh_CN", short=short)
    timeline.record(
        session,
        incident,
        "supplies",
        summary,
        {"request_id": req.id, "documents": [d.id for d in docs], "mode": req.mode, "unmet": req.unmet},
    )


def _documents(session: Session, req: ResourceRequest) -> list[Document]:
    return list(session.scalars(select(Document).where(Document.request_id == req.id).order_by(Document.id)))


def requests_of(session: Session, incident: Incident) -> list[ResourceRequest]:
    return list(
        session.scalars(
            select(ResourceRequest)
            .where(ResourceRequest.incident_id == incident.id)
            .order_by(ResourceRequest.id)
        )
    )


def allocate(session: Session, principal: Principal, data: AllocationIn) -> dict:
    """Several demand points from the stores in scope: the optimal plan, the greedy one, the saving."""
    require(principal, Perm.DISPATCH)
    codes = sorted({c for d in data.demands for c in d.items})
    items = catalogue.by_codes(session, codes)
    stmt = (
        select(Balance.warehouse_id, Balance.item_id, func.sum(Balance.qty))
        .join(Warehouse, Warehouse.id == Balance.warehouse_id)
        .where(
            Balance.item_id.in_([items[c].id for c in codes]),
            Balance.qty > 0,
            in_scope(Balance.jurisdiction_code, principal),
            Warehouse.active,
            Warehouse.lon.is_not(None),
        )
        .group_by(Balance.warehouse_id, Balance.item_id)
    )
    if data.within:
        low, high = places.within(session, principal, data.within)
        stmt = stmt.where(Balance.jurisdiction_code >= low, Balance.jurisdiction_code < high)
    rows = session.execute(stmt).all()
    store_ids = sorted({r[0] for r in rows})
    stores = {w.id: w for w in session.scalars(select(Warehouse).where(Warehouse.id.in_(store_ids)))}
    col = {items[c].id: k for k, c in enumerate(codes)}
    row = {wid: n for n, wid in enumerate(store_ids)}
    supply = np.zeros((len(store_ids), len(codes)), dtype=np.int64)
    for wid, item_id, qty in rows:
        supply[row[wid], col[item_id]] = int(qty)
    demand = np.array([[d.items.get(c, 0) for c in codes] for d in data.demands], dtype=np.int64)
    if not store_ids:
        raise ValidationFailed("None of the requested supplies is in stock within reach.")
    points = np.array([[stores[w].lon, stores[w].lat] for w in store_ids])
    targets = np.array([[d.lon, d.lat] for d in data.demands])
    cost = travel.model_for(session, data.within or principal.jurisdiction_code).minutes_matrix(
        points, targets
    )
    best, quick = allocation.optimal(supply, demand, cost), allocation.greedy(supply, demand, cost)

    def out(plan: allocation.Plan) -> dict:
        return {
            "cost": round(plan.cost, 1),
            "seconds": round(plan.seconds, 4),
            "flows": [
                {
                    "warehouse_id": store_ids[s],
                    "warehouse": stores[store_ids[s]].name,
                    "demand": data.demands[d].name,
                    "item_code": codes[k],
                    "item": items[codes[k]].name,
                    "qty": q,
                    "minutes": round(float(cost[s, d]), 1),
                }
                for s, d, k, q in plan.flows()
            ],
        }

    unmet = [
        {"demand": data.demands[d].name, "item_code": codes[k], "qty": int(best.unmet[d, k])}
        for d, k in zip(*np.nonzero(best.unmet), strict=True)
    ]
    return {
        "optimal": out(best),
        "greedy": out(quick),
        "unmet": unmet,
        "stores": len(store_ids),
        "items": codes,
    } | allocation.saving(quick, best)
