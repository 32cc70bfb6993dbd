"""incidents/jobs (being built)."""
