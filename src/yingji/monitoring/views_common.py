"""What the monitoring pages share: rendering with the labels, form errors, division codes from URLs."""

from __future__ import annotations

from fastapi import Request

from yingji.core import clock
from yingji.monitoring.labels import Labels
from yingji.web import forms
from yingji.web.templating import render

ML = Labels()


def page(request: Request, name: str, ctx: dict | None = None, status_code: int = 200):
    """Render a monitoring template with the label helpers (``ml``)."""
    return render(request, name, {"ml": ML, "now_utc": clock.now(), **(ctx or {})}, status_code=status_code)


form_errors = forms.form_errors
