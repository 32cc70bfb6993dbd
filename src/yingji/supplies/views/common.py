"""What the supplies pages share: the code → label tables of the templates, the form helpers."""

from __future__ import annotations

import uuid

from pydantic import ValidationError

from yingji.core.errors import YingjiError
from yingji.core.i18n import N_, gettext
from yingji.supplies import catalogue, maintenance, rules

LEVEL_LABELS = {
    "city": N_("City store"),
    "county": N_("County store"),
    "town": N_("Town store"),
    "village": N_("Village store"),
}
KIND_LABELS = {
    "receipt": N_("Receipt"),
    "issue": N_("Issue"),
    "transfer": N_("Transfer"),
    "count": N_("Stock count"),
}
STATUS_LABELS = {
    "done": N_("Done"),
    "in_transit": N_("In transit"),
    "partial": N_("Partly received"),
    "received": N_("Received at the store"),
}
MOVEMENT_LABELS = {
    "receipt": N_("Receipt"),
    "issue": N_("Issue"),
    "transfer_out": N_("Transfer out"),
    "transfer_in": N_("Transfer in"),
    "transfer_return": N_("Returned from transfer"),
    "count": N_("Stock count"),
}
REASON_LABELS = {
    "lost": N_("Lost"),
    "found": N_("Found"),
    "damaged": N_("Damaged"),
    "expired": N_("Expired"),
    "recount": N_("Recount"),
    "purchase": N_("Purchase"),
    "donation": N_("Donation"),
    "allocation": N_("Allocation from above"),
    "return": N_("Return"),
    "other": N_("Other"),
    "rescue": N_("Rescue"),
    "relief": N_("Relief"),
    "drill": N_("Drill"),
    "loan": N_("Loan"),
    "scrap": N_("Scrapped"),
}
ROAD_LABELS = {
    "good": N_("Good road access"),
    "limited": N_("Limited road access"),
    "poor": N_("Poor road access"),
}


def labels() -> dict:
    """The code → label tables every supplies template uses."""
    return {
        "level_labels": LEVEL_LABELS,
        "kind_labels": KIND_LABELS,
        "status_labels": STATUS_LABELS,
        "movement_labels": MOVEMENT_LABELS,
        "reason_labels": REASON_LABELS,
        "road_labels": ROAD_LABELS,
        "maintenance_labels": maintenance.KIND_LABELS,
        "maintenance_class": maintenance.class_label,
        "categories": rules.categories(),
        "item_label": rules.item_label,
        "min_area": rules.min_area,
    }


def reason_label(code: str | None) -> str:
    return gettext(REASON_LABELS[code]) if code in REASON_LABELS else (code or "")


def new_key() -> str:
    """A fresh client key for a form: a resend of the same form is the same request."""
    return f"web-{uuid.uuid4().hex}"


def errors_of(exc: Exception) -> dict[str, str]:
    """Field → message for the form (``_`` for the whole form)."""
    if isinstance(exc, ValidationError):
        out = {}
        for e in exc.errors():
            loc = [str(x) for x in e["loc"]]
            out[".".join(loc) if loc else "_"] = gettext("This value is not valid.")
        return out or {"_": gettext("This value is not valid.")}
    assert isinstance(exc, YingjiError)
    if exc.details:
        return {str(d.get("field", "_")): gettext(d["message"]) for d in exc.details} | {
            "_": gettext(exc.message, **exc.params)
        }
    return {"_": gettext(exc.message, **exc.params)}


def in_savepoint(session, fn, *args):
    with session.begin_nested():
        return fn(*args)


def item_choices(session) -> list[tuple[str, str]]:
    return [(i.code, f"{i.code} {rules.item_label(i.code, i.name)}") for i in catalogue.items(session)]
