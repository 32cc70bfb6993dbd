"""Navigation as data. Each domain adds its entries here; a section with no entry the user may
open is not shown, so modules arrive without touching the layout."""

from __future__ import annotations

from dataclasses import dataclass

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal
from yingji.core.i18n import N_


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str  # message id
    url: str
    perm: Perm | None = Perm.ORG_READ


@dataclass(frozen=True)
class NavSection:
    label: str
    items: tuple[NavItem, ...]


SECTIONS: list[NavSection] = [
    NavSection(
        N_("Command"),
        (
            NavItem("home", N_("Overview"), "/"),
            NavItem("map", N_("One map"), "/map"),
            NavItem("directory", N_("Find the right person"), "/directory"),
        ),
    ),
    NavSection(
        N_("Organisation"),
        (
            NavItem("places", N_("Jurisdictions"), "/places"),
            NavItem("grids", N_("Grid"), "/grids"),
            NavItem("people", N_("People"), "/people"),
            NavItem("units", N_("Units and HQs"), "/units"),
        ),
    ),
    NavSection(
        N_("System"),
        (
            NavItem("exchange", N_("Import and export"), "/exchange", Perm.EXPORT),
            NavItem("audit", N_("Audit log"), "/audit", Perm.AUDIT_READ),
            NavItem("users", N_("Users"), "/admin/users", Perm.USERS_MANAGE),
        ),
    ),
]


def register(section_label: str, item: NavItem) -> None:
    """Add an entry (used by later domains)."""
    for i, section in enumerate(SECTIONS):
        if section.label == section_label:
            SECTIONS[i] = NavSection(section.label, (*section.items, item))
            return
    SECTIONS.insert(len(SECTIONS) - 1, NavSection(section_label, (item,)))


def for_principal(principal: Principal | None) -> list[NavSection]:
    if principal is None:
        return []
    out = []
    for section in SECTIONS:
        items = tuple(i for i in section.items if i.perm is None or principal.can(i.perm))
        if items:
            out.append(NavSection(section.label, items))
    return out
