"""monitoring/models (being built)."""
