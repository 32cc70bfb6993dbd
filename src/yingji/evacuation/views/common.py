"""What the evacuation pages share: rendering with the labels at hand, form errors."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import Request
from pydantic import ValidationError

from yingji.core import clock
from yingji.core.errors import YingjiError
from yingji.core.i18n import gettext
from yingji.evacuation.labels import EL
from yingji.web.templating import render


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
