"""The warnings list (in force, pending, drafts, ended), and the labels every warning page uses."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from markupsafe import Markup

from yingji.auth.deps import CurrentPrincipal
from yingji.core.deps import DbSession
from yingji.core.i18n import N_, current_locale
from yingji.core.pagecache import ScopedCache
from yingji.warnings import lifecycle, queries, values, versions
from yingji.web.templating import fragment, kept, render

router = APIRouter(include_in_schema=False)
# A list's rows as rendered, shared by the users of one jurisdiction asking the same query in the same
# language; dropped by any warning or division write, and (in force) when the first one expires.
PAGE_SECONDS = 20.0
PAGE_TABLES = {"warnings", "warning_infos", "warning_areas", "jurisdictions"}
pages = ScopedCache("warnings.list", PAGE_TABLES, PAGE_SECONDS, entries=256)

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

    def rows() -> tuple[Markup, datetime | None]:
        found = queries.list_warnings(
            session, principal, view=view, level=level or None, q=q, page=page, size=30
        )
        areas = queries.area_codes(session, found.items)
        html = fragment(request, "warnings/_list_rows.html", {"page": found, "areas": areas, **common()})
        return html, queries.next_expiry(session, principal) if view == "current" else None

    html, _ = kept(pages, request, rows, request.url.query, until=lambda v: v[1])
    ctx = {"rows": html, "view": view, "level": level or "", "q": q, "VIEW_LABELS": VIEW_LABELS, **common()}
    return render(request, "warnings/list.html", ctx)
