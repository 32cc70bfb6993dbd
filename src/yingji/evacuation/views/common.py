"""What the evacuation pages share: rendering with the labels at hand, form errors."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import Request

from yingji.core import clock
from yingji.evacuation.labels import EL
from yingji.web import forms
from yingji.web.templating import render


def page(request: Request, name: str, ctx: dict[str, Any] | None = None, status_code: int = 200):
    """Render an evacuation template with the labels (``el``) at hand."""
    base = {"el": EL, "now_utc": clock.now(), "new_key": lambda: uuid.uuid4().hex}
    return render(request, name, base | (ctx or {}), status_code=status_code)


form_errors = forms.form_errors
