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
    # Within its section, items keep the order they were registered in (the routers' order), unless
    # one registered early by another domain belongs further down: a higher order sorts it later.
    order: int = 0


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


# The order a duty officer thinks in: today's work first, the registers after, the system last.
SECTION_ORDER = [
    N_("Command"),
    N_("Duty"),
    N_("Response"),
    N_("Warnings"),
    N_("Disaster relief"),  # evacuation, shelters, damage statistics, aid and rebuilding
    N_("Monitoring"),
    N_("Dual prevention"),
    N_("Rescue forces"),
    N_("Supplies"),
    N_("Plan management"),  # preparedness: plans, drills, experts
    N_("Supervision and assessment"),  # work tasks, 督办, assessment, readiness, training, handbook
    N_("Statistics"),
    N_("Organisation"),
    N_("Rules"),
    N_("System"),
]


def _rank(section: NavSection) -> int:
    try:
        return SECTION_ORDER.index(section.label)
    except ValueError:
        return len(SECTION_ORDER) - 1  # a new module's section goes just before System


# Roles with a short menu of their own: one section (its label, the nav keys in order), e.g. the grid
# worker's phone, only what they do in the field. Filled by the field domain (yingji.field.codes).
ROLE_MENUS: dict[str, tuple[str, tuple[str, ...]]] = {}


def _role_menu(principal: Principal, label: str, keys: tuple[str, ...]) -> list[NavSection]:
    allowed = {i.key: i for s in SECTIONS for i in s.items if i.perm is None or principal.can(i.perm)}
    items = tuple(allowed[k] for k in keys if k in allowed)
    return [NavSection(label, items)] if items else []


def for_principal(principal: Principal | None) -> list[NavSection]:
    if principal is None:
        return []
    if principal.role in ROLE_MENUS:
        return _role_menu(principal, *ROLE_MENUS[principal.role])
    out = []
    for section in sorted(SECTIONS, key=_rank):
        items = tuple(
            sorted(
                (i for i in section.items if i.perm is None or principal.can(i.perm)), key=lambda i: i.order
            )
        )
        if items:
            out.append(NavSection(section.label, items))
    return out


def active_key(sections: list[NavSection], path: str) -> str | None:
    """The entry to highlight: the longest URL that is the path or a parent of it
    (so /duty/rosters lights "Rosters", not "Duty board" at /duty)."""
    best, best_len = None, -1
    for section in sections:
        for item in section.items:
            url = item.url.rstrip("/") or "/"
            hit = path == url or (url != "/" and path.startswith(url + "/"))
            if hit and len(url) > best_len:
                best, best_len = item.key, len(url)
    return best
