/* Shelters on the one map (YingjiMap.define, see map.js): squares by status (open green, full purple,
   not in use grey; red stays for danger), larger for county and city shelters; the popup gives
   occupancy against capacity and links to the shelter's page. */
(function () {
  "use strict";
  if (!window.YingjiMap) return;
  var YM = window.YingjiMap;
  var COLOURS = { open: "#2e7d32", full: "#6a1b9a", closed: "#78909c" };
  YM.define("shelters", {
    url: function (ctx) { return "/api/v1/map/shelters?bbox=" + ctx.box(ctx.zoom()); },
    marker: function (f) {
      var p = f.properties, c = f.geometry.coordinates;
      var size = p.level === "village" ? 11 : (p.level === "town" ? 14 : 17);
      return L.marker([c[1], c[0]], {
        title: p.name,
        icon: YM.icon("ym-shelter", size, '<i style="display:block;width:' + size + 'px;height:' + size + 'px;border:2px solid #fff;border-radius:3px;box-sizing:border-box;box-shadow:0 0 0 1px #455a64;background:' + (COLOURS[p.status] || "#999") + '"></i>')
      });
    },
    popup: function (p) {
      return YM.link("/shelters/" + encodeURIComponent(p.id), p.name,
        p.status_label + " · " + p.occupancy + " / " + p.capacity + " · " + p.class_label);
    }
  });
})();
