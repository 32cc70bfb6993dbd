"""supplies/models (being built)."""
