"""Seismic pages: one module per meaning, their routers hung on this one (the one ``app.py``
registers): the registry, a member, Excel import (``registry.py``); the phone's report page and the
reports list (``field.py``); ``common.py`` what they share."""

from __future__ import annotations

from fastapi import APIRouter

from yingji.auth.roles import Perm
from yingji.core.i18n import N_
from yingji.seismic.views import field, registry
from yingji.web import nav

router = APIRouter(include_in_schema=False)
router.include_router(registry.router)
router.include_router(field.router)

# Beside the disaster information officers (灾害信息员): the 速报员 are the same kind of network (people
# in every village who report damage within minutes), and a town officer looks for both in one place.
nav.register(
    N_("Disaster relief"), nav.NavItem("seismic", N_("Earthquake reporters"), "/seismic", Perm.ORG_READ)
)
