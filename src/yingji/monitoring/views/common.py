"""What the monitoring pages share: rendering with the labels, reading a form's fields, form errors."""

from __future__ import annotations

from fastapi import Request

from yingji.core import clock
from yingji.monitoring.labels import Labels
from yingji.web import forms
from yingji.web.templating import pages

ML = Labels()


page = pages({"ml": ML}, fresh=lambda: {"now_utc": clock.now()})  # ml: the label helpers


form_errors = forms.form_errors


async def read_form(request: Request, fields: tuple[str, ...]) -> dict[str, str]:
    """The named fields of a posted form, stripped ("" when absent)."""
    form = await request.form()
    return {k: str(form.get(k, "")).strip() for k in fields}


def given(form: dict[str, str], skip: tuple[str, ...] = ()) -> dict[str, str]:
    """The fields filled in, less ``skip``."""
    return {k: v for k, v in form.items() if v != "" and k not in skip}
