"""What can be owned: each domain registers its kind of incoming item here (like ``files.kinds``),
so one mechanism records, shows and hands over incidents, calls and tip-offs alike."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from yingji import domains
from yingji.auth.roles import Perm
from yingji.core.errors import NotFound


@dataclass(frozen=True)
class ItemInfo:
    """How an owned item is shown in someone's list: its name, its page, whether it is still open."""

    label: str
    url: str
    open: bool
    jurisdiction_code: str


@dataclass(frozen=True)
class Kind:
    name: str
    label: str  # a message id: 事件, 举报, 来电
    # who may own the item: this permission over the holding office (the person who handles it)
    handle: Perm
    # ``describe(session, ids) -> {id: ItemInfo}``: one query for a whole list
    describe: Callable[[Session, list[int]], dict[int, ItemInfo]]


KINDS: dict[str, Kind] = {}
# The modules that register kinds; imported before a kind is looked up.
KIND_MODULES = domains.modules("owned_kinds")
_loaded = False


def register(kind: Kind) -> Kind:
    KINDS[kind.name] = kind
    return kind


def load() -> None:
    global _loaded
    if not _loaded:
        for name in KIND_MODULES:
            importlib.import_module(name)
        _loaded = True


def kind(name: str) -> Kind:
    load()
    try:
        return KINDS[name]
    except KeyError:
        raise NotFound() from None
