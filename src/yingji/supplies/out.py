"""Shapes the supplies API answers with, and the gap report workbook."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.scope import Principal, mask_phone
from yingji.core.i18n import current_locale
from yingji.org.models import Jurisdiction
from yingji.org.sheets import Column, write
from yingji.supplies import gaps, rules
from yingji.supplies.models import Document, Item, Warehouse


def warehouse_out(w: Warehouse, principal: Principal) -> dict:
    return {
        "id": w.id,
        "code": w.code,
        "name": w.name,
        "level": w.level,
        "jurisdiction_code": w.jurisdiction_code,
        "jurisdiction_name": w.jurisdiction.name if w.jurisdiction else "",
        "area_m2": w.area_m2,
        "area_ok": rules.area_ok(w.level, w.area_m2),
        "min_area_m2": rules.min_area(w.level),
        "lon": w.lon,
        "lat": w.lat,
        "address": w.address,
        "road_access": w.road_access,
        "road_note": w.road_note,
        "active": w.active,
        "keepers": [
            {
                "id": k.id,
                "person_id": k.person_id,
                "name": k.person.name,
                "role": k.role,
                "mobile": mask_phone(k.person.mobile, principal),
            }
            for k in w.keepers
        ],
    }


def document_out(d: Document) -> dict:
    return {
        "id": d.id,
        "kind": d.kind,
        "status": d.status,
        "warehouse_id": d.warehouse_id,
        "warehouse": d.warehouse.name,
        "to_warehouse_id": d.to_warehouse_id,
        "to_warehouse": d.to_warehouse.name if d.to_warehouse else None,
        "reason": d.reason,
        "counterparty": d.counterparty,
        "incident_id": d.incident_id,
        "request_id": d.request_id,
        "client_key": d.client_key,
        "note": d.note,
        "created_by": d.created_by,
        "created_at": d.created_at.isoformat(),
        "completed_at": d.completed_at.isoformat() if d.completed_at else None,
        "lines": [
            {
                "line_no": line.line_no,
                "item_code": line.item.code,
                "item": line.item.name,
                "unit": line.item.unit,
                "batch_id": line.batch_id,
                "batch_no": line.batch.batch_no if line.batch else None,
                "qty": line.qty,
                "delta": line.delta,
                "counted": line.counted,
                "reason": line.reason,
                "received": line.received_qty,
                "returned": line.returned_qty,
                "in_transit": line.in_transit if d.kind == "transfer" else 0,
            }
            for line in d.lines
        ],
    }


GAP_COLUMNS = [
    Column("town", "乡镇(街道)", "Town", width=20),
    Column("store", "储备库(室)", "Store", width=28),
    Column("level", "层级", "Level", width=8),
    Column("item_code", "物资编码", "Item code", width=10),
    Column("item", "物资名称", "Item", width=22),
    Column("unit", "单位", "Unit", width=6),
    Column("required", "储备标准", "Required", width=10),
    Column("held", "现有库存", "Held", width=10),
    Column("missing", "缺口", "Missing", width=10),
]


def gap_workbook(session: Session, principal: Principal, within: str | None) -> bytes:
    """The gap report as .xlsx: one row per missing item per store."""
    store_gaps = gaps.store_gaps(session, principal, within=within)
    items = {i.code: i for i in session.scalars(select(Item))}
    towns = {
        code: name
        for code, name in session.execute(
            select(Jurisdiction.code, Jurisdiction.name).where(
                Jurisdiction.code.in_({g.warehouse.jurisdiction_code[:9] for g in store_gaps})
            )
        )
    }
    rows = gaps.export_rows(store_gaps, items, towns)
    return write("gaps", GAP_COLUMNS, rows, current_locale())
