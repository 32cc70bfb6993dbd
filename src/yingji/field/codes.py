"""What the grid worker's app shows by role: who gets it as their home, and their short menu."""

from __future__ import annotations

from yingji.auth.roles import Role
from yingji.core.i18n import N_

# The roles whose home is the app, not the population count or the situation overview.
FIELD_ROLES = frozenset({Role.GRID_WORKER.value, Role.GRID_LEADER.value})

# The short menu of those roles, by nav key, in this order (web/nav.py keeps only these for them):
# the app itself, evacuation marks, patrols, quick report, the directory and the incidents they may
# follow. No duty board, no registers: what a grid worker does on a phone.
MENU_LABEL = N_("My work")
ROLE_MENUS: dict[str, tuple[str, tuple[str, ...]]] = {
    Role.GRID_WORKER.value: (
        MENU_LABEL,
        ("field", "evac-field", "mon-patrol", "incident-phone", "directory"),
    ),
    Role.GRID_LEADER.value: (
        MENU_LABEL,
        ("field", "evac-field", "mon-patrol", "incident-phone", "directory", "incidents", "residents"),
    ),
}
