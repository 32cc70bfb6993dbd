"""Labels of the code tables (message ids; pages and the API translate them). The publicity targets
and days carry their own zh/en in rules/publicity_calendar.json, the roles in training_obligations.json."""

from __future__ import annotations

from yingji.core.i18n import N_, current_locale, gettext
from yingji.rules import load

MODE = {"online": N_("Online"), "offline": N_("In person"), "drill": N_("Drill-based")}
STATE = {"planned": N_("Planned"), "held": N_("Held"), "cancelled": N_("Cancelled")}
KIND = {
    "person": N_("Staff (people registry)"),
    "member": N_("Rescue team member"),
    "enterprise": N_("Enterprise"),
    "officer": N_("Disaster information officer"),
    "outsider": N_("Other (by name)"),
}
ROLE = {
    "town_staff": N_("Town emergency staff"),
    "village_staff": N_("Village committee emergency staff"),
    "info_officer": N_("Disaster information officer"),
    "enterprise_head": N_("Enterprise principal head"),
    "safety_manager": N_("Enterprise safety manager"),
    "team_member": N_("Rescue team member"),
    "grid_worker": N_("Grid worker"),
    "official": N_("Official"),
    "other": N_("Others"),
}
RESULT = {"pending": N_("Not assessed"), "passed": N_("Passed"), "failed": N_("Failed")}
VIA = {"desk": N_("Desk"), "phone": N_("Phone"), "import": N_("Sign-in sheet")}
LEVEL = {
    "province": N_("Province"),
    "city": N_("City"),
    "county": N_("County"),
    "town": N_("Town"),
    "village": N_("Village"),
    "other": N_("Other"),
}


def label(table: dict, code: str | None) -> str:
    return gettext(table[code]) if code in table else (code or "")


def _pick(row: dict) -> str:
    return row["zh"] if current_locale().startswith("zh") else row["en"]


def target_label(code: str | None) -> str:
    row = next((t for t in load("publicity_calendar.json")["targets"] if t["code"] == code), None)
    return _pick(row) if row else (code or "")


def day_label(code: str | None) -> str:
    row = next((d for d in load("publicity_calendar.json")["days"] if d["code"] == code), None)
    return _pick(row) if row else ""
