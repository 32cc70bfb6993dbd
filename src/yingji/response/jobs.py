"""response/jobs (being built)."""
