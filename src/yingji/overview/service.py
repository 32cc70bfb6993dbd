"""The overview of one principal's jurisdiction (or a place inside it): the tiles asked for, each
from its own module, with a short per-scope cache so that a wall of screens and a burst of events
do not recompute the same figures many times a second."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import replace

from sqlalchemy.orm import Session

from yingji.auth.roles import Perm, Role
from yingji.auth.scope import Principal
from yingji.core import clock, i18n
from yingji.org import places
from yingji.org.models import Jurisdiction
from yingji.overview import readiness, relief, situation, trends
from yingji.overview.schemas import EXTRAS, TILES, OverviewOut

# The overview is the home page of these roles; others keep the organisation overview.
HOME_ROLES = frozenset({Role.COMMANDER, Role.DUTY_OFFICER, Role.COUNTY_OFFICER, Role.TOWN_OFFICER})
CACHE_SECONDS = 2.0
FRESH_SECONDS = 0.5
# Supply gaps move with stock documents, not by the second, and summing every store's holdings
# against its reserve list costs seconds for a province: kept five minutes (no event changes them).
SLOW_TILES = {"supplies": 300.0}
CACHE_ENTRIES = 256

_BUILDERS = {
    "incidents": situation.incidents,
    "reports": situation.reports,
    "overdue": situation.overdue,
    "responses": situation.responses,
    "warnings": readiness.warnings,
    "alarms": readiness.alarms,
    "teams": readiness.teams,
    "supplies": readiness.supplies,
    "trends": trends.trends,
    "evacuation": relief.evacuation,  # issue 13
}


def is_home(principal: Principal | None) -> bool:
    return principal is not None and principal.role in HOME_ROLES


def narrowed(
    session: Session, principal: Principal, within: str | None
) -> tuple[Principal, Jurisdiction | None]:
    """The principal seen through ``within`` (a place in their subtree; outside → 404), and the place.
    Every service below then scopes by the narrower code, the same indexed range."""
    if within and within != principal.jurisdiction_code:
        place = places.get(session, principal, within)
        return replace(principal, jurisdiction_code=place.code), place
    return principal, places.root(session, principal)


class _Cache:
    """Figures per (scope, tile, what the viewer may see, language), kept a couple of seconds."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.items: OrderedDict[tuple, tuple[float, object]] = OrderedDict()

    def get(self, key: tuple, max_age: float | None = None) -> object | None:
        with self.lock:
            hit = self.items.get(key)
            now = time.monotonic()
            if hit is None or hit[0] < now or (max_age is not None and now - hit[1] > max_age):
                return None
            return hit[2]

    def put(self, key: tuple, value: object, seconds: float) -> None:
        with self.lock:
            now = time.monotonic()
            self.items[key] = (now + seconds, now, value)
            self.items.move_to_end(key)
            while len(self.items) > CACHE_ENTRIES:
                self.items.popitem(last=False)

    def invalidate(self, jurisdiction_code: str | None = None, keep: frozenset[str] = frozenset()) -> None:
        """Forget the figures of every scope that holds ``jurisdiction_code`` (all when None), but
        the tiles in ``keep``."""
        with self.lock:
            for key in [
                k
                for k in self.items
                if (jurisdiction_code is None or jurisdiction_code.startswith(k[0])) and k[1] not in keep
            ]:
                del self.items[key]


cache = _Cache()


def invalidate(jurisdiction_code: str | None = None) -> None:
    """Called on events (a new report, an alarm …) so the next request recomputes (supply gaps,
    which no event touches, stay)."""
    cache.invalidate(jurisdiction_code, keep=frozenset(SLOW_TILES))


def overview(
    session: Session,
    principal: Principal,
    *,
    within: str | None = None,
    tiles: list[str] | None = None,
    use_cache: bool = True,
    fresh: bool = False,
) -> OverviewOut:
    """The tiles asked for. ``fresh``: the page refreshes after an event, so only figures computed
    in the last ``FRESH_SECONDS`` will do (pages wait longer than that after an event before they
    ask, so such figures include it; a wall of screens asking at once still computes them once)."""
    scoped, place = narrowed(session, principal, within)
    code = scoped.jurisdiction_code
    within_param = code if code != principal.jurisdiction_code else None
    wanted = [t for t in (tiles or [*TILES, *EXTRAS]) if t in TILES or t in EXTRAS]
    viewer = (principal.can(Perm.CONTACT_PHONE), i18n.current_locale(), within_param)
    out = OverviewOut(
        code=code,
        name=place.name if place else i18n.gettext("All"),
        level=place.level if place else None,
        generated_at=clock.now().isoformat(),
    )
    for tile in wanted:
        key = (code, tile, viewer)
        slow = tile in SLOW_TILES
        value = cache.get(key, FRESH_SECONDS if fresh and not slow else None) if use_cache else None
        if value is None:
            if tile == "duty":
                value = readiness.duty(session, scoped, principal)
            else:
                value = _BUILDERS[tile](session, scoped, within_param)
            cache.put(key, value, SLOW_TILES.get(tile, CACHE_SECONDS))
        setattr(out, tile, value)
    return out


def rotation(session: Session, principal: Principal) -> list[tuple[str, str]]:
    """(code, name) of the places one level below the principal's own, for the big screen's rotation."""
    own = places.root(session, principal)
    if own is None:
        return []
    return [(c.code, c.name) for c in places.children(session, principal, own.code)]
