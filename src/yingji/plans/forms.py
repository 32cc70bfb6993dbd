"""The response-part editor's forms read into the API's input models (blank fields are absent;
figure rows and resource lines become lists), and the message of a refused form."""

from __future__ import annotations

import re

from pydantic import ValidationError
from starlette.datastructures import FormData

from yingji.core.errors import YingjiError
from yingji.core.i18n import gettext
from yingji.plans.codes import ActionRole
from yingji.plans.schemas import ActionIn, ActionPatch, FromRulesIn, LevelIn

_NUMBER = re.compile(r"^\d+(\.\d+)?$")


def _text(form: FormData, name: str) -> str | None:
    value = str(form.get(name, "")).strip()
    return value or None


def level_in(form: FormData) -> LevelIn:
    """trigger_text, decided_by, grades (checkboxes), rule_kind + rule_grade, figure rows
    (fig_measure / fig_min, blank rows dropped)."""
    figures = [
        {"measure": m, "min": n}
        for m, n in zip(form.getlist("fig_measure"), form.getlist("fig_min"), strict=False)
        if str(m).strip() and str(n).strip()
    ]
    rule = None
    if _text(form, "rule_kind"):
        rule = {"kind": _text(form, "rule_kind"), "grade": _text(form, "rule_grade") or "IV"}
    return LevelIn.model_validate(
        {
            "trigger_text": _text(form, "trigger_text") or "",
            "decided_by": _text(form, "decided_by"),
            "conditions": {"grades": form.getlist("grades"), "rule": rule, "figures": figures},
        }
    )


def resources(text: str | None) -> list[dict]:
    """Lines such as ``冲锋舟 2 艘`` or ``发电机,1,台`` → [{"item", "quantity", "unit"}]."""
    out = []
    for line in (text or "").splitlines():
        parts = [p for p in re.split(r"[\s,，、]+", line.strip()) if p]
        if not parts:
            continue
        row: dict = {"item": parts[0]}
        if len(parts) > 1 and _NUMBER.match(parts[1]):
            row["quantity"] = float(parts[1])
            if len(parts) > 2:
                row["unit"] = parts[2]
        elif len(parts) > 1:
            row["item"] = " ".join(parts)
        out.append(row)
    return out


def resources_text(rows: list[dict]) -> str:
    """The inverse of ``resources`` for the edit form."""
    lines = []
    for r in rows or []:
        q = r.get("quantity")
        quantity = "" if q is None else (str(int(q)) if float(q).is_integer() else str(q))
        lines.append(" ".join(x for x in (r.get("item", ""), quantity, r.get("unit") or "") if x))
    return "\n".join(lines)


def _action_values(form: FormData) -> dict:
    values = {
        "role": _text(form, "role"),
        "unit_id": _text(form, "unit_id"),
        "kind": _text(form, "kind"),
        "title": _text(form, "title"),
        "detail": _text(form, "detail"),
        "due_minutes": _text(form, "due_minutes"),
        "priority": _text(form, "priority"),
        "resources": resources(_text(form, "resources")),
    }
    if values["role"] == ActionRole.HQ:
        values["unit_id"] = None
    return values


def action_in(form: FormData) -> ActionIn:
    return ActionIn.model_validate({k: v for k, v in _action_values(form).items() if v is not None})


def action_patch(form: FormData) -> ActionPatch:
    values = _action_values(form)
    keep_null = {"unit_id", "detail", "due_minutes"}  # clearing these is a change
    return ActionPatch.model_validate({k: v for k, v in values.items() if v is not None or k in keep_null})


def from_rules_in(form: FormData) -> FromRulesIn:
    return FromRulesIn.model_validate(
        {"kind": _text(form, "kind") or "", "replace": form.get("replace") in ("1", "on", "true")}
    )


def form_message(exc: ValidationError | YingjiError) -> str:
    if isinstance(exc, ValidationError):
        fields = sorted({str(e["loc"][0]) for e in exc.errors() if e["loc"]})
        return gettext("Please check: {fields}", fields=", ".join(fields) or "—")
    text = gettext(exc.message, **exc.params)
    if exc.details:
        text += " " + "; ".join(gettext(d["message"]) for d in exc.details)
    return text
