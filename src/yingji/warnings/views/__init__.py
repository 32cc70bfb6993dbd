"""Warning pages. One module per meaning, included in this order (the fixed paths before
``/warnings/{warning_id}``): compose.py (the compose form, also editing a draft), public.py (the
public pages, no login), lists.py (the list), sources.py (CAP import, upstream feeds, their hosts and
sender authorities), warning.py (one warning with its lifecycle buttons)."""

from __future__ import annotations

from fastapi import APIRouter

from yingji.auth.roles import Perm
from yingji.core.i18n import N_
from yingji.warnings.views import compose, lists, public, sources, warning
from yingji.web import nav

router = APIRouter(include_in_schema=False)
for _part in (compose, public, lists, sources, warning):
    router.include_router(_part.router)

WARNINGS = N_("Warnings")  # 预警发布
nav.register(WARNINGS, nav.NavItem("warnings", N_("Warnings"), "/warnings", Perm.ORG_READ))
nav.register(
    WARNINGS, nav.NavItem("warnings-new", N_("Compose a warning"), "/warnings/new", Perm.WARNING_DRAFT)
)
nav.register(
    WARNINGS, nav.NavItem("warnings-import", N_("Import CAP"), "/warnings/import", Perm.WARNING_PUBLISH)
)
nav.register(
    WARNINGS,
    nav.NavItem(
        "warnings-sources", N_("Upstream feeds and authorities"), "/warnings/sources", Perm.WARNING_PUBLISH
    ),
)
nav.register(WARNINGS, nav.NavItem("warnings-public", N_("Public warning page"), "/public/warnings", None))
