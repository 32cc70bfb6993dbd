"""Rows of the handbook's tables as the API (and the pages) show them."""

from __future__ import annotations

from yingji.handbook.codes import EditionState
from yingji.handbook.model import Handbook
from yingji.handbook.models import Distribution, Edition, Print


def preview(book: Handbook, large: bool) -> dict:
    return {
        "code": book.code,
        "place_name": book.place_name,
        "title": book.title,
        "data_at": book.data_at,
        "masked": book.masked,
        "summary": book.summary,
        "parts": [
            {
                "title": p.title,
                "chapters": [b.text for b in p.blocks if b.kind == "h2"],
                "tables": sum(1 for b in p.blocks if b.kind == "table"),
                "rows": sum(len(b.table.rows) for b in p.blocks if b.kind == "table"),
            }
            for p in book.parts
        ],
        "large": large,
    }


def edition(e: Edition) -> dict:
    return {
        "id": e.id,
        "code": e.jurisdiction_code,
        "format": e.format,
        "state": e.state,
        "masked": e.masked,
        "title": e.title,
        "data_at": e.data_at,
        "sha256": e.sha256,
        "size_bytes": e.size_bytes,
        "pages": e.pages,
        "summary": e.summary,
        "message": e.message,
        "created_by": e.created_by,
        "created_at": e.created_at,
        "finished_at": e.finished_at,
        "download_url": f"/api/v1/handbook/editions/{e.id}/download"
        if e.state == EditionState.DONE
        else None,
    }


def print_run(p: Print) -> dict:
    return {
        "id": p.id,
        "edition_id": p.edition_id,
        "edition_sha256": p.edition.sha256,
        "edition_data_at": p.edition.data_at,
        "edition_format": p.edition.format,
        "code": p.jurisdiction_code,
        "copies": p.copies,
        "distributed": p.distributed,
        "left": p.copies - p.distributed,
        "printed_on": p.printed_on,
        "note": p.note,
        "created_by": p.created_by,
    }


def distribution(d: Distribution) -> dict:
    return {
        "id": d.id,
        "print_id": d.print_id,
        "recipient_kind": d.recipient_kind,
        "unit_id": d.unit_id,
        "person_id": d.person_id,
        "recipient_name": d.recipient_name,
        "copies": d.copies,
        "distributed_on": d.distributed_on,
        "note": d.note,
    }
