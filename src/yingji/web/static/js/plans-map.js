/* Plan coverage on the one map (YingjiMap.define, see map.js): each county in scope filled by its
   coverage rate (plans in force against the plans it must have, rules/plan_coverage.json) — green
   at or above the goal (97 %, seed 001), red below it, the shade deeper the further below; a click
   opens the county's coverage table. */
(function () {
  "use strict";
  if (!window.YingjiMap) return;
  var YM = window.YingjiMap;
  var BANDS = [0, 9, 11, 13];
  var MEETS = "#2e7d32", BELOW = "#c62828", NONE = "#9e9e9e";
  function pct(x) { return x === null || x === undefined ? "—" : (Math.round(x * 1000) / 10) + "%"; }
  YM.define("plan_coverage", {
    url: function (ctx) {
      var z = ctx.zoom(), b = 0;
      BANDS.forEach(function (low) { if (z >= low) b = low; });
      return "/api/v1/plans/coverage/map?zoom=" + b;
    },
    marker: function (f) {
      var p = f.properties, colour = p.rate === null ? NONE : p.meets_goal ? MEETS : BELOW;
      var shade = p.rate === null || p.meets_goal ? 0.25 : Math.min(0.65, 0.25 + (p.goal - p.rate) * 2);
      return L.geoJSON(f, { pane: "ymWarn", style: { color: colour, weight: 2, fillColor: colour, fillOpacity: shade } });
    },
    popup: function (p) {
      var box = YM.link(p.url, p.name + " " + pct(p.rate), p.covered + " / " + p.total);
      return box;
    }
  });
})();
