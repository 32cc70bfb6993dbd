"""What the seismic pages share: rendering with the code tables, form errors, savepoints."""

from __future__ import annotations

import uuid

from fastapi import Request

from yingji.forces.views_common import form_errors, in_savepoint  # noqa: F401 (the shared helpers)
from yingji.seismic import codes
from yingji.web.templating import render


def page(request: Request, name: str, ctx: dict | None = None, status_code: int = 200):
    base = {"sc": codes, "new_key": lambda: uuid.uuid4().hex}
    return render(request, name, base | (ctx or {}), status_code=status_code)
