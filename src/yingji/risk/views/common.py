"""What the dual-prevention pages share: form reading, error messages for the form, the labels."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from pydantic import ValidationError

from yingji.core.errors import YingjiError
from yingji.risk import labels
from yingji.web import forms
from yingji.web.templating import pages


def _field(loc) -> str:
    loc = [str(x) for x in loc]
    return loc[-1] if loc[:1] == ["plan"] else (loc[0] if loc else "_")  # plan fields sit flat in the form


def form_errors(exc: ValidationError | YingjiError) -> dict[str, str]:
    """Field → message, for the form to show next to each field ("_" for the form as a whole)."""
    return forms.form_errors(exc, field=_field, refusals_up=False)


def refuse_or_errors(exc: Exception) -> dict[str, str]:
    """Errors a form can show; 403 and 404 are raised to the error page instead."""
    if isinstance(exc, YingjiError) and exc.status_code in (403, 404):
        raise exc
    return form_errors(exc)  # type: ignore[arg-type]


async def form_dict(request: Request) -> dict[str, Any]:
    """The posted form as {name: value} (lists for repeated names)."""
    form = await request.form()
    out: dict[str, Any] = {}
    for key in form:
        values = form.getlist(key)
        texts = [v.strip() if isinstance(v, str) else v for v in values]
        out[key] = texts if len(texts) > 1 else texts[0]
    return out


def pick(form: dict, names: tuple[str, ...]) -> dict[str, Any]:
    """Non-empty fields of ``names`` (empty text is "not given")."""
    return {k: form[k] for k in names if k in form and form[k] not in ("", None)}


page = pages({}, fresh=lambda: {"L": labels.template_globals()})  # L: the label tables, translated
