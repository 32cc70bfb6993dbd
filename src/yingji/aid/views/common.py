"""What the aid pages share: rendering with the labels, forms read into the API's schemas (a refused
form is the one bilingual error, as in the API)."""

from __future__ import annotations

from fastapi import Request

from yingji.aid import labels
from yingji.web import forms
from yingji.web.templating import pages

page = pages({"al": labels})


parse = forms.parse


async def form_of(request: Request) -> dict:
    form = await request.form()
    return {k: str(v).strip() for k, v in form.items() if isinstance(v, str)} | {"_form": form}
