"""duty/jobs (being built)."""
