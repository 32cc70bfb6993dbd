"""risk/models (being built)."""
