"""Forces pages, one module per meaning: ``editing`` (team, member and equipment forms),
``team_dispatch`` (an incident's team dispatch panel), ``board`` (readiness board, team list and page,
one-tap readiness, checks), ``exchange`` (Excel and the road network). Included in this order, so
``/forces/teams/new`` comes before ``/forces/teams/{team_id}``."""

from __future__ import annotations

from fastapi import APIRouter

from yingji.auth.roles import Perm
from yingji.core.i18n import N_
from yingji.forces.views import board, editing, exchange, team_dispatch
from yingji.web import nav

SECTION = N_("Rescue forces")

nav.register(SECTION, nav.NavItem("forces-board", N_("Readiness board"), "/forces", Perm.ORG_READ))
nav.register(SECTION, nav.NavItem("forces-teams", N_("Teams"), "/forces/teams", Perm.ORG_READ))
nav.register(SECTION, nav.NavItem("forces-checks", N_("Forces checks"), "/forces/checks", Perm.FORCES_MANAGE))
nav.register(
    SECTION, nav.NavItem("forces-exchange", N_("Forces import and export"), "/forces/exchange", Perm.EXPORT)
)

router = APIRouter(include_in_schema=False)
for _part in (editing, team_dispatch, board, exchange):
    router.include_router(_part.router)
