/* Cameras and video points on the one map (YingjiMap.define, see map.js): from zoom 10, small
   squares by status (online green, offline grey, out of order brown; red is kept for danger),
   village video rooms larger; the popup links to the camera's player. */
(function () {
  "use strict";
  if (!window.YingjiMap) return;
  var YM = window.YingjiMap;
  var COLOURS = { online: "#2e7d32", offline: "#78909c", fault: "#8d6e63" };
  YM.define("cameras", {
    minZoom: 10,
    url: function (ctx) { return "/api/v1/map/cameras?bbox=" + ctx.box(ctx.zoom()); },
    marker: function (f) {
      var p = f.properties, c = f.geometry.coordinates, size = p.kind === "village_room" ? 12 : 9;
      return L.marker([c[1], c[0]], {
        title: p.name,
        icon: YM.icon("ym-camera", size, '<i style="background:' + (COLOURS[p.status] || "#999") + '"></i>')
      });
    },
    popup: function (p) {
      return YM.link("/video/cameras/" + encodeURIComponent(p.id), p.name, p.kind_label + " · " + p.status_label);
    }
  });
})();
