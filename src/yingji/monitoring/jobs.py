"""monitoring/jobs (being built)."""
