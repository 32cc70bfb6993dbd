"""What readiness and assessment read: share of obligations met and sessions held, per subtree."""

from __future__ import annotations

from yingji.core import clock
from yingji.training import coverage


def test_share_and_sessions_held_per_subtree(city):
    year = clock.now().year
    with city.db.reading() as session:
        codes = [city.county_a, city.county_b, city.town_a, city.city]
        share = coverage.share(session, codes, year)
        held = coverage.sessions_held(session, codes, year)
        assert set(share) == set(codes) and set(held) == set(codes)
        for code in codes:
            met, obliged = share[code]
            assert 0 <= met <= obliged
        # the demo leaves people out on purpose: some obligations are not met, some are
        assert 0 < share[city.city][0] < share[city.city][1]
        assert share[city.city][1] >= share[city.county_a][1] + share[city.county_b][1]
        assert share[city.town_a][1] <= share[city.county_a][1]
        assert held[city.county_a] >= 1 and held[city.city] >= held[city.county_a] + held[city.county_b]
        assert coverage.share(session, [], year) == {}
        # another year: nothing held, nothing met
        assert coverage.sessions_held(session, [city.city], year - 5) == {city.city: 0}
        assert coverage.share(session, [city.city], year - 5)[city.city][0] == 0
