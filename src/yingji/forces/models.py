"""forces/models (being built)."""
