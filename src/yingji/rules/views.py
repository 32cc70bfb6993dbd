"""Rules pages: the rule tables with their sources, the event categories, and the overrides in scope."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.roles import Perm
from yingji.core.clock import LOCAL_TZ
from yingji.core.deps import DbSession
from yingji.core.errors import NotFound, ValidationFailed
from yingji.core.i18n import N_, current_locale, gettext
from yingji.org import codes, places
from yingji.rules import grading, overrides, tables
from yingji.rules.grading import MEASURE_LABELS
from yingji.rules.schemas import OverrideIn
from yingji.web import nav
from yingji.web.nav import NavItem
from yingji.web.templating import render

router = APIRouter(include_in_schema=False)
nav.register(N_("Rules"), NavItem("rules", N_("Rule tables"), "/rules"))

LEVEL_LABELS = {
    "town": N_("Town"),
    "county": N_("County level"),
    "city": N_("City level"),
    "province": N_("Province level"),
    "national": N_("National level"),
}
CHANNEL_LABELS = {
    "report": N_("in any form"),
    "phone": N_("by phone"),
    "written": N_("in writing"),
    "oral": N_("orally"),
    "copy": N_("copied for information"),
}
CONFIDENCE_LABELS = {
    "text": N_("law text"),
    "secondary": N_("secondary source"),
    "unconfirmed": N_("unconfirmed"),
    "local": N_("local rule"),
}
LOCAL_RULE = CONFIDENCE_LABELS["local"]
TABLE_TITLES = {
    "grading_production_safety": N_("Grading of production-safety accidents"),
    "grading_geological": N_("Grading of geological disasters"),
    "relief_response": N_("Natural-disaster relief response levels"),
    "reporting_obligations": N_("Reporting obligations and deadlines"),
    "drill_frequency": N_("Minimum drill frequencies"),
    "disaster_reporting": N_("Time limits of damage reports"),
}


def _place(value: str | None, principal) -> str:
    if not value:
        return principal.jurisdiction_code
    try:
        code = codes.normalise(value)
    except ValueError:
        raise NotFound() from None
    overrides.check_related(principal, code)
    return code


def _limit(minutes: int) -> str:
    if minutes == 0:
        return gettext("immediately on receipt")
    if minutes % 60 == 0:
        return gettext("within {hours} h", hours=minutes // 60)
    return gettext("within {minutes} min", minutes=minutes)


def _step_rows(table: dict, steps: dict) -> list[dict]:
    """Reporting steps of one group (common steps first), ready to show."""
    every = {**table.get("common_steps", {}), **steps}
    rows = []
    for step in every.values():
        if step.get("disabled"):
            continue
        after = every.get(step.get("after", "received"))
        rows.append(
            {
                "to": gettext(LEVEL_LABELS.get(step["to"], step["to"])),
                "channel": gettext(CHANNEL_LABELS.get(step.get("channel", ""), CHANNEL_LABELS["report"])),
                "limit": _limit(step.get("minutes", 0)),
                "after": gettext(LEVEL_LABELS.get(after["to"], after["to"])) if after else "",
                "grades": ", ".join(step.get("grades") or []),
                "when": [(MEASURE_LABELS[m][0], v) for m, v in (step.get("when") or {}).items()],
                "zh": step.get("zh", ""),
                "cite": " ".join(x for x in (step.get("law", ""), step.get("article", "")) if x),
                "confidence": gettext(CONFIDENCE_LABELS.get(step.get("confidence", ""), LOCAL_RULE)),
            }
        )
    return rows


@router.get("/rules")
def rules_page(request: Request, principal: CurrentPrincipal, session: DbSession):
    """Rule tables, event categories and the overrides set in the user's scope."""
    listed = [
        {"name": n, "title": TABLE_TITLES[n], **{k: tables.base(n)[k] for k in ("version", "source")}}
        for n in tables.TABLE_NAMES
    ]
    found = overrides.search(session, principal)
    ctx = {
        "tables": listed,
        "categories": grading.categories(),
        "overrides": found,
        "place_names": places.names(session, [o.jurisdiction_code for o in found]),
        "titles": TABLE_TITLES,
        "can_manage": principal.can(Perm.RULES_MANAGE),
        "english": current_locale() == "en",
        "table_names": tables.TABLE_NAMES,
        "form": {},
    }
    return render(request, "rules/index.html", ctx)


@router.get("/rules/tables/{name}")
def table_page(
    name: str, request: Request, principal: CurrentPrincipal, session: DbSession, jurisdiction: str = ""
):
    """One rule table as it applies in a place (default: the user's own)."""
    if name not in tables.TABLE_NAMES:
        raise NotFound()
    code = _place(jurisdiction, principal)
    effective = overrides.tables_for(session, code)[name] if code else tables.effective(name, [])
    ctx = {
        "name": name,
        "title": TABLE_TITLES[name],
        "table": effective,
        "code": code,
        "measure_labels": MEASURE_LABELS,
        "grades": tables.GRADES,
        "confidence": {k: gettext(v) for k, v in CONFIDENCE_LABELS.items()},
        "steps": {
            g: _step_rows(effective, spec["steps"]) for g, spec in effective.get("obligations", {}).items()
        },
    }
    return render(request, "rules/table.html", ctx)


@router.post("/rules/overrides")
def add_override(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    jurisdiction_code: Annotated[str, Form()],
    table_name: Annotated[str, Form()],
    version: Annotated[str, Form()],
    source: Annotated[str, Form()],
    data: Annotated[str, Form()],
    valid_from: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
):
    """Add an override from the page form (the data is a JSON object)."""
    try:
        parsed = json.loads(data)
    except ValueError:
        raise ValidationFailed(
            details=[{"field": "data", "message": "Give the override as a JSON object."}]
        ) from None
    try:
        when = datetime.fromisoformat(valid_from) if valid_from else None
        body = OverrideIn(
            jurisdiction_code=jurisdiction_code,
            table_name=table_name,
            version=version,
            valid_from=when.replace(tzinfo=LOCAL_TZ) if when and when.tzinfo is None else when,
            data=parsed,
            source=source,
            note=note or None,
        )
    except (ValueError, ValidationError) as exc:
        details = [{"field": "form", "message": "This value is not valid.", "reason": str(exc)[:300]}]
        raise ValidationFailed(details=details) from None
    overrides.create(session, principal, body)
    return RedirectResponse("/rules#overrides", status_code=303)


@router.post("/rules/overrides/{override_id}/delete")
def remove_override(override_id: int, principal: CurrentPrincipal, session: DbSession):
    """Remove an override from the page."""
    overrides.delete(session, principal, override_id)
    return RedirectResponse("/rules#overrides", status_code=303)
