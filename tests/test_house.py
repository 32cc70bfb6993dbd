"""House rules checked with the suite: lint and formatting (ruff), no file past 500 lines."""

from __future__ import annotations

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
