"""Message ids of the rules engine (English; translated in the ``rules`` catalogs)."""

from yingji.core.i18n import N_

UNKNOWN_KIND = N_("Unknown kind: use one of {choices}.")
GRADE_REQUIRED = N_("A grade is required for this kind.")
UNKNOWN_GRADE = N_("Unknown grade: use I, II, III or IV.")
UNKNOWN_FIELD = N_("Unknown field.")
WHOLE_NUMBER = N_("Must be a whole number of zero or more.")
AWARE_TIME = N_("Give a date and time with its offset, e.g. 2026-11-24T23:30:00+08:00.")
UNKNOWN_CATEGORY = N_("Unknown event category.")
EXTENSION_TOO_LONG = N_("An extension is at most {days} days.")
OUT_OF_RANGE = N_("This date is out of range.")
