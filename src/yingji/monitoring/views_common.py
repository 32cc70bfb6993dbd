"""What the monitoring pages share: rendering with the labels, reading a form's fields, form errors."""

from __future__ import annotations

from fastapi import Request
from pydantic import ValidationError

from yingji.core import clock
from yingji.core.errors import YingjiError
from yingji.core.i18n import gettext
from yingji.monitoring.labels import Labels
from yingji.web.templating import render

ML = Labels()


def page(request: Request, name: str, ctx: dict | None = None, status_code: int = 200):
    """Render a monitoring template with the label helpers (``ml``)."""
    return render(request, name, {"ml": ML, "now_utc": clock.now(), **(ctx or {})}, status_code=status_code)


def form_errors(exc: Exception) -> dict[str, str]:
    """Field → message for a form shown again; 403 and 404 are not form errors and go up."""
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


async def read_form(request: Request, fields: tuple[str, ...]) -> dict[str, str]:
    """The named fields of a posted form, stripped ("" when absent)."""
    form = await request.form()
    return {k: str(form.get(k, "")).strip() for k in fields}


def given(form: dict[str, str], skip: tuple[str, ...] = ()) -> dict[str, str]:
    """The fields filled in, less ``skip``."""
    return {k: v for k, v in form.items() if v != "" and k not in skip}
