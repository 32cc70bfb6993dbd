"""Labels of the damage code tables (message ids; Chinese in the catalog)."""

from __future__ import annotations

from yingji.core.i18n import N_, gettext

KIND = {"initial": N_("Initial report"), "continued": N_("Follow-up report")}
KIND |= {"zero": N_("Daily zero report"), "final": N_("Final report")}
STATE = {"draft": N_("Draft"), "submitted": N_("Report submitted"), "returned": N_("Report returned")}
STATE |= {"accepted": N_("Report accepted")}
EVENT_STATE = {"open": N_("Developing"), "stable": N_("Stable"), "verified": N_("Verified")}
EVENT_STATE |= {"closed": N_("Closed")}
POST = {"A": N_("Post A"), "B": N_("Post B")}
LEVEL = {"province": N_("Province"), "city": N_("City"), "county": N_("County")}
LEVEL |= {"town": N_("Town"), "village": N_("Village")}
DEGREE = {"collapsed": N_("Collapsed"), "severe": N_("Badly damaged"), "general": N_("Slightly damaged")}
CASUALTY = {"dead": N_("Dead"), "missing": N_("Missing")}


def label(table: dict[str, str], code: str | None) -> str:
    return gettext(table[code]) if code in table else (code or "")


# The official sheets are in Chinese whatever the user's language.
DEGREE_ZH = {"collapsed": "倒塌", "severe": "严重损坏", "general": "一般损坏"}
CASUALTY_ZH = {"dead": "死亡", "missing": "失踪"}
