"""The grid worker's app (网格员手机端): a home by role, warnings in full, door-to-door ticks per
household, and the installable offline shell (manifest, service worker, IndexedDB outbox)."""
