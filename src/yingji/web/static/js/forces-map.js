/* Rescue teams on the one map (YingjiMap.define, see map.js): clusters from the server at city
   zoom, then dots by readiness (on call green, deployed purple, resting blue, unavailable grey;
   red is kept for danger). Village teams are smaller. */
(function () {
  "use strict";
  if (!window.YingjiMap) return;
  var YM = window.YingjiMap;
  var COLOURS = { on_call: "#2e7d32", deployed: "#6a1b9a", resting: "#0277bd", unavailable: "#9e9e9e" };
  YM.define("teams", {
    cluster: "teams",
    url: function (ctx) { return "/api/v1/map/teams?bbox=" + ctx.box(ctx.zoom()); },
    marker: function (f) {
      var p = f.properties, c = f.geometry.coordinates;
      return L.circleMarker([c[1], c[0]], { radius: p.group === "village" ? 5 : 7, color: "#fff", weight: 1.5,
        fillColor: COLOURS[p.readiness] || "#9e9e9e", fillOpacity: 0.95 });
    },
    popup: function (p) {
      return YM.link("/forces/teams/" + encodeURIComponent(p.id), p.name, p.kind_label + " · " + p.readiness_label + " · " + p.members);
    }
  });
})();
