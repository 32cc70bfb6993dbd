"""Helpers of the duty pages: reading form fields, people named by mobile number, error lists."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import ValidationError
from sqlalchemy.orm import Session

from yingji.auth.scope import Principal
from yingji.core.errors import ValidationFailed, YingjiError
from yingji.core.i18n import gettext
from yingji.duty.routine import today
from yingji.org import picker


def field(form, name: str) -> str:
    """A form field as stripped text (empty when absent)."""
    value = form.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def optional(form, name: str) -> str | None:
    """A form field, or None when empty."""
    return field(form, name) or None


def number(form, name: str, default: int) -> int:
    """A whole-number form field (422 if it is not one)."""
    text = field(form, name)
    if not text:
        return default
    try:
        return int(text)
    except ValueError:
        raise ValidationFailed(details=[{"field": name, "message": "Not a whole number."}]) from None


def person_by_mobile(session: Session, principal: Principal, text: str | None, name: str) -> int | None:
    """The id of the person a field names (None when empty); 422 if unknown. The people picker
    posts an id; typed by hand it is a mobile number (or a name only one person in scope has)."""
    return picker.resolve(session, principal, text, name)


def people_by_mobiles(session: Session, principal: Principal, text: str, name: str) -> list[int]:
    """One person per line (a mobile number somewhere on the line), in order."""
    ids = []
    for line in (text or "").splitlines():
        if line.strip():
            ids.append(person_by_mobile(session, principal, line, name))
    return ids


def local_datetime(text: str | None) -> datetime | None:
    """A ``datetime-local`` field (naive: Asia/Shanghai, made aware by the schemas)."""
    if not text:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(details=[{"field": "time", "message": "Not a date and time."}]) from None


def day_or_none(text: str | None) -> date | None:
    """A YYYY-MM-DD form field as a date (None when empty)."""
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(details=[{"field": "date", "message": "Not a date (YYYY-MM-DD)."}]) from None


def errors_of(exc: ValidationError | YingjiError) -> list[str]:
    """Messages to show above a form, in the user's language."""
    if isinstance(exc, ValidationError):
        out = []
        for e in exc.errors():
            reason = (e.get("ctx") or {}).get("error")
            if reason is not None:
                out.append(gettext(str(reason)))
            else:
                where = ".".join(str(x) for x in e.get("loc", ()) if not isinstance(x, int))
                out.append(gettext("{field}: this value is not valid.", field=where))
        return out or [gettext("This value is not valid.")]
    if exc.details:
        return [gettext(d["message"], **(d.get("params") or {})) for d in exc.details]
    return [gettext(exc.message, **exc.params)]


def is_form_error(exc: Exception) -> bool:
    """Errors shown on the form again; 403/404 go to the error page."""
    return isinstance(exc, ValidationError) or (
        isinstance(exc, YingjiError) and exc.status_code not in (401, 403, 404)
    )


def parse_month(value: str | None) -> tuple[int, int]:
    """ "2026-11" → (2026, 11); default: this month (local)."""
    if not value:
        now = today()
        return now.year, now.month
    try:
        year, month = (int(x) for x in value.split("-"))
        date(year, month, 1)
    except ValueError:
        raise ValidationFailed(details=[{"field": "month", "message": "Not a month (YYYY-MM)."}]) from None
    return year, month
