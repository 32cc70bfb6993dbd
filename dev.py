#!/usr/bin/env python3
"""Yingji's two commands, for a machine that has nothing but Python 3.11+.

    python3 dev.py start   # virtualenv + install + demo city (Tongren) + server on http://127.0.0.1:8000
    python3 dev.py test    # virtualenv + install + the whole test suite (extra arguments go to pytest)

The virtualenv lives in ./.venv and is reinstalled only when pyproject.toml changes.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
# Test-only packages whose pinned dependencies clash with ours: installed without them.
# capparselib (an independent CAP parser the warning tests check exports against) pins an old lxml.
NO_DEPS_TEST_PACKAGES = ["capparselib==0.6.6"]
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")


def say(text: str) -> None:
    print(f"\033[1;31m▶\033[0m {text}", flush=True)


def ensure_venv(extras: str) -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - this script must explain itself on an old Python
        sys.exit("Yingji needs Python 3.11 or newer.")
    if not (BIN / "python").exists():
        say("Creating the virtual environment in .venv …")
        venv.EnvBuilder(with_pip=True).create(VENV)
    no_deps = NO_DEPS_TEST_PACKAGES if extras == "[test]" else []
    digest = hashlib.sha256(
        (ROOT / "pyproject.toml").read_bytes() + extras.encode() + " ".join(no_deps).encode()
    ).hexdigest()
    stamp = VENV / ".yingji-installed"
    installed = stamp.read_text().split() if stamp.exists() else []
    if digest in installed:
        return
    say(f"Installing Yingji{extras} and its dependencies …")
    pip = [str(BIN / "python"), "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "install", "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "install", "-e", f".{extras}"], check=True, cwd=ROOT)
    if no_deps:
        subprocess.run([*pip, "install", "--no-deps", *no_deps], check=True, cwd=ROOT)
    stamp.write_text(" ".join([*installed, digest]))


def run(*args: str) -> int:
    return subprocess.call([str(BIN / args[0]), *args[1:]], cwd=ROOT)


def start() -> int:
    ensure_venv("")
    say("Building the demo city (first run only) …")
    if run("yingji", "demo") != 0:
        return 1
    say("Starting Yingji at http://127.0.0.1:8000 — log in with a demo account above (Ctrl-C stops).")
    return run("yingji", "serve")


def test(extra: list[str]) -> int:
    ensure_venv("[test]")
    say(
        "Running the test suite"
        + (" on PostgreSQL" if os.environ.get("YINGJI_TEST_PG_URL") else " on SQLite")
        + " …"
    )
    return run("python", "-m", "pytest", *extra)


def main() -> int:
    command = sys.argv[1] if len(sys.argv) > 1 else "help"
    if command == "start":
        return start()
    if command == "test":
        return test(sys.argv[2:])
    print(__doc__)
    return 0 if command in ("help", "-h", "--help") else 2


if __name__ == "__main__":
    sys.exit(main())
