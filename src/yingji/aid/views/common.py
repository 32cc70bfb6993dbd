"""What the aid pages share: rendering with the labels, forms read into the API's schemas (a refused
form is the one bilingual error, as in the API)."""

from __future__ import annotations

from fastapi import Request
from pydantic import BaseModel, ValidationError

from yingji.aid import labels
from yingji.core.errors import ValidationFailed
from yingji.web.templating import render


def page(request: Request, name: str, ctx: dict | None = None, status_code: int = 200):
    return render(request, name, {"al": labels} | (ctx or {}), status_code=status_code)


def parse(schema: type[BaseModel], values: dict) -> BaseModel:
    """The form's values (empty fields left out) as the schema; a refused field is a 422 naming it."""
    clean = {k: v for k, v in values.items() if v not in ("", None)}
    try:
        return schema(**clean)
    except ValidationError as exc:
        details = [
            {"field": str(e["loc"][0]) if e["loc"] else "_", "message": "This value is not valid."}
            for e in exc.errors()
        ]
        raise ValidationFailed(details=details) from None


async def form_of(request: Request) -> dict:
    form = await request.form()
    return {k: str(v).strip() for k, v in form.items() if isinstance(v, str)} | {"_form": form}
