"""Reading the compose form into :class:`WarningIn`, and error lines for the pages."""

from __future__ import annotations

import json
from datetime import datetime

from fastapi import Request
from pydantic import ValidationError

from yingji.core import clock
from yingji.core.errors import ValidationFailed, YingjiError
from yingji.core.i18n import gettext
from yingji.warnings.schemas import WarningIn

TEXT_FIELDS = (
    "template_key",
    "level",
    "jurisdiction_code",
    "event",
    "category",
    "urgency",
    "certainty",
    "sector",
    "sender_name",
    "headline",
    "description",
    "instruction",
    "contact",
    "web",
    "cap_status",
    "note",
    "headline_en",
    "description_en",
    "instruction_en",
)
LIST_FIELDS = ("categories", "response_types", "channels")
TIME_FIELDS = ("effective", "onset", "expires")


def _bad(field: str) -> ValidationFailed:
    return ValidationFailed(details=[{"field": field, "message": "This value is not valid."}])


def local_time(value: str, field: str) -> datetime | None:
    """A datetime-local value (Beijing time) or an ISO time with an offset."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise _bad(field) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=clock.LOCAL_TZ)


def _json_list(value: str, field: str) -> list:
    if not value.strip():
        return []
    try:
        parsed = json.loads(value)
    except ValueError:
        raise _bad(field) from None
    if not isinstance(parsed, list):
        raise _bad(field)
    return parsed


async def read(request: Request) -> dict:
    """The posted compose form as the dict that :class:`WarningIn` takes."""
    form = await request.form()
    data: dict = {}
    for name in TEXT_FIELDS:
        value = form.get(name)
        if isinstance(value, str) and value.strip():
            data[name] = value.strip() if name not in ("description", "instruction") else value.strip("\n ")
    for name in LIST_FIELDS:
        data[name] = [v for v in form.getlist(name) if isinstance(v, str) and v]
    for name in TIME_FIELDS:
        data[name] = local_time(str(form.get(name) or "").strip(), name)
    data["area"] = {
        "area_desc": str(form.get("area_desc") or "").strip(),
        "polygons": _json_list(str(form.get("area_polygons") or ""), "area"),
        "circles": _json_list(str(form.get("area_circles") or ""), "area"),
        "division_codes": [v for v in form.getlist("division_codes") if isinstance(v, str) and v],
    }
    revision = str(form.get("revision") or "").strip()
    data["revision"] = int(revision) if revision.isdigit() else None
    return data


def parse(data: dict) -> WarningIn:
    try:
        return WarningIn.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed(
            details=[
                {"field": ".".join(str(p) for p in e["loc"]), "message": "This value is not valid."}
                for e in exc.errors()
            ]
        ) from None


def error_lines(exc: YingjiError, *, with_fields: bool = True) -> list[str]:
    """The error and its details, translated, one line each (``with_fields``: prefixed by the field
    or CAP element, for forms whose field names the user sees)."""
    lines = [gettext(exc.message, **exc.params)]
    for d in exc.details:
        text = gettext(d.get("message", ""), **(d.get("params") or {}))
        where = (d.get("field") or d.get("element") or "") if with_fields else ""
        lines.append(f"{where}: {text}" if where else text)
    return lines
