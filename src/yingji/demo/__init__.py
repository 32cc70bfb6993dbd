"""The demo city: Tongren (or all of Guizhou) at the scale of seed 003, deterministic per seed."""
