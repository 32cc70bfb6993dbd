"""residents/models (being built)."""
