"""The map as a panel any page includes (templates/_map_panel.html): which layers are on, compact
mode, the switcher grouped by theme and a legend entry for every layer of the catalogue."""

from __future__ import annotations

import re
from types import SimpleNamespace

from yingji.geo import catalog
from yingji.web.templating import env

SETTINGS = SimpleNamespace(tile_url="", tile_attribution="")


def _render(**options) -> str:
    src = "".join(f"{{% set {k} = {v!r} %}}" for k, v in options.items()) + '{% include "_map_panel.html" %}'
    return env.from_string(src).render(settings=SETTINGS, principal=None, version="t")


def test_the_panel_lists_every_layer_by_theme_with_a_legend():
    html = _render()
    groups = re.findall(r'data-ym-group="(\w+)"', html)
    assert groups == [
        "base",
        "events",
        "monitoring",
        "forces",
        "video",
        "risk",
        "plans",
        "relief",
        "governance",
    ]
    for key in catalog.KEYS:
        assert f'data-layer="{key}"' in html and f'data-legend-for="{key}"' in html
        assert f'data-ym-count="{key}"' in html
    on = re.search(r'data-layers-on="([^"]*)"', html).group(1).split(",")
    assert set(on) == catalog.layers_on(None) and "risk" not in on
    assert 'class="ym"' in html and "data-ym-panel open" in html


def test_a_page_chooses_the_layers_and_compact_mode():
    html = _render(map_layers="county,incidents,nonsense", map_compact=True, map_id="overview-map")
    assert 'id="overview-map"' in html and "ym ym-compact" in html
    assert re.search(r'data-layers-on="([^"]*)"', html).group(1) == "county,incidents"
    assert "data-ym-panel open" not in html  # folded in a tile
    assert re.search(r'data-layer="incidents" checked', html) and not re.search(
        r'data-layer="risk"[^>]* checked', html
    )
    without_assets = _render(map_assets=False)
    assert "map.js" not in without_assets and "map.js" in html
