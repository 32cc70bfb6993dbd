"""The layers of the one map, grouped by theme, with their legends: one list that the map panel
(templates/_map_panel.html), its layer switcher and its legend are rendered from.

Colours follow the national conventions: incident grades I–IV 红橙黄蓝 (特别重大/重大/较大/一般),
warning and alarm levels 红橙黄蓝, the four-colour risk map 红橙黄蓝. Clusters are neutral
blue-grey with a count, so that no colour on the map means "many".
"""

from __future__ import annotations

from dataclasses import dataclass, field

from yingji.core.i18n import N_

GRADE = {"I": "#c62828", "II": "#ef6c00", "III": "#f9a825", "IV": "#1565c0"}
LEVEL = {"red": "#c62828", "orange": "#ef6c00", "yellow": "#f9a825", "blue": "#1565c0"}
CLUSTER = "#546e7a"


@dataclass(frozen=True)
class Key:
    """One legend entry: a swatch (``shape``: dot, diamond, area, line, pulse, cluster, label)."""

    label: str
    colour: str = CLUSTER
    shape: str = "dot"


@dataclass(frozen=True)
class Layer:
    key: str
    label: str
    legend: tuple[Key, ...] = ()
    note: str = ""  # e.g. "from zoom 9"
    short: str = ""  # one character on the layer's clusters (which layer a count belongs to)
    timed: bool = False  # the time filter applies
    default: bool = False  # on when the page does not say


@dataclass(frozen=True)
class Group:
    key: str
    label: str
    layers: tuple[Layer, ...] = field(default_factory=tuple)


_LEVELS = (
    Key(N_("Red"), LEVEL["red"], "area"),
    Key(N_("Orange"), LEVEL["orange"], "area"),
    Key(N_("Yellow"), LEVEL["yellow"], "area"),
    Key(N_("Blue"), LEVEL["blue"], "area"),
)
_CLUSTER = Key(N_("Cluster (count only)"), CLUSTER, "cluster")

GROUPS: tuple[Group, ...] = (
    Group(
        "base",
        N_("Base"),
        (
            Layer("county", N_("Counties"), (Key(N_("County boundary"), "#37474f", "line"),), default=True),
            Layer(
                "town",
                N_("Towns / streets"),
                (Key(N_("Town boundary"), "#78909c", "line"),),
                N_("zoom 9+"),
                default=True,
            ),
            Layer(
                "village",
                N_("Villages / communities"),
                (Key(N_("Village boundary"), "#90a4ae", "line"),),
                N_("zoom 11+"),
                default=True,
            ),
            Layer(
                "group",
                N_("Grid cells (village groups)"),
                (Key(N_("Grid cell"), "#b0bec5", "line"),),
                N_("zoom 13+"),
            ),
            Layer(
                "labels",
                N_("Place names"),
                (Key(N_("County · town · village by zoom"), "#263238", "label"),),
                default=True,
            ),
            Layer(
                "villages",
                N_("Village markers"),
                (_CLUSTER, Key(N_("Village"), "#607d8b", "dot")),
                short=N_("V (village, one character)"),
            ),
        ),
    ),
    Group(
        "events",
        N_("Incidents and warnings"),
        (
            Layer(
                "incidents",
                N_("Incidents"),
                (
                    Key(N_("Grade I (especially major)"), GRADE["I"], "diamond"),
                    Key(N_("Grade II (major)"), GRADE["II"], "diamond"),
                    Key(N_("Grade III (large)"), GRADE["III"], "diamond"),
                    Key(N_("Grade IV (general)"), GRADE["IV"], "diamond"),
                    Key(N_("Not graded yet"), "#78909c", "diamond"),
                ),
                timed=True,
                default=True,
            ),
            Layer("warnings", N_("Warnings in force"), _LEVELS, default=True),
        ),
    ),
    Group(
        "monitoring",
        N_("Monitoring"),
        (
            Layer(
                "alarms",
                N_("Alarms"),
                tuple(Key(k.label, k.colour, "pulse") for k in _LEVELS),
                timed=True,
                default=True,
            ),
            Layer(
                "hazards",
                N_("Hazard points"),
                (_CLUSTER, Key(N_("Hazard point"), "#00695c", "dot")),
                short=N_("H (hazard point, one character)"),
            ),
        ),
    ),
    Group(
        "forces",
        N_("Forces and supplies"),
        (
            Layer(
                "teams",
                N_("Rescue teams"),
                (
                    _CLUSTER,
                    Key(N_("On call"), "#2e7d32"),
                    Key(N_("Deployed"), "#6a1b9a"),
                    Key(N_("Resting"), "#0277bd"),
                    Key(N_("Unavailable"), "#9e9e9e"),
                ),
                short=N_("T (rescue team, one character)"),
            ),
            Layer(
                "stores",
                N_("Supplies stores"),
                (
                    _CLUSTER,
                    Key(N_("Store"), "#3949ab", "square"),
                    Key(N_("Below the minimum area"), "#8d6e63", "square"),
                    Key(N_("Empty"), "#bdbdbd", "square"),
                ),
                short=N_("S (supplies store, one character)"),
            ),
        ),
    ),
    Group(
        "video",
        N_("Video"),
        (
            Layer(
                "cameras",
                N_("Cameras and video points"),
                (
                    Key(N_("Online"), "#2e7d32", "square"),
                    Key(N_("Offline"), "#78909c", "square"),
                    Key(N_("Fault"), "#8d6e63", "square"),
                ),
                note=N_("from zoom 10"),
            ),
        ),
    ),
    Group(
        "risk",
        N_("Risk"),
        (
            Layer(
                "risk",
                N_("Four-colour risk map"),
                (
                    _CLUSTER,
                    Key(N_("Major risks in the cluster"), LEVEL["red"], "hot"),
                    Key(N_("Major risk"), LEVEL["red"]),
                    Key(N_("High risk"), LEVEL["orange"]),
                    Key(N_("General risk"), LEVEL["yellow"]),
                    Key(N_("Low risk"), LEVEL["blue"]),
                    Key(N_("Not assessed"), "#b0bec5"),
                ),
                short=N_("R (risk place, one character)"),
            ),
        ),
    ),
    Group(
        "plans",
        N_("Plans"),
        (
            Layer(
                "plan_coverage",
                N_("Plan coverage by county"),
                (
                    Key(N_("At or above the coverage goal"), "#2e7d32", "area"),
                    Key(N_("Below the coverage goal"), LEVEL["red"], "area"),
                    Key(N_("Nothing required"), "#9e9e9e", "area"),
                ),
            ),
        ),
    ),
    # issue 13: shelters (shelters/maplayer.py, static/js/shelters-map.js)
    Group(
        "relief",
        N_("Disaster relief"),
        (
            Layer(
                "shelters",
                N_("Emergency shelters"),
                (
                    Key(N_("Open, room left"), "#2e7d32", "square"),
                    Key(N_("Full"), "#6a1b9a", "square"),
                    Key(N_("Not in use"), "#78909c", "square"),
                ),
            ),
        ),
    ),
    # issue 14: readiness scorecards (readiness/board.py points, static/js/readiness-map.js)
    Group(
        "governance",
        N_("Supervision and assessment"),
        (
            Layer(
                "readiness",
                N_("Readiness scorecards"),
                (
                    Key(N_("Every item met"), "#2e7d32"),
                    Key(N_("Half or more met"), LEVEL["yellow"]),
                    Key(N_("Less than half met"), LEVEL["red"]),
                ),
            ),
        ),
    ),
)

KEYS = tuple(layer.key for g in GROUPS for layer in g.layers)


def layers_on(wanted: str | list[str] | None) -> set[str]:
    """The layers on at first: ``wanted`` (a list or comma-separated keys), else each layer's default."""
    if wanted is None:
        return {layer.key for g in GROUPS for layer in g.layers if layer.default}
    keys = wanted.split(",") if isinstance(wanted, str) else wanted
    return {k.strip() for k in keys if k.strip() in KEYS}
