/* Monitoring on the one map (YingjiMap.define, see map.js):
   - alarms: hazard points with alarms, a pulsing dot by the worst level (红橙黄蓝); open alarms by
     default, with the time filter every alarm raised in the range;
   - hazard points: ~30,000 in the demo city, so clusters computed on the server until few enough
     are in view; then small dots of one neutral colour (their alarms are the other layer). */
(function () {
  "use strict";
  if (!window.YingjiMap) return;
  var YM = window.YingjiMap;
  var LEVEL = { red: "#c62828", orange: "#ef6c00", yellow: "#f9a825", blue: "#1565c0" };
  YM.define("alarms", {
    timed: true,
    live: true,
    url: function (ctx) { return "/api/v1/map/alarms?bbox=" + ctx.box(ctx.zoom()) + ctx.time(); },
    marker: function (f) {
      var c = f.geometry.coordinates, p = f.properties;
      var size = p.level === "red" || p.level === "orange" ? 30 : 24;
      var icon = L.divIcon({ className: "", html: '<div class="ym-alarm ym-lv-' + p.level + '" style="--c:' + (LEVEL[p.level] || "#c62828") + '"></div>',
        iconSize: [size, size], iconAnchor: [size / 2, size / 2] });
      return L.marker([c[1], c[0]], { icon: icon, title: p.name, zIndexOffset: 900 });
    },
    popup: function (p) { return YM.link(p.url, p.name, p.code + " · " + p.alarms + " ⚠"); }
  });
  var renderer = null;
  YM.define("hazards", {
    cluster: "hazards",
    url: function (ctx) { return "/api/v1/map/hazards?bbox=" + ctx.box(ctx.zoom()); },
    marker: function (f, ctx) {
      var c = f.geometry.coordinates;
      renderer = renderer || L.canvas({ padding: 0.3 });
      return L.circleMarker([c[1], c[0]], { renderer: renderer, radius: 4, color: "#fff", weight: 1, fillColor: "#00695c", fillOpacity: 0.85 });
    },
    popup: function (p) { return YM.link("/monitoring/points/" + encodeURIComponent(p.id), p.name, p.code + (p.alarms ? " · " + p.alarms + " ⚠" : "")); }
  });
})();
