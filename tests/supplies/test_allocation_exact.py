"""Supply allocation to the letter, written against mutation-test survivors (docs/MUTATION.md):
whole plans, flows, unmet amounts and costs on small instances checked by hand, the refusals with
their messages, nearest-first's tie order, the candidate arcs of large instances, and column
generation reaching the optimum of the full problem (checked against one dense linear programme
built here). Pure functions: no database."""

from __future__ import annotations

import time
from types import SimpleNamespace

import numpy as np
import pytest
from scipy.optimize import linprog

from yingji.supplies import allocation

SHAPES = "shapes: supply (S, K), demand (D, K), cost (S, D)"
SIGNS = "supply and demand must be non-negative, costs finite"

# Two stores, two demand points, three items. Item 0 is out of stock everywhere; item 1 is the
# crossing case (store 0 is nearest to both points but holds one unit); item 2 is short (3 in stock,
# 4 wanted) and only store 1 holds it.
COST = np.array([[1.0, 2.0], [3.0, 100.0]])
SUPPLY = np.array([[0, 1, 0], [0, 1, 3]])
DEMAND = np.array([[2, 1, 2], [1, 1, 2]])


def test_nearest_first_plan_by_hand():
    plan = allocation.greedy(SUPPLY, DEMAND, COST)
    # Item 1: store 0 → point 0 (1 min), then store 1 → point 1 (100). Item 2: store 1 → point 0
    # for 2 (3 min each), the last unit to point 1 (100).
    assert plan.flows() == [(0, 0, 1, 1), (1, 0, 2, 2), (1, 1, 1, 1), (1, 1, 2, 1)]
    assert plan.cost == 1 + 100 + 2 * 3 + 100
    assert plan.unmet.tolist() == [[2, 0, 0], [1, 0, 1]]
    assert plan.method == "greedy"
    assert plan.shipments.dtype.kind == "i" and plan.unmet.dtype.kind == "i"


def test_optimal_plan_by_hand():
    plan = allocation.optimal(SUPPLY, DEMAND, COST)
    # Item 1: store 0 → point 1 (2), store 1 → point 0 (3). Item 2 as nearest-first: the three units
    # must ship, and 2 × 3 + 100 beats 3 + 2 × 100.
    assert plan.flows() == [(0, 1, 1, 1), (1, 0, 1, 1), (1, 0, 2, 2), (1, 1, 2, 1)]
    assert plan.cost == 2 + 3 + 2 * 3 + 100
    assert plan.unmet.tolist() == [[2, 0, 0], [1, 0, 1]]
    assert plan.method == "optimal"
    assert plan.shipments.dtype.kind == "i" and plan.unmet.dtype.kind == "i"
    assert allocation.saving(allocation.greedy(SUPPLY, DEMAND, COST), plan) == {
        "greedy_cost": 207.0,
        "optimal_cost": 111.0,
        "saving": 96.0,
        "saving_share": 0.4638,  # 96 / 207 = 0.463768…
    }


def test_one_item_as_a_vector_and_the_time_taken():
    for method in (allocation.greedy, allocation.optimal):
        before = time.perf_counter()
        plan = method(np.array([3, 0]), np.array([1, 1]), np.array([[5.0, 7.0], [1.0, 1.0]]))
        took = time.perf_counter() - before
        assert plan.flows() == [(0, 0, 0, 1), (0, 1, 0, 1)] and plan.cost == 12
        assert plan.shipments.shape == (2, 2, 1) and plan.unmet.tolist() == [[0], [0]]
        assert 0 <= plan.seconds <= took


def test_a_store_at_the_demand_point_ships():
    # Zero minutes everywhere: the "unmet" arc must still cost more than any route.
    for cost in (np.zeros((2, 2)), np.full((2, 2), 0.1)):
        plan = allocation.optimal(np.array([2, 1]), np.array([1, 2]), cost)
        assert plan.shipments.sum() == 3 and plan.unmet.tolist() == [[0], [0]]


def test_solve_one_returns_whole_units():
    x = allocation.solve_one(np.array([2, 2]), np.array([3]), np.array([[4.0], [1.0]]))
    assert x.tolist() == [[1], [2]] and x.dtype.kind == "i"
    # No store at all: nothing ships, and the answer still has one row per store (none).
    none = allocation.solve_one(np.zeros(0, dtype=np.int64), np.array([3]), np.zeros((0, 1)))
    assert none.shape == (0, 1)


def test_counts_are_whole_units():
    # A fractional count is cut to its whole part, so nothing ships beyond the stock.
    plan = allocation.optimal(np.array([2.7]), np.array([3]), np.array([[1.0]]))
    assert plan.flows() == [(0, 0, 0, 2)] and plan.unmet.tolist() == [[1]]
    plan = allocation.optimal(np.array([3]), np.array([2.7]), np.array([[1.0]]))
    assert plan.flows() == [(0, 0, 0, 2)] and plan.unmet.tolist() == [[0]]


@pytest.mark.parametrize(
    ("supply", "demand", "cost", "message"),
    [
        ([1, 2], [1], np.ones((3, 1)), SHAPES),
        ([1, 2], [1], np.ones((1, 2)), SHAPES),
        ([[1, 2]], [[1]], np.ones((1, 1)), SHAPES),  # two items in stock, one asked for
        ([-1, 2], [1], np.ones((2, 1)), SIGNS),
        ([1, 2], [-1], np.ones((2, 1)), SIGNS),
        ([1, 2], [1], [[1.0], [np.inf]], SIGNS),
        ([1, 2], [1], [[np.nan], [1.0]], SIGNS),
        ([1, 2], [1], [[None], [1.0]], SIGNS),  # a route without a time
    ],
)
def test_refusals(supply, demand, cost, message):
    for method in (allocation.greedy, allocation.optimal):
        with pytest.raises(ValueError) as caught:
            method(supply, demand, cost)
        assert str(caught.value) == message


def test_saving_rounds_costs_to_a_tenth_and_the_share_to_four_places():
    def plan(cost: float) -> allocation.Plan:
        return allocation.Plan(np.zeros((1, 1, 1), dtype=np.int64), cost, np.zeros((1, 1)), 0.0, "x")

    assert allocation.saving(plan(10.26), plan(5.43)) == {
        "greedy_cost": 10.3,
        "optimal_cost": 5.4,
        "saving": 4.8,
        "saving_share": 0.4708,  # 4.83 / 10.26 = 0.470760…
    }
    assert allocation.saving(plan(3.0), plan(2.0))["saving_share"] == 0.3333
    nothing = allocation.saving(plan(0.0), plan(0.0))
    assert nothing == {"greedy_cost": 0.0, "optimal_cost": 0.0, "saving": 0.0, "saving_share": 0.0}


def nearest_first(supply: np.ndarray, demand: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """The documented rule, written out: pairs by (minutes, store, point), each ships all it can."""
    left_s, left_d = supply.copy(), demand.copy()
    x = np.zeros(cost.shape, dtype=np.int64)
    for _, i, j in sorted((cost[i, j], i, j) for i in range(cost.shape[0]) for j in range(cost.shape[1])):
        q = min(left_s[i], left_d[j])
        x[i, j] += q
        left_s[i] -= q
        left_d[j] -= q
    return x


@pytest.mark.parametrize("seed", range(6))
def test_nearest_first_breaks_ties_by_store_then_point(seed):
    rng = np.random.default_rng(seed)
    cost = rng.integers(0, 3, (5, 5)).astype(float)  # many equal times
    supply, demand = rng.integers(0, 3, 5), rng.integers(0, 3, 5)
    plan = allocation.greedy(supply, demand, cost)
    assert plan.shipments[:, :, 0].tolist() == nearest_first(supply, demand, cost).tolist()


# -- large instances: candidate arcs and column generation --------------------------------------------
def test_initial_arcs_hold_twice_the_demand():
    # Point 0 (demand 3) takes stores 0, 1, 2 in order of minutes: together they hold 6 = 2 × 3.
    # Point 1 (demand 1) takes store 4, which alone holds 2. Stock (10) covers demand (4): no more.
    c = np.array([[1, 5], [2, 4], [3, 3], [4, 2], [5, 1]], dtype=float)
    s, d = np.array([2, 2, 2, 2, 2]), np.array([3, 1])
    assert allocation._initial_arcs(s, d, c, 1).tolist() == [[1, 0], [1, 0], [1, 0], [0, 0], [0, 1]]
    # At least ``candidates`` stores per point.
    assert allocation._initial_arcs(s, d, c, 4).tolist() == [[1, 0], [1, 1], [1, 1], [1, 1], [0, 1]]


def test_initial_arcs_when_stock_is_short():
    c = np.array([[1, 2], [2, 1], [3, 4]], dtype=float)
    s = np.array([2, 2, 2])
    # Stock 6 equals demand 1 + 5: not short. Point 0 takes store 0; point 1 needs 10, so all stores.
    assert allocation._initial_arcs(s, np.array([1, 5]), c, 1).tolist() == [[1, 1], [0, 1], [0, 1]]
    # Stock 6 < demand 11: every store also reaches its nearest point (store 2 → point 0).
    assert allocation._initial_arcs(s, np.array([1, 10]), c, 1).tolist() == [[1, 1], [0, 1], [1, 1]]


def initial_arcs(s: np.ndarray, d: np.ndarray, c: np.ndarray, candidates: int) -> np.ndarray:
    """The documented rule, written out; equally near stores (points) are taken in their order."""
    n_s, n_d = c.shape
    mask = np.zeros(c.shape, dtype=bool)
    for j in range(n_d):
        held = 0
        for rank, (_, i) in enumerate(sorted((c[i, j], i) for i in range(n_s))):
            if rank >= candidates and held >= 2 * d[j]:
                break
            mask[i, j] = True
            held += s[i]
    if s.sum() < d.sum():
        for i in range(n_s):
            for _, j in sorted((c[i, j], j) for j in range(n_d))[:candidates]:
                mask[i, j] = True
    return mask


@pytest.mark.parametrize("seed", range(8))
def test_initial_arcs_take_equally_near_stores_in_order(seed):
    rng = np.random.default_rng(seed)
    c = rng.integers(0, 3, (20, 20)).astype(float)  # many equally near stores and points
    s, d = rng.integers(0, 4, 20), rng.integers(0, 4 if seed % 2 else 12, 20)  # odd seeds: short
    assert allocation._initial_arcs(s, d, c, 2).tolist() == initial_arcs(s, d, c, 2).tolist()


@pytest.mark.parametrize(("n_s", "n_d", "shortcut"), [(40, 100, False), (100, 40, False), (1, 4001, True)])
def test_candidate_arcs_only_above_4000_arcs(monkeypatch, n_s, n_d, shortcut):
    calls = []
    initial_arcs = allocation._initial_arcs

    def spy(s, d, c, candidates):
        calls.append(candidates)
        return initial_arcs(s, d, c, candidates)

    monkeypatch.setattr(allocation, "_initial_arcs", spy)
    cost = np.add.outer(np.arange(n_s), np.arange(n_d) % 7).astype(float)
    plan = allocation.optimal(np.full(n_s, 5000), np.ones(n_d, dtype=np.int64), cost, candidates=3)
    assert plan.shipments.sum() == n_d
    assert calls == ([3] if shortcut else [])


def full_lp_cost(s: np.ndarray, d: np.ndarray, c: np.ndarray) -> float:
    """The cheapest way to ship min(stock, demand) with every arc present: one dense LP."""
    n_s, n_d = c.shape
    rows = np.kron(np.eye(n_s), np.ones(n_d))  # what leaves each store
    cols = np.kron(np.ones(n_s), np.eye(n_d))  # what reaches each point
    res = linprog(
        c.ravel(),
        A_ub=np.vstack([rows, cols]),
        b_ub=np.concatenate([s, d]).astype(float),
        A_eq=np.ones((1, n_s * n_d)),
        b_eq=[float(min(s.sum(), d.sum()))],
        bounds=(0, None),
        method="highs",
    )
    assert res.status == 0
    return float(res.fun)


@pytest.mark.parametrize("spare", [True, False])
def test_column_generation_reaches_the_full_optimum(spare):
    # 10 stores near every point hold 100 units; 90 far stores hold the rest. Each point's first
    # arcs are its 8 nearest stores, which cannot cover 50 points × 5: the far arcs must be priced in.
    rng = np.random.default_rng(7)
    n_s, n_d = 100, 50
    cost = np.vstack([rng.uniform(1, 10, (10, n_d)), rng.uniform(100, 200, (90, n_d))])
    supply = np.full(n_s, 10 if spare else 2)
    demand = np.full(n_d, 5)
    plan = allocation.optimal(supply, demand, cost)
    shipped = plan.shipments[:, :, 0]
    assert shipped.sum() == min(supply.sum(), demand.sum())
    assert (shipped.sum(axis=1) <= supply).all() and (shipped.sum(axis=0) <= demand).all()
    assert plan.cost == pytest.approx(full_lp_cost(supply, demand, cost))


def test_a_failed_solve_is_an_error(monkeypatch):
    def refusing(*args, **kwargs):
        return SimpleNamespace(status=2, message="The problem is infeasible.")

    monkeypatch.setattr(allocation, "linprog", refusing)
    with pytest.raises(RuntimeError) as caught:
        allocation.optimal(np.array([1]), np.array([1]), np.array([[1.0]]))
    assert str(caught.value) == "allocation LP failed: The problem is infeasible."
