"""Travel cost in minutes between places: straight line × road factor by default, a road network when loaded.

Without a road network the estimate is the great-circle (haversine) distance times a road factor
(roads wind: 1.4 on flat land, more in the mountain counties) divided by an average speed. With a road
network (GeoJSON LineStrings → a graph of nodes and timed edges), the time is the shortest path between
the network nodes nearest to both ends (scipy's Dijkstra), plus the two short legs to and from the road
estimated as above. Everything is vectorised with numpy so one destination against thousands of origins
costs one Dijkstra run and a few array operations.

The supplies side reuses this module: ``travel_minutes`` for one destination, ``TravelModel`` for a
matrix (``minutes_matrix``), ``model_for(session)`` for the model with the road network loaded in the
database, if any.
"""

from __future__ import annotations

import io
import itertools
import math
import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from yingji.config import env_float

EARTH_RADIUS_KM = 6371.0088
# Average speed of a rescue vehicle on county and town roads; the road factor turns a straight line into
# a road length. Estimates (no national standard); set YINGJI_TRAVEL_SPEED_KMH / YINGJI_ROAD_FACTOR.
DEFAULT_SPEED_KMH = 40.0
DEFAULT_ROAD_FACTOR = 1.4
# Mountain (karst) counties of Tongren wind more than the Bijiang valley: estimates, by county code prefix.
MOUNTAIN_ROAD_FACTORS: dict[str, float] = {
    "520603": 1.6,  # 万山区
    "520621": 1.6,  # 江口县 (梵净山)
    "520623": 1.6,  # 石阡县
    "520624": 1.6,  # 思南县
    "520625": 1.7,  # 印江县 (梵净山)
    "520626": 1.6,  # 德江县
    "520627": 1.7,  # 沿河县 (乌江峡谷)
    "520628": 1.6,  # 松桃县
}
# An end further than this from every road node is not "on the network": the straight estimate is used.
MAX_SNAP_KM = 10.0
_KM_PER_DEG_LAT = 110.574
_KM_PER_DEG_LON_EQUATOR = 111.320


def haversine_km(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Great-circle distance in km; arguments broadcast like numpy arrays."""
    lon1, lat1, lon2, lat2 = (np.radians(np.asarray(a, dtype=float)) for a in (lon1, lat1, lon2, lat2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in metres between two points, longitude first (as GeoJSON); the one
    scalar distance of the platform (``haversine_km`` for arrays)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * 1000.0 * math.asin(math.sqrt(min(a, 1.0)))


def _as_points(points) -> np.ndarray:
    """An (n, 2) float array of lon/lat from anything array-like ((lon, lat) alone gives n = 1)."""
    arr = np.asarray(points, dtype=float)
    if arr.ndim == 1:
        arr = arr.reshape(1, 2)
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise ValueError("points must be an (n, 2) array of lon, lat")
    return arr


class RoadNetworkInvalid(ValueError):
    """The GeoJSON does not describe a usable road network; ``args[0]`` is a reason code:
    ``not_geojson``, ``bad_coordinate``, ``out_of_bounds`` or ``no_lines``."""

    @property
    def reason(self) -> str:
        return str(self.args[0])


@dataclass
class RoadGraph:
    """Road nodes (lon/lat) and directed timed edges; built from GeoJSON, stored as compressed arrays."""

    node_lon: np.ndarray
    node_lat: np.ndarray
    edge_u: np.ndarray
    edge_v: np.ndarray
    edge_minutes: np.ndarray
    _tree: cKDTree = field(init=False, repr=False)
    _reverse: csr_matrix = field(init=False, repr=False)
    _cache: OrderedDict = field(init=False, repr=False, default_factory=OrderedDict)
    _lock: threading.Lock = field(init=False, repr=False, default_factory=threading.Lock)

    def __post_init__(self) -> None:
        n = len(self.node_lon)
        self._lat0 = float(np.mean(self.node_lat)) if n else 0.0
        self._tree = cKDTree(self._project(np.column_stack([self.node_lon, self.node_lat])))
        # Paths are searched backwards from the destination: the transposed graph, one Dijkstra per place.
        self._reverse = csr_matrix((self.edge_minutes, (self.edge_v, self.edge_u)), shape=(n, n))

    @property
    def node_count(self) -> int:
        return len(self.node_lon)

    @property
    def edge_count(self) -> int:
        return len(self.edge_u)

    def _project(self, points: np.ndarray) -> np.ndarray:
        """Local equirectangular km, good enough to find the nearest node."""
        kx = _KM_PER_DEG_LON_EQUATOR * math.cos(math.radians(self._lat0))
        return np.column_stack([points[:, 0] * kx, points[:, 1] * _KM_PER_DEG_LAT])

    def nearest_nodes(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Index of the nearest node of each point and the great-circle km to it."""
        _, idx = self._tree.query(self._project(points))
        idx = np.asarray(idx, dtype=np.int64)
        km = haversine_km(points[:, 0], points[:, 1], self.node_lon[idx], self.node_lat[idx])
        return idx, km

    def minutes_to_node(self, node: int) -> np.ndarray:
        """Shortest minutes from every node to ``node`` (inf where unreachable), cached per node."""
        with self._lock:
            hit = self._cache.get(node)
            if hit is not None:
                self._cache.move_to_end(node)
                return hit
        dist = dijkstra(self._reverse, directed=True, indices=node)
        with self._lock:
            self._cache[node] = dist
            while len(self._cache) > 64:
                self._cache.popitem(last=False)
        return dist

    @classmethod
    def from_geojson(cls, doc: dict, *, default_speed_kmh: float = DEFAULT_SPEED_KMH) -> RoadGraph:
        """Build the graph from a FeatureCollection of LineStrings / MultiLineStrings.

        Each consecutive vertex pair becomes an edge; shared vertices (6 decimals, ~0.1 m) join roads.
        Feature properties: ``speed_kmh`` (default: the average speed), ``oneway`` (true: drawn way only).
        """
        features = _features(doc)
        index: dict[tuple[float, float], int] = {}
        lons: list[float] = []
        lats: list[float] = []
        us: list[int] = []
        vs: list[int] = []
        speeds: list[float] = []
        oneways: list[bool] = []

        def node(coord) -> int:
            try:
                lon, lat = round(float(coord[0]), 6), round(float(coord[1]), 6)
            except (TypeError, ValueError, IndexError):
                raise RoadNetworkInvalid("bad_coordinate") from None
            if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                raise RoadNetworkInvalid("out_of_bounds")
            key = (lon, lat)
            found = index.get(key)
            if found is None:
                found = index[key] = len(lons)
                lons.append(lon)
                lats.append(lat)
            return found

        for feature in features:
            geometry = feature.get("geometry") or {}
            props = feature.get("properties") or {}
            speed = _speed(props.get("speed_kmh"), default_speed_kmh)
            oneway = props.get("oneway") in (True, "yes", "true", 1, "1")
            if geometry.get("type") == "LineString":
                lines = [geometry.get("coordinates") or []]
            elif geometry.get("type") == "MultiLineString":
                lines = geometry.get("coordinates") or []
            else:
                continue
            for line in lines:
                ids = [node(c) for c in line]
                for a, b in itertools.pairwise(ids):
                    if a != b:
                        us.append(a)
                        vs.append(b)
                        speeds.append(speed)
                        oneways.append(oneway)
        if not us:
            raise RoadNetworkInvalid("no_lines")
        node_lon, node_lat = np.array(lons), np.array(lats)
        u, v = np.array(us, dtype=np.int64), np.array(vs, dtype=np.int64)
        km = haversine_km(node_lon[u], node_lat[u], node_lon[v], node_lat[v])
        minutes = km / np.array(speeds) * 60.0
        two_way = ~np.array(oneways)
        u, v, minutes = (
            np.concatenate([u, v[two_way]]),
            np.concatenate([v, u[two_way]]),
            np.concatenate([minutes, minutes[two_way]]),
        )
        return cls._dedupe(node_lon, node_lat, u, v, minutes)

    @classmethod
    def _dedupe(cls, node_lon, node_lat, u, v, minutes) -> RoadGraph:
        """Keep the fastest of parallel edges (csr_matrix would add them up)."""
        minutes = np.maximum(minutes, 1e-6)  # a zero weight is "no edge" to scipy
        order = np.lexsort((minutes, v, u))
        u, v, minutes = u[order], v[order], minutes[order]
        keep = np.ones(len(u), dtype=bool)
        keep[1:] = (u[1:] != u[:-1]) | (v[1:] != v[:-1])
        return cls(node_lon, node_lat, u[keep], v[keep], minutes[keep])

    def to_bytes(self) -> bytes:
        """Compressed arrays, for the database or a file."""
        buf = io.BytesIO()
        np.savez_compressed(
            buf, lon=self.node_lon, lat=self.node_lat, u=self.edge_u, v=self.edge_v, minutes=self.edge_minutes
        )
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, blob: bytes) -> RoadGraph:
        """The inverse of ``to_bytes``."""
        with np.load(io.BytesIO(blob)) as z:
            return cls(z["lon"], z["lat"], z["u"], z["v"], z["minutes"])


def _features(doc: dict) -> list[dict]:
    if not isinstance(doc, dict):
        raise RoadNetworkInvalid("not_geojson")
    kind = doc.get("type")
    if kind == "FeatureCollection":
        features = doc.get("features")
        if not isinstance(features, list):
            raise RoadNetworkInvalid("not_geojson")
        return [f for f in features if isinstance(f, dict)]
    if kind == "Feature":
        return [doc]
    if kind in ("LineString", "MultiLineString"):
        return [{"type": "Feature", "geometry": doc, "properties": {}}]
    raise RoadNetworkInvalid("not_geojson")


def _speed(value, default: float) -> float:
    try:
        speed = float(value) if value not in (None, "") else default
    except (TypeError, ValueError):
        return default
    return speed if 1.0 <= speed <= 200.0 else default


@dataclass(frozen=True)
class TravelEstimate:
    """Minutes and, per origin, whether the road network was used (False: straight-line estimate)."""

    minutes: np.ndarray
    by_road: np.ndarray


@dataclass
class TravelModel:
    """How travel time is estimated: road factor and speed, and the road network when one is loaded."""

    road_factor: float = DEFAULT_ROAD_FACTOR
    speed_kmh: float = DEFAULT_SPEED_KMH
    roads: RoadGraph | None = None
    max_snap_km: float = MAX_SNAP_KM

    @classmethod
    def from_env(cls, roads: RoadGraph | None = None) -> TravelModel:
        """Defaults, overridden by YINGJI_ROAD_FACTOR and YINGJI_TRAVEL_SPEED_KMH."""
        factor = env_float("YINGJI_ROAD_FACTOR", DEFAULT_ROAD_FACTOR, 1.0, 5.0)
        speed = env_float("YINGJI_TRAVEL_SPEED_KMH", DEFAULT_SPEED_KMH, 5.0, 150.0)
        return cls(road_factor=factor, speed_kmh=speed, roads=roads)

    def for_place(self, code: str | None) -> TravelModel:
        """This model with the road factor of the county of ``code`` (mountain counties wind more)."""
        factor = MOUNTAIN_ROAD_FACTORS.get((code or "")[:6])
        if factor is None or self.road_factor != DEFAULT_ROAD_FACTOR:
            return self  # an explicit setting wins over the built-in county table
        return TravelModel(factor, self.speed_kmh, self.roads, self.max_snap_km)

    @property
    def method(self) -> str:
        return "road_network" if self.roads is not None else "straight_line"

    def straight_minutes(self, km) -> np.ndarray:
        """Minutes for a straight-line distance, with the road factor."""
        return np.asarray(km, dtype=float) * self.road_factor / self.speed_kmh * 60.0

    def estimate(self, origins, destination) -> TravelEstimate:
        """Minutes from each origin ((n, 2) lon/lat) to one destination (lon, lat)."""
        origins = _as_points(origins)
        dest = _as_points(destination)[0]
        straight = self.straight_minutes(haversine_km(origins[:, 0], origins[:, 1], dest[0], dest[1]))
        if self.roads is None or len(origins) == 0:
            return TravelEstimate(straight, np.zeros(len(origins), dtype=bool))
        dest_node, dest_km = self.roads.nearest_nodes(dest.reshape(1, 2))
        if dest_km[0] > self.max_snap_km:
            return TravelEstimate(straight, np.zeros(len(origins), dtype=bool))
        to_dest = self.roads.minutes_to_node(int(dest_node[0]))
        nodes, access_km = self.roads.nearest_nodes(origins)
        road = self.straight_minutes(access_km) + to_dest[nodes] + self.straight_minutes(dest_km[0])
        by_road = np.isfinite(road) & (access_km <= self.max_snap_km)
        return TravelEstimate(np.where(by_road, road, straight), by_road)

    def minutes_to(self, origins, destination) -> np.ndarray:
        """Minutes from each origin to one destination."""
        return self.estimate(origins, destination).minutes

    def minutes_matrix(self, origins, destinations) -> np.ndarray:
        """An (n, m) matrix of minutes from each origin to each destination (one Dijkstra per destination)."""
        origins = _as_points(origins)
        destinations = _as_points(destinations)
        if self.roads is None:
            km = haversine_km(
                origins[:, 0:1], origins[:, 1:2], destinations[None, :, 0], destinations[None, :, 1]
            )
            return self.straight_minutes(km)
        out = np.empty((len(origins), len(destinations)))
        for j, dest in enumerate(destinations):
            out[:, j] = self.minutes_to(origins, dest)
        return out


def travel_minutes(origins, destination, model: TravelModel | None = None) -> np.ndarray:
    """Minutes from each origin ((n, 2) lon/lat) to ``destination`` (lon, lat); straight line by default."""
    return (model or TravelModel.from_env()).minutes_to(origins, destination)


# The loaded network per database, keyed by its connection pool (weak: it goes with a disposed database).
_loaded: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_loaded_lock = threading.Lock()


_LATEST = object()


def pool_of(session):
    """The connection pool of a session's database: a per-process cache key shared by its engines."""
    bind = session.get_bind()
    return getattr(bind, "pool", None) or bind.engine.pool


def latest_network_id(session) -> int | None:
    """The id of the road network in use (the newest loaded), or None."""
    from sqlalchemy import select

    from yingji.geo.models import RoadNetwork

    return session.execute(select(RoadNetwork.id).order_by(RoadNetwork.id.desc()).limit(1)).scalar()


def model_for(session, code: str | None = None, *, network_id=_LATEST) -> TravelModel:
    """The travel model of this database (its road network, cached per process) for place ``code``.

    ``network_id`` saves a query when the caller already read ``latest_network_id`` with other things.
    """
    from sqlalchemy import select

    from yingji.geo.models import RoadNetwork

    latest = latest_network_id(session) if network_id is _LATEST else network_id
    roads = None
    if latest is not None:
        key = pool_of(session)
        with _loaded_lock:
            cached = _loaded.get(key)
        if cached is not None and cached[0] == latest:
            roads = cached[1]
        else:
            blob = session.execute(select(RoadNetwork.graph).where(RoadNetwork.id == latest)).scalar_one()
            roads = RoadGraph.from_bytes(blob)
            with _loaded_lock:
                _loaded[key] = (latest, roads)
    return TravelModel.from_env(roads).for_place(code)
