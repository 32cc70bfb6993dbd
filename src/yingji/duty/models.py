"""duty/models (being built)."""
