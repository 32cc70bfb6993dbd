"""Reading the intake and report forms (desktop and phone) into the API's input shapes."""

from __future__ import annotations

from datetime import datetime

from fastapi import Request
from pydantic import ValidationError

from yingji.core import clock
from yingji.core.errors import ValidationFailed
from yingji.incidents.models import MEASURES
from yingji.incidents.schemas import IncidentIn, ReportIn
from yingji.web import forms

INCIDENT_FIELDS = (
    "category",
    "title",
    "occurred_at",
    "lon",
    "lat",
    "located_by",
    "jurisdiction_code",
    "address",
    "description",
    "reporter_name",
    "reporter_phone",
    "source",
    "idempotency_key",
)
REPORT_FIELDS = ("kind", "text", "source", "idempotency_key")


async def read(request: Request) -> tuple[dict[str, str], list]:
    """Text fields (stripped) and the chosen photo files of a posted form."""
    form = await request.form()
    values = {k: v.strip() for k, v in form.multi_items() if isinstance(v, str)}
    files = [f for f in form.getlist("photos") if not isinstance(f, str) and getattr(f, "filename", "")]
    return values, files


def _local_time(value: str, field: str) -> datetime | None:
    """A datetime-local field (Asia/Shanghai) or an ISO time with offset."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(details=[{"field": field, "message": "This value is not valid."}]) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=clock.LOCAL_TZ)


def _number(values: dict[str, str], name: str, kind=int):
    raw = values.get(name, "").replace(",", "")
    if raw == "":
        return None
    try:
        return kind(raw)
    except ValueError:
        raise ValidationFailed(details=[{"field": name, "message": "This value is not valid."}]) from None


def figures(values: dict[str, str]) -> dict[str, int]:
    return {m: v for m in MEASURES if (v := _number(values, m)) is not None}


def _pydantic_details(exc: ValidationError) -> list[dict]:
    details = []
    for err in exc.errors():
        loc = [str(x) for x in err.get("loc", ())]
        field = loc[-1] if loc else "_"
        details.append({"field": field, "message": "This value is not valid.", "reason": err.get("msg", "")})
    return details


def incident_in(values: dict[str, str]) -> IncidentIn:
    """The first-report form as IncidentIn, or ValidationFailed naming the bad fields."""
    try:
        return IncidentIn(
            category=values.get("category", ""),
            title=values.get("title") or None,
            occurred_at=_local_time(values.get("occurred_at", ""), "occurred_at"),
            lon=_number(values, "lon", float),
            lat=_number(values, "lat", float),
            located_by=values.get("located_by") or None,
            jurisdiction_code=values.get("jurisdiction_code") or None,
            address=values.get("address") or None,
            description=values.get("description") or None,
            reporter_name=values.get("reporter_name") or None,
            reporter_phone=values.get("reporter_phone") or None,
            source=values.get("source") or "chain",
            figures=figures(values),
            idempotency_key=values.get("idempotency_key") or None,
        )
    except ValidationError as exc:
        raise ValidationFailed(details=_pydantic_details(exc)) from None


def report_in(values: dict[str, str]) -> ReportIn:
    try:
        return ReportIn(
            kind=values.get("kind") or "follow_up",
            text=values.get("text") or None,
            source=values.get("source") or "chain",
            figures=figures(values),
            idempotency_key=values.get("idempotency_key") or None,
        )
    except ValidationError as exc:
        raise ValidationFailed(details=_pydantic_details(exc)) from None


def errors_of(exc: Exception) -> dict[str, str]:
    """Field → message (translated) for re-showing a form; a refusal stays on the form."""
    return forms.form_errors(exc, refusals_up=False)
