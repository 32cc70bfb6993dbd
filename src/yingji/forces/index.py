"""The nearest-team index: every active team's position, capabilities and readiness as numpy arrays,
one copy per process and database, rebuilt when ``forces_index_version`` moves.

A query is then a handful of vectorised operations over ~3,000 rows (scope, readiness and capability
masks, one travel-time estimate, a partial sort) instead of a database round trip per team.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.forces import codes
from yingji.forces.codes import Readiness
from yingji.forces.models import Team
from yingji.geo.travel import TravelModel, haversine_km, pool_of


@dataclass
class TeamIndex:
    """Arrays over the active, located teams of one database at one version."""

    version: int
    ids: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    caps: np.ndarray  # capability bit masks
    state: np.ndarray  # codes.READINESS_CODE
    members: np.ndarray
    places: np.ndarray  # jurisdiction codes (unicode)
    names: list[str]
    kinds: list[str]
    _scopes: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.ids)

    def in_scope(self, prefix: str) -> np.ndarray:
        """Boolean mask of the teams under ``prefix`` (cached per prefix)."""
        found = self._scopes.get(prefix)
        if found is None:
            found = np.char.startswith(self.places, prefix) if prefix else np.ones(len(self), dtype=bool)
            if len(self._scopes) > 256:
                self._scopes.clear()
            self._scopes[prefix] = found
        return found


def _build(session: Session, version: int) -> TeamIndex:
    rows = session.execute(
        select(
            Team.id,
            Team.lon,
            Team.lat,
            Team.capabilities,
            Team.readiness,
            Team.member_count,
            Team.jurisdiction_code,
            Team.name,
            Team.kind,
        )
        .where(Team.active, Team.lon.is_not(None), Team.lat.is_not(None))
        .order_by(Team.id)
    ).all()
    mask_of: dict[str, int] = {}
    caps = []
    for r in rows:
        m = mask_of.get(r.capabilities)
        if m is None:
            m = mask_of[r.capabilities] = codes.capability_mask(codes.split_codes(r.capabilities))
        caps.append(m)
    return TeamIndex(
        version=version,
        ids=np.array([r.id for r in rows], dtype=np.int64),
        lon=np.array([r.lon for r in rows], dtype=float),
        lat=np.array([r.lat for r in rows], dtype=float),
        caps=np.array(caps, dtype=np.int64),
        state=np.array([codes.READINESS_CODE.get(r.readiness, -1) for r in rows], dtype=np.int8),
        members=np.array([r.member_count for r in rows], dtype=np.int32),
        places=np.array([r.jurisdiction_code for r in rows], dtype="U15"),
        names=[r.name for r in rows],
        kinds=[r.kind for r in rows],
    )


# One index per database, keyed by its connection pool (shared by the read and write engines); weak, so a
# disposed database's index goes with its pool.
_cache: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_lock = threading.Lock()
# Plain SQL through the driver: this runs on every recommendation, and skips the ORM's per-call cost.
_VERSION_SQL = "SELECT version, (SELECT max(id) FROM road_networks) FROM forces_index_version WHERE id = 1"


def snapshot(session: Session) -> tuple[TeamIndex, int | None]:
    """The index of this session's database (rebuilt if a team changed since it was built) and the id
    of the road network in use — both read in one statement."""
    # Read the version first: a change committed after this read makes the next call rebuild again,
    # never the other way round (an index newer than its version is harmless, an older one is not).
    row = session.connection().exec_driver_sql(_VERSION_SQL).first()
    version, network_id = (row[0], row[1]) if row is not None else (0, None)
    key = pool_of(session)
    cached = _cache.get(key)
    if cached is not None and cached.version == version:
        return cached, network_id
    with _lock:
        cached = _cache.get(key)
        if cached is None or cached.version != version:
            cached = _build(session, version)
            _cache[key] = cached
        return cached, network_id


def current(session: Session) -> TeamIndex:
    """The index of this session's database, rebuilt if a team changed since it was built."""
    return snapshot(session)[0]


@dataclass(frozen=True)
class Candidate:
    """One team found near a place, with what it brings."""

    team_id: int
    name: str
    kind: str
    jurisdiction_code: str
    readiness: str
    minutes: float
    km: float
    by_road: bool
    members: int
    matched: tuple[str, ...]


STATE_OF_CODE = {v: k for k, v in codes.READINESS_CODE.items()}


def nearest(
    index: TeamIndex,
    lon: float,
    lat: float,
    needs: list[str] | tuple[str, ...],
    *,
    scope: str = "",
    model: TravelModel | None = None,
    limit: int = 10,
    states: tuple[str, ...] = (Readiness.ON_CALL,),
    exclude: set[int] | None = None,
) -> list[Candidate]:
    """The ``limit`` teams nearest by travel time, in one of ``states``, that bring a needed capability."""
    if len(index) == 0:
        return []
    need = codes.capability_mask(needs)
    mask = index.in_scope(scope)
    wanted = [codes.READINESS_CODE[s] for s in states]
    mask = mask & (index.state == wanted[0] if len(wanted) == 1 else np.isin(index.state, wanted))
    if need:
        mask = mask & ((index.caps & need) != 0)
    if exclude:
        mask = mask & ~np.isin(index.ids, list(exclude))
    rows = np.nonzero(mask)[0]
    if len(rows) == 0:
        return []
    model = model or TravelModel.from_env()
    estimate = model.estimate(np.column_stack([index.lon[rows], index.lat[rows]]), (lon, lat))
    minutes = estimate.minutes
    k = min(limit, len(rows))
    top = np.argpartition(minutes, k - 1)[:k] if k < len(rows) else np.arange(len(rows))
    top = top[np.lexsort((index.ids[rows[top]], minutes[top]))]
    km = haversine_km(index.lon[rows[top]], index.lat[rows[top]], lon, lat)
    out = []
    for j, pos in enumerate(top):
        i = rows[pos]
        bits = int(index.caps[i]) & need if need else int(index.caps[i])
        out.append(
            Candidate(
                team_id=int(index.ids[i]),
                name=index.names[i],
                kind=index.kinds[i],
                jurisdiction_code=str(index.places[i]),
                readiness=STATE_OF_CODE.get(int(index.state[i]), Readiness.UNAVAILABLE),
                minutes=float(minutes[pos]),
                km=float(km[j]),
                by_road=bool(estimate.by_road[pos]),
                members=int(index.members[i]),
                matched=tuple(c for c in codes.CAPABILITY_ORDER if bits & codes.CAPABILITY_BIT[c]),
            )
        )
    return out
