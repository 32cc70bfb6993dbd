"""risk/jobs (being built)."""
