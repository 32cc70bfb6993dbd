"""House rules checked with the suite: lint and formatting (ruff), no file past 500 lines."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _ruff() -> list[str]:
    exe = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if exe is None:
        pytest.fail("ruff is not installed (it is in the [test] extras)")
    return [exe]


def test_ruff_lint():
    run = subprocess.run(
        [*_ruff(), "check", "src", "tests", "bench", "scripts", "dev.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_ruff_format():
    run = subprocess.run(
        [*_ruff(), "format", "--check", "src", "tests", "bench", "scripts", "dev.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_modules_stay_small():
    """Migration revisions are generated schema code (one per domain, see docs/ARCHITECTURE.md)."""
    big = [
        (p, n)
        for p in (ROOT / "src").rglob("*.py")
        if "migrations" not in p.parts and (n := len(p.read_text().splitlines())) > 500
    ]
    assert big == [], f"split these by meaning: {big}"


TEMPLATES = ROOT / "src" / "yingji" / "web" / "templates"
STATIC = ROOT / "src" / "yingji" / "web" / "static"


def test_templates_link_static_files_through_static():
    """``{{ static('js/x.js') }}`` gives a fingerprinted URL that browsers cache for a year; a raw
    ``/static/…`` link is revalidated on every visit and goes stale after a release. Our scripts do
    not build ``/static/`` URLs either: a page passes them in (a data attribute set with static())."""
    raw = [
        f"{p.relative_to(ROOT)}:{n}"
        for p in [*TEMPLATES.rglob("*.html"), *(STATIC / "js").rglob("*.js")]
        for n, line in enumerate(p.read_text().splitlines(), 1)
        if "/static/" in line
    ]
    assert raw == [], f"use {{{{ static('…') }}}} (scripts/static_urls.py rewrites templates): {raw}"
    named = {
        m.group(1)
        for p in TEMPLATES.rglob("*.html")
        for m in re.finditer(r"""static\(\s*['"]([^'"]+)['"]\s*\)""", p.read_text())
    }
    assert named, "no static() call found: has the helper been renamed?"
    missing = sorted(n for n in named if not (STATIC / n).is_file())
    assert missing == [], f"static() names files that do not exist: {missing}"
