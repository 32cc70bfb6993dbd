"""Labels of the incident codes for pages, in the reader's language (codes stay in the database)."""

from __future__ import annotations

from yingji.core import clock
from yingji.core.i18n import N_, current_locale, gettext
from yingji.incidents import levels, status
from yingji.incidents.notices import KIND_NAMES
from yingji.incidents.out import deadline_clock
from yingji.rules import grading

GRADE_NAMES = {
    "production_safety": {
        "I": N_("Especially serious accident"),
        "II": N_("Serious accident"),
        "III": N_("Relatively serious accident"),
        "IV": N_("Ordinary accident"),
    },
    "geological_damage": {"I": N_("Extra-large"), "II": N_("Large"), "III": N_("Medium"), "IV": N_("Small")},
    "geological_threat": {"I": N_("Extra-large"), "II": N_("Large"), "III": N_("Medium"), "IV": N_("Small")},
    "natural_disaster_relief": {
        "I": N_("Relief response level I"),
        "II": N_("Relief response level II"),
        "III": N_("Relief response level III"),
        "IV": N_("Relief response level IV"),
    },
}
CLOCK_NAMES = {
    "due": N_("Running"),
    "overdue": N_("Overdue"),
    "met": N_("Met"),
    "late": N_("Late (迟报)"),
    "missed": N_("Missed (漏报)"),
    "waived": N_("Not required"),
}
CHANNEL_NAMES = {
    "report": N_("Report"),
    "phone": N_("By phone"),
    "written": N_("In writing"),
    "oral": N_("Orally"),
    "copy": N_("Copy"),
}
HOW_NAMES = {
    "submitted": N_("Filed a report"),
    "chain": N_("Reported through the chain"),
    "own": N_("Learned of it by itself"),
    "acknowledged": N_("Acknowledged (签收)"),
    "forwarded": N_("Reported up (上报)"),
    "merged": N_("Through a merged duplicate"),
}
SOURCE_NAMES = {
    "chain": N_("Through the chain"),
    "own": N_("Own discovery"),
    "merged": N_("Merged duplicate"),
}
MEASURE_NAMES = {
    "deaths": N_("Dead"),
    "missing": N_("Missing persons"),
    "serious_injuries": N_("Seriously injured"),
    "injuries": N_("Injured"),
    "trapped": N_("Trapped"),
    "direct_loss_cny": N_("Direct loss (CNY)"),
    "relocated": N_("Relocated"),
    "affected": N_("Affected people"),
    "needing_aid": N_("Needing urgent aid"),
    "collapsed_rooms": N_("Collapsed rooms"),
    "collapsed_households": N_("Collapsed households"),
    "threatened_people": N_("People under threat"),
    "potential_loss_cny": N_("Potential loss (CNY)"),
}
GRADE_CSS = {"I": "grade-1", "II": "grade-2", "III": "grade-3", "IV": "grade-4"}


def category_label(code: str | None) -> str:
    """「自然灾害 · 地质灾害」 from the code table, in the reader's language."""
    if not code:
        return ""
    row = grading.subcategory(code)
    lang = "en" if current_locale() == "en" else "zh"
    if row is None:
        for category in grading.categories()["categories"]:
            if category["code"] == code:
                return category[lang]
        return code
    parent = next(c for c in grading.categories()["categories"] if c["code"] == row["category"])
    return f"{parent[lang]} · {row[lang]}"


def category_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Grouped choices for a select: (category label, [(code, subcategory label)])."""
    lang = "en" if current_locale() == "en" else "zh"
    return [
        (c[lang], [(s["code"], s[lang]) for s in c["subcategories"]])
        for c in grading.categories()["categories"]
    ]


def grade_label(kind: str | None, grade: str | None) -> str:
    if grade is None:
        return gettext("Not graded")
    name = GRADE_NAMES.get(kind or "", {}).get(grade)
    return f"{gettext(name)} ({grade})" if name else grade


class Labels:
    """What templates call: ``L.category(code)``, ``L.grade(incident)`` …"""

    measures = MEASURE_NAMES

    @staticmethod
    def category(code: str | None) -> str:
        return category_label(code)

    @staticmethod
    def grade(incident) -> str:
        return grade_label(incident.grading_kind, incident.grade)

    @staticmethod
    def grade_css(grade: str | None) -> str:
        return GRADE_CSS.get(grade or "", "grade-none")

    @staticmethod
    def status(code: str) -> str:
        return gettext(status.STATUSES.get(code, code))

    @staticmethod
    def level(code: str | None) -> str:
        return gettext(levels.LABELS.get(code or "", code or ""))

    @staticmethod
    def kind(code: str) -> str:
        return gettext(KIND_NAMES.get(code, code))

    @staticmethod
    def clock(deadline) -> str:
        return deadline_clock(deadline)

    @staticmethod
    def clock_name(state: str) -> str:
        return gettext(CLOCK_NAMES.get(state, state))

    @staticmethod
    def channel(code: str) -> str:
        return gettext(CHANNEL_NAMES.get(code, code))

    @staticmethod
    def how(code: str) -> str:
        return gettext(HOW_NAMES.get(code, code))

    @staticmethod
    def source(code: str) -> str:
        return gettext(SOURCE_NAMES.get(code, code))

    @staticmethod
    def measure(name: str) -> str:
        return gettext(MEASURE_NAMES.get(name, name))

    @staticmethod
    def iso(value) -> str:
        return clock.to_utc(value).isoformat() if value else ""
