"""Geometry helpers (shapely 2, vectorised)."""
