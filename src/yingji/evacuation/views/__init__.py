"""Evacuation pages: one module per meaning, their routers hung on this one (the one ``app.py``
registers): the orders of a place and the new-order form (``orders.py``, prefilled by ``prefill.py``),
one order's page (``order.py``), the grid workers' phone pages (``field.py``), the cards other pages
include (``links.py``); ``common.py`` what they share."""

from __future__ import annotations

from fastapi import APIRouter

from yingji.auth.roles import Perm
from yingji.core.i18n import N_
from yingji.evacuation.views import field, links, order, orders
from yingji.web import nav

router = APIRouter(include_in_schema=False)
router.include_router(orders.router)
router.include_router(order.router)
router.include_router(field.router)
router.include_router(links.router)


# One "Relief" (救灾救助) section for the four relief domains, in the order a town official works:
# move people, shelter them, count the damage, then aid and rebuilding.
nav.SECTIONS.append(
    nav.NavSection(
        N_("Disaster relief"),
        (
            nav.NavItem("evacuation", N_("Evacuation"), "/evacuation", Perm.ORG_READ),
            nav.NavItem("shelters", N_("Shelters"), "/shelters", Perm.ORG_READ),
            nav.NavItem("damage", N_("Damage statistics"), "/damage", Perm.ORG_READ),
            nav.NavItem(
                "damage_officers", N_("Disaster information officers"), "/damage/officers", Perm.ORG_READ
            ),
            nav.NavItem("aid", N_("Living aid"), "/aid", Perm.ORG_READ),
            nav.NavItem("rebuild", N_("House rebuilding"), "/aid/rebuild", Perm.ORG_READ),
        ),
    )
)
