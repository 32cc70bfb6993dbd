/* The four-colour risk map (红橙黄蓝) on the one map (YingjiMap.define, see map.js): ~71,000
   enterprises and public places, so neutral clusters from the server until few enough are in
   view (no orange carpet at city zoom); then enterprises as dots and public places as squares in
   the colour of their highest level, major ones larger. */
(function () {
  "use strict";
  if (!window.YingjiMap) return;
  var YM = window.YingjiMap;
  var COLOUR = { red: "#c62828", orange: "#ef6c00", yellow: "#f9a825", blue: "#1565c0" };
  var renderer = null;
  YM.define("risk", {
    cluster: "risk",
    url: function (ctx) { return "/api/v1/map/risk?bbox=" + ctx.box(ctx.zoom()); },
    marker: function (f) {
      var p = f.properties, c = f.geometry.coordinates, colour = COLOUR[p.colour] || "#b0bec5";
      renderer = renderer || L.canvas({ padding: 0.3 });
      if (p.kind === "place") {
        var d = 0.0006;
        return L.rectangle([[c[1] - d, c[0] - d], [c[1] + d, c[0] + d]], { renderer: renderer, color: "#fff", weight: 1, fillColor: colour, fillOpacity: 0.9 });
      }
      return L.circleMarker([c[1], c[0]], { renderer: renderer, radius: p.level === "major" ? 7 : 5, color: p.hazardous ? "#263238" : "#fff",
        weight: p.hazardous ? 2 : 1, fillColor: colour, fillOpacity: 0.9 });
    },
    popup: function (p) { return YM.link(p.url, p.name, (p.label || "") + (p.what ? " · " + p.what : "")); }
  });
})();
