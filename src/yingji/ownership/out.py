"""Ownership rows as answers (dicts for the Out models) and as what pages show."""

from __future__ import annotations

from typing import Any

from yingji.ownership.models import Owned, OwnerHandover


def owner(r: Owned | None) -> dict[str, Any] | None:
    if r is None:
        return None
    return {
        "id": r.id,
        "kind": r.kind,
        "item_id": r.item_id,
        "holder_code": r.holder_code,
        "first_user_id": r.first_user_id,
        "first_name": r.first_name,
        "first_at": r.first_at,
        "first_how": r.first_how,
        "owner_user_id": r.owner_user_id,
        "owner_name": r.owner_name,
        "owner_since": r.owner_since,
        "handovers": r.handovers or 0,
    }


def handover(h: OwnerHandover) -> dict[str, Any]:
    return {
        "id": h.id,
        "owned_id": h.owned_id,
        "kind": h.kind,
        "item_id": h.item_id,
        "from_user_id": h.from_user_id,
        "from_name": h.from_name,
        "to_user_id": h.to_user_id,
        "to_name": h.to_name,
        "at": h.at,
        "note": h.note,
        "by_name": h.by_name,
        "as_manager": h.as_manager,
        "shift_handover_id": h.shift_handover_id,
        "accepted_at": h.accepted_at,
    }
