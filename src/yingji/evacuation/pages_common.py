"""What the evacuation pages share: the labels of the code tables (Chinese through the catalog),
rendering with them, form errors, and the few reads the pages make of their own (lists in scope,
the tasks of an order and of a grid worker, a task's households, shelters to pick)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import Request
from pydantic import ValidationError

from yingji.core import clock
from yingji.core.errors import YingjiError
from yingji.core.i18n import N_, gettext
from yingji.evacuation.codes import HouseholdState, MarkOutcome
from yingji.evacuation.labels import HOUSEHOLD_STATE, ORDER_STATE, SOURCE, TASK_STATE
from yingji.web.templating import render

OUTCOME = {
    MarkOutcome.APPLIED: N_("Recorded"),
    MarkOutcome.REPEAT: N_("Already received"),
    MarkOutcome.SAME: N_("Already in this state: not counted twice"),
    MarkOutcome.STALE: N_("A newer mark is in force: kept in the log only"),
    MarkOutcome.REFUSED: N_("Not accepted"),
}
BUCKETS = (
    ("threatened", N_("Threatened")),
    ("moved", N_("Moved")),
    ("sheltered", N_("In shelters")),
    ("safe_elsewhere", N_("Safe elsewhere")),
    ("unaccounted", N_("Unaccounted")),
    ("returned", N_("Returned home")),
)
# The phone's buttons, in the order a worker meets them at the door.
FIELD_BUTTONS = (
    HouseholdState.MOVED,
    HouseholdState.SELF_MOVED,
    HouseholdState.AT_RELATIVES,
    HouseholdState.SHELTERED,
    HouseholdState.REFUSED,
    HouseholdState.NOT_HOME,
)
STATE_CLASS = {s: f"hs-{s.value}" for s in HouseholdState}


def label(table: dict, value: Any) -> str:
    """The translated label of a code (the code itself if the table lacks it)."""
    text = table.get(value)
    return gettext(text) if text else str(value)


class Labels:
    """Label helpers for the templates (``el.order_state(x)`` …)."""

    def order_state(self, value) -> str:
        return label(ORDER_STATE, value)

    def household_state(self, value) -> str:
        return label(HOUSEHOLD_STATE, value)

    def source(self, value) -> str:
        return label(SOURCE, value)

    def task_state(self, value) -> str:
        return label(TASK_STATE, value)

    def outcome(self, value) -> str:
        return label(OUTCOME, value)

    def state_class(self, value) -> str:
        return STATE_CLASS.get(value, "")

    buckets = BUCKETS
    field_buttons = FIELD_BUTTONS


EL = Labels()


def page(request: Request, name: str, ctx: dict[str, Any] | None = None, status_code: int = 200):
    """Render an evacuation template with the labels (``el``) at hand."""
    base = {"el": EL, "now_utc": clock.now(), "new_key": lambda: uuid.uuid4().hex}
    return render(request, name, base | (ctx or {}), status_code=status_code)


def form_errors(exc: Exception) -> dict[str, str]:
    """Field → message of a refused form; 403 and 404 are not form errors and go up."""
    if isinstance(exc, YingjiError) and exc.status_code in (403, 404):
        raise exc
    if isinstance(exc, ValidationError):
        return {
            str(e["loc"][0]) if e["loc"] else "_": gettext("This value is not valid.") for e in exc.errors()
        }
    if isinstance(exc, YingjiError) and exc.details:
        return {d.get("field", "_"): gettext(d["message"], **(d.get("params") or {})) for d in exc.details}
    if isinstance(exc, YingjiError):
        return {"_": gettext(exc.message, **exc.params)}
    raise exc
