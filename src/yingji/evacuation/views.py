"""Evacuation pages."""

from __future__ import annotations

from fastapi import APIRouter

from yingji.auth.roles import Perm
from yingji.core.i18n import N_
from yingji.web import nav

router = APIRouter(include_in_schema=False)

# One "Relief" (救灾救助) section for the four relief domains, in the order a town official works:
# move people, shelter them, count the damage, then aid and rebuilding.
nav.SECTIONS.append(
    nav.NavSection(
        N_("Relief"),
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
