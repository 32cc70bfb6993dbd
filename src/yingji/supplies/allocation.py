"""Allocation of supplies from several stores to several demand points: the minimum total travel cost
(a transportation problem per item, solved as a linear programme with HiGHS through SciPy) and the
greedy nearest-first answer beside it. Pure functions over arrays: no database here.

Both answers ship the same amount — min(stock, demand) per item — so their costs compare directly;
what cannot be supplied is reported as unmet. The transportation matrix is totally unimodular, so
the simplex vertex HiGHS returns is integral. Large instances are solved on a few candidate arcs per
demand point (the nearest stores), adding every arc whose reduced cost is negative until none is
left (column generation): the answer is the optimum of the full problem.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

EPS = 1e-7


@dataclass
class Plan:
    """Shipments as an (S, D, K) array of units, their total cost (Σ units × minutes), what is unmet
    per demand point and item, and the seconds it took."""

    shipments: np.ndarray
    cost: float
    unmet: np.ndarray
    seconds: float
    method: str

    def flows(self) -> list[tuple[int, int, int, int]]:
        """(store, demand point, item, units) of every non-zero shipment."""
        s, d, k = np.nonzero(self.shipments)
        return [
            (int(a), int(b), int(c), int(self.shipments[a, b, c])) for a, b, c in zip(s, d, k, strict=True)
        ]


def _check(supply: np.ndarray, demand: np.ndarray, cost: np.ndarray) -> tuple[np.ndarray, ...]:
    supply = np.asarray(supply, dtype=np.int64)
    demand = np.asarray(demand, dtype=np.int64)
    cost = np.asarray(cost, dtype=float)
    if supply.ndim == 1:
        supply, demand = supply[:, None], demand[:, None]
    if cost.shape != (supply.shape[0], demand.shape[0]) or supply.shape[1] != demand.shape[1]:
        raise ValueError("shapes: supply (S, K), demand (D, K), cost (S, D)")
    if (supply < 0).any() or (demand < 0).any() or not np.isfinite(cost).all():
        raise ValueError("supply and demand must be non-negative, costs finite")
    return supply, demand, cost


def _plan(shipments: np.ndarray, demand: np.ndarray, cost: np.ndarray, started: float, method: str) -> Plan:
    total = float(np.einsum("sdk,sd->", shipments, cost))
    unmet = demand - shipments.sum(axis=0)
    return Plan(shipments, total, unmet, time.perf_counter() - started, method)


def greedy(supply, demand, cost) -> Plan:
    """Nearest first: take the cheapest (store, demand point) pair still open, ship all it can."""
    started = time.perf_counter()
    supply, demand, cost = _check(supply, demand, cost)
    n_s, n_d = cost.shape
    order = np.argsort(cost, axis=None, kind="stable")
    stores, points = np.divmod(order, n_d)
    out = np.zeros((n_s, n_d, supply.shape[1]), dtype=np.int64)
    for k in range(supply.shape[1]):
        left_s = supply[:, k].copy()
        left_d = demand[:, k].copy()
        need = int(min(left_s.sum(), left_d.sum()))
        if need == 0:
            continue
        live = (left_s[stores] > 0) & (left_d[points] > 0)
        for i, j in zip(stores[live], points[live], strict=True):
            q = min(left_s[i], left_d[j])
            if q:
                out[i, j, k] = q
                left_s[i] -= q
                left_d[j] -= q
                need -= q
                if need == 0:
                    break
    return _plan(out, demand, cost, started, "greedy")


def optimal(supply, demand, cost, *, candidates: int = 8) -> Plan:
    """The minimum-cost allocation (exact), item by item."""
    started = time.perf_counter()
    supply, demand, cost = _check(supply, demand, cost)
    out = np.zeros((cost.shape[0], cost.shape[1], supply.shape[1]), dtype=np.int64)
    for k in range(supply.shape[1]):
        si = np.flatnonzero(supply[:, k])
        dj = np.flatnonzero(demand[:, k])
        if len(si) == 0 or len(dj) == 0:
            continue
        x = solve_one(supply[si, k], demand[dj, k], cost[np.ix_(si, dj)], candidates=candidates)
        out[np.ix_(si, dj, [k])] = x[:, :, None]
    return _plan(out, demand, cost, started, "optimal")


def _initial_arcs(s: np.ndarray, d: np.ndarray, c: np.ndarray, candidates: int) -> np.ndarray:
    """For each demand point its nearest stores until they hold twice its demand (at least a few),
    and for each store its nearest points."""
    mask = np.zeros(c.shape, dtype=bool)
    order = np.argsort(c, axis=0, kind="stable")
    for j in range(c.shape[1]):
        cum = np.cumsum(s[order[:, j]])
        upto = int(np.searchsorted(cum, 2 * d[j])) + 1
        mask[order[: max(upto, candidates), j], j] = True
    if s.sum() >= d.sum():
        return mask
    # Stock is short, so all of it gets used: every store also reaches its nearest points.
    nearest = np.argsort(c, axis=1, kind="stable")[:, :candidates]
    mask[np.arange(c.shape[0])[:, None], nearest] = True
    return mask


def solve_one(s: np.ndarray, d: np.ndarray, c: np.ndarray, *, candidates: int = 8) -> np.ndarray:
    """One item: stores with stock ``s``, points with demand ``d``, costs ``c`` → integral shipments.

    Each point also has an "unmet" arc at a cost above any route, so the restricted problems are
    always feasible and the optimum leaves unmet only what no stock can cover."""
    n_s, n_d = c.shape
    penalty = float(c.max(initial=0.0)) * 10 + 1.0
    mask = _initial_arcs(s, d, c, candidates) if n_s * n_d > 4000 else np.ones(c.shape, dtype=bool)
    for _ in range(50):
        rows, cols = np.nonzero(mask)
        n = len(rows)
        obj = np.concatenate([c[rows, cols], np.full(n_d, penalty)])
        a_ub = coo_matrix((np.ones(n), (rows, np.arange(n))), shape=(n_s, n + n_d)).tocsr()
        eq_rows = np.concatenate([cols, np.arange(n_d)])
        a_eq = coo_matrix((np.ones(n + n_d), (eq_rows, np.arange(n + n_d))), shape=(n_d, n + n_d)).tocsr()
        res = linprog(
            obj,
            A_ub=a_ub,
            b_ub=s.astype(float),
            A_eq=a_eq,
            b_eq=d.astype(float),
            bounds=(0, None),
            method="highs-ds",
        )
        if res.status != 0:
            raise RuntimeError(f"allocation LP failed: {res.message}")
        reduced = c - res.ineqlin.marginals[:, None] - res.eqlin.marginals[None, :]
        missing = (~mask) & (reduced < -EPS)
        if not missing.any():
            x = np.zeros(c.shape, dtype=np.int64)
            x[rows, cols] = np.rint(res.x[:n]).astype(np.int64)
            return x
        mask |= missing
    raise RuntimeError("allocation did not converge")


def saving(greedy_plan: Plan, optimal_plan: Plan) -> dict:
    """How much the optimal answer saves over nearest-first (absolute and as a share)."""
    saved = greedy_plan.cost - optimal_plan.cost
    return {
        "greedy_cost": round(greedy_plan.cost, 1),
        "optimal_cost": round(optimal_plan.cost, 1),
        "saving": round(saved, 1),
        "saving_share": round(saved / greedy_plan.cost, 4) if greedy_plan.cost else 0.0,
    }
