"""Labels of the overview's figures (message ids; the catalogs hold the Chinese)."""

from __future__ import annotations

from yingji.core.i18n import N_

GRADES = {
    "I": N_("Extraordinarily grave (I)"),  # 特别重大
    "II": N_("Grave (II)"),  # 重大
    "III": N_("Relatively grave (III)"),  # 较大
    "IV": N_("Ordinary (IV)"),  # 一般
    "none": N_("Not graded"),
}
# Short forms for the tiles and the big screen.
GRADES_SHORT = {
    "I": N_("Extraordinarily grave"),
    "II": N_("Grave"),
    "III": N_("Relatively grave"),
    "IV": N_("Ordinary"),
    "none": N_("Not graded"),
}
RESPONSE_LEVELS = {1: N_("Level I"), 2: N_("Level II"), 3: N_("Level III"), 4: N_("Level IV")}
WARNING_LEVELS = {"red": N_("Red"), "orange": N_("Orange"), "yellow": N_("Yellow"), "blue": N_("Blue")}
ALARM_LEVELS = ("red", "orange", "yellow", "blue")
DUTY_GAPS = {"leader": N_("no leader on duty"), "officer": N_("no officer on duty")}
