"""What the plan pages share: the page with the plans' labels, and which refusals a form shows."""

from __future__ import annotations

from fastapi import Request

from yingji.core.errors import YingjiError
from yingji.plans import labels
from yingji.plans.codes import PlanKind
from yingji.web.templating import render


def page(request: Request, name: str, ctx: dict | None = None, status_code: int = 200):
    return render(request, name, {"pl": labels, "PlanKind": PlanKind} | (ctx or {}), status_code=status_code)


def refused(exc: Exception) -> bool:
    return not (isinstance(exc, YingjiError) and exc.status_code in (403, 404))
