"""rules/models (being built)."""
