"""The warnings list (in force, pending, drafts, ended), and the labels every warning page uses."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from yingji.auth.deps import CurrentPrincipal
from yingji.core.deps import DbSession
from yingji.core.i18n import N_, current_locale
from yingji.warnings import lifecycle, queries, values, versions
from yingji.web.templating import render

router = APIRouter(include_in_schema=False)

VIEW_LABELS = {
    "current": N_("In force"),
    "pending": N_("Awaiting approval or publishing"),
    "drafts": N_("Drafts"),
    "ended": N_("Ended"),
    "all": N_("All"),
}


def common() -> dict:
    """Labels every warning template uses."""
    return {
        "LEVELS": values.levels(),
        "STATUS_LABELS": lifecycle.STATUS_LABELS,
        "ACTION_LABELS": versions.ACTION_LABELS,
        "CAP": values.cap_values(),
        "CHANNELS": values.channel_labels(current_locale()),
        "ARTICLE_64": lifecycle.ARTICLE_64,
    }


@router.get("/warnings")
def list_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    view: str = "current",
    level: str | None = None,
    q: str = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
):
    found = queries.list_warnings(session, principal, view=view, level=level or None, q=q, page=page, size=30)
    ctx = {"page": found, "view": view, "level": level or "", "q": q, "VIEW_LABELS": VIEW_LABELS, **common()}
    ctx["areas"] = queries.area_codes(session, found.items)
    return render(request, "warnings/list.html", ctx)
