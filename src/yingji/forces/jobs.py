"""forces/jobs (being built)."""
