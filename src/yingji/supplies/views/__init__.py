"""Supplies pages, one module per meaning: ``movements`` (the keepers' forms), ``store_dispatch``
(allocation, an incident's supplies panel), ``stores`` (overview, store, stock card, document),
``reserves`` (gaps, maintenance, expiry, catalogue); ``common`` the label tables. Included in this order."""

from __future__ import annotations

from fastapi import APIRouter

from yingji.auth.roles import Perm
from yingji.core.i18n import N_
from yingji.supplies.views import movements, reserves, store_dispatch, stores
from yingji.web import nav
from yingji.web.nav import NavItem

SECTION = N_("Supplies")
nav.register(SECTION, NavItem("supplies", N_("Stores and stock"), "/supplies"))
nav.register(SECTION, NavItem("supplies-gaps", N_("Gap report"), "/supplies/gaps"))
nav.register(SECTION, NavItem("supplies-maintenance", N_("Maintenance due"), "/supplies/maintenance"))
nav.register(SECTION, NavItem("supplies-expiry", N_("Expiring stock"), "/supplies/expiry"))
nav.register(SECTION, NavItem("supplies-catalogue", N_("Catalogue"), "/supplies/catalogue"))
nav.register(SECTION, NavItem("supplies-allocation", N_("Allocation"), "/supplies/allocation", Perm.DISPATCH))

router = APIRouter(include_in_schema=False)
for _part in (movements, store_dispatch, stores, reserves):
    router.include_router(_part.router)
