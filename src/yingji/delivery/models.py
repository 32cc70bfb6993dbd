"""delivery/models (being built)."""
