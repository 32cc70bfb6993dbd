"""warnings/jobs (being built)."""
