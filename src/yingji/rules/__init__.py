"""Versioned rule and code tables (data files next to this module) and their loaders."""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files


@cache
def load(name: str) -> dict:
    """A rule table by file name, e.g. ``load("topics.json")``."""
    return json.loads((files("yingji.rules") / name).read_text(encoding="utf-8"))
