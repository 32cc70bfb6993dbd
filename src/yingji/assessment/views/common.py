"""What the assessment pages share: rendering with the labels, forms read into the API's schemas."""

from __future__ import annotations

from fastapi import Request

from yingji.assessment import labels
from yingji.web import forms
from yingji.web.templating import pages

page = pages({"L": labels})


parse = forms.parse


async def form_of(request: Request) -> tuple[dict, tuple[bytes, str] | None]:
    """The form's text fields, and its ``file`` (bytes, name) when one was chosen."""
    from yingji.assessment import evidence

    form = await request.form()
    values = {k: str(v).strip() for k, v in form.items() if isinstance(v, str)}
    upload = form.get("file")
    file = None
    if upload is not None and not isinstance(upload, str) and upload.filename:
        limit = evidence.max_bytes_of(request.app.state.settings)
        file = (await upload.read(limit + 1), upload.filename)
    return values, file
