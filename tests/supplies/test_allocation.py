"""The allocation optimiser: never worse than nearest-first, equal to an exhaustive search on small
cases, and the same answer with or without the candidate-arc shortcut on larger ones."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from yingji.supplies import allocation


def brute_force(supply: np.ndarray, demand: np.ndarray, cost: np.ndarray) -> float:
    """The cheapest way to ship min(stock, demand) of one item, by trying every integral plan."""
    n_s, n_d = cost.shape
    total = int(min(supply.sum(), demand.sum()))
    best = float("inf")
    cells = list(itertools.product(range(n_s), range(n_d)))
    ranges = [range(min(supply[i], demand[j]) + 1) for i, j in cells]
    for values in itertools.product(*ranges):
        x = np.zeros((n_s, n_d), dtype=int)
        for (i, j), v in zip(cells, values, strict=True):
            x[i, j] = v
        if x.sum() != total or (x.sum(1) > supply).any() or (x.sum(0) > demand).any():
            continue
        best = min(best, float((x * cost).sum()))
    return best


@pytest.mark.parametrize("seed", range(12))
def test_matches_the_exhaustive_search_on_small_cases(seed):
    rng = np.random.default_rng(seed)
    n_s, n_d = int(rng.integers(2, 4)), int(rng.integers(1, 3))
    supply = rng.integers(0, 4, n_s)
    demand = rng.integers(0, 4, n_d)
    cost = rng.integers(1, 30, (n_s, n_d)).astype(float)
    best = allocation.optimal(supply, demand, cost)
    assert best.cost == pytest.approx(brute_force(supply, demand, cost))
    assert best.cost <= allocation.greedy(supply, demand, cost).cost + 1e-9


def test_a_case_where_nearest_first_is_worse():
    # Store A is nearest to both points but can serve only one; nearest-first sends it to P1 and
    # makes P2 fetch from far away. The optimum sends A to P2.
    cost = np.array([[1.0, 2.0], [3.0, 100.0]])
    supply, demand = np.array([1, 1]), np.array([1, 1])
    quick, best = allocation.greedy(supply, demand, cost), allocation.optimal(supply, demand, cost)
    assert quick.cost == 101 and best.cost == 5
    assert allocation.saving(quick, best)["saving"] == 96


@pytest.mark.parametrize("short", [False, True])
def test_never_worse_than_greedy_and_exact_with_candidate_arcs(short):
    rng = np.random.default_rng(42)
    n_s, n_d, k = 120, 40, 4
    stores, points = rng.uniform(0, 1, (n_s, 2)), rng.uniform(0, 1, (n_d, 2))
    cost = np.sqrt(((stores[:, None] - points[None]) ** 2).sum(-1)) * 100
    supply = rng.integers(0, 3 if short else 20, (n_s, k))
    demand = rng.integers(0, 30 if short else 12, (n_d, k))
    best = allocation.optimal(supply, demand, cost)
    full = allocation.optimal(supply, demand, cost, candidates=10**6)  # every arc from the start
    quick = allocation.greedy(supply, demand, cost)
    assert best.cost == pytest.approx(full.cost)
    assert best.cost <= quick.cost + 1e-6
    shipped = best.shipments
    assert (
        (shipped >= 0).all()
        and (shipped.sum(axis=1) <= supply).all()
        and (shipped.sum(axis=0) <= demand).all()
    )
    assert shipped.sum() == quick.shipments.sum() == np.minimum(supply.sum(0), demand.sum(0)).sum()
    assert (best.unmet >= 0).all()


def test_bad_shapes_are_refused():
    with pytest.raises(ValueError):
        allocation.optimal(np.array([1, 2]), np.array([1]), np.ones((3, 1)))
