"""response/models (being built)."""
