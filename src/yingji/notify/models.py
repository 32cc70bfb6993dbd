"""notify/models (being built)."""
