"""supplies/jobs (being built)."""
