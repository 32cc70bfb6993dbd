"""紧急转移: threatened households, evacuation orders, household-by-household marks from the field and
the live accounting threatened = moved + sheltered + safe elsewhere + unaccounted (issue 13)."""
