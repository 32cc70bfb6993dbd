"""warnings/models (being built)."""
