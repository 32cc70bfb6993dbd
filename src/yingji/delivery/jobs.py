"""delivery/jobs (being built)."""
