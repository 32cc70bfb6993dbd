"""The one list of domains (``yingji/domains.py``, issue 16) agrees with the packages on disk: a
domain's models, jobs, demo and routers are all registered there, and every name there exists."""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path

import pytest

import yingji
from yingji import domains

PACKAGE = Path(yingji.__file__).parent
NOT_DOMAINS = {"core", "demo", "migrations", "locale", "data", "static", "templates"}


def _packages() -> list[str]:
    """Every package under yingji (dotted, relative), e.g. "risk", "risk.tipoffs"."""
    found = []
    for init in PACKAGE.rglob("__init__.py"):
        rel = init.parent.relative_to(PACKAGE)
        if rel.parts and rel.parts[0] not in NOT_DOMAINS:
            found.append(".".join(rel.parts))
    return sorted(found)


def _exists(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


def test_every_registered_module_exists():
    for part in ("routers", "models", "jobs", "demo", "file_kinds", "owned_kinds"):
        for name in domains.modules(part):
            assert _exists(name), f"domains.py names {name} ({part}), which does not exist"
    for module, attr in domains.cli_groups():
        assert hasattr(importlib.import_module(module), attr), f"{module}.{attr} is no CLI group"


def test_names_are_unique():
    names = [d.name for d in domains.DOMAINS]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("part,file", [("models", "models"), ("jobs", "jobs"), ("demo", "demo")])
def test_every_domain_module_on_disk_is_registered(part, file):
    registered = set(domains.modules(part))
    for package in _packages():
        name = f"yingji.{package}.{file}"
        if (PACKAGE / package.replace(".", "/") / f"{file}.py").exists():
            assert name in registered, f"{name} exists but yingji/domains.py does not register it ({part})"


def _reachable_routers() -> set[int]:
    seen: set[int] = set()

    def walk(router) -> None:
        if id(router) in seen:
            return
        seen.add(id(router))
        for route in router.routes:
            inner = getattr(route, "original_router", None)  # FastAPI's included router
            if inner is not None:
                walk(inner)

    for name in domains.modules("routers"):
        walk(importlib.import_module(name).router)
    return seen


def test_every_views_and_api_router_is_mounted():
    """A domain's ``views`` / ``api`` module (or package) is mounted, directly from the list or
    included by another router of its domain: none is written and then forgotten."""
    mounted = _reachable_routers()
    for package in _packages():
        for file in ("views", "api"):
            name = f"yingji.{package}.{file}"
            if not _exists(name):
                continue
            router = getattr(importlib.import_module(name), "router", None)
            if router is not None:
                assert id(router) in mounted, f"{name}.router is not mounted (yingji/domains.py)"
