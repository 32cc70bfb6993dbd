"""应急避难场所: the shelter registry, opening and closing, check-in and occupancy (issue 13)."""
