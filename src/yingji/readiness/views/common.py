"""What the readiness pages share: rendering with the code tables at hand, form errors."""

from __future__ import annotations

import uuid

from fastapi import Request

from yingji.core.errors import YingjiError
from yingji.core.i18n import gettext
from yingji.readiness import codes
from yingji.web.templating import render


def page(request: Request, name: str, ctx: dict | None = None, status_code: int = 200):
    base = {"rc": codes, "new_key": lambda: uuid.uuid4().hex}
    return render(request, name, base | (ctx or {}), status_code=status_code)


def error_texts(exc: Exception) -> list[str]:
    """The messages of a refused form, each in the user's language."""
    if isinstance(exc, YingjiError):
        if exc.details:
            return [gettext(d["message"], **(d.get("params") or {})) for d in exc.details]
        return [gettext(exc.message, **exc.params)]
    return [gettext("This value is not valid.")]


def refused(exc: Exception) -> bool:
    """A refusal to show on the form (not a 403/404, which go to the error page)."""
    return not (isinstance(exc, YingjiError) and exc.status_code in (403, 404))
