"""What the damage pages share: rendering with the code tables at hand, form errors."""

from __future__ import annotations

import uuid

from fastapi import Request

from yingji.damage import indicators, labels
from yingji.web import forms
from yingji.web.templating import render


def page(request: Request, name: str, ctx: dict | None = None, status_code: int = 200):
    base = {
        "di": indicators,
        "dl": labels,
        "label": labels.label,
        "new_key": lambda: uuid.uuid4().hex,
    }
    return render(request, name, base | (ctx or {}), status_code=status_code)


error_texts = forms.error_texts


refused = forms.refused
