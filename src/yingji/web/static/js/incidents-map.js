/* Incidents on the one map (YingjiMap.define, see map.js): a diamond by grade in the national
   colours (I 红, II 橙, III 黄, IV 蓝; grey when not graded yet) with the grade written in it.
   Open incidents by default; with the time filter, every incident that occurred in the range. */
(function () {
  "use strict";
  if (!window.YingjiMap) return;
  var YM = window.YingjiMap;
  var COLOURS = { I: "#c62828", II: "#ef6c00", III: "#f9a825", IV: "#1565c0" };
  YM.define("incidents", {
    timed: true,
    live: true,
    url: function (ctx) { return "/api/v1/map/incidents?bbox=" + ctx.box(ctx.zoom()) + ctx.time(); },
    marker: function (f) {
      var c = f.geometry.coordinates, p = f.properties, g = p.grade || "";
      var size = g === "I" || g === "II" ? 26 : 22;
      var icon = L.divIcon({
        className: "",
        html: '<div class="ym-inc ym-g-' + (g || "none") + '" style="--c:' + (COLOURS[g] || "#78909c") + '"><b><span>' + g + "</span></b></div>",
        iconSize: [size, size], iconAnchor: [size / 2, size / 2]
      });
      return L.marker([c[1], c[0]], { icon: icon, title: p.title, zIndexOffset: 1000 });
    },
    popup: function (p) {
      return YM.link("/incidents/" + encodeURIComponent(p.id), p.title, p.number + (p.place ? " · " + p.place : "") + (p.grade ? " · " + p.grade : ""));
    }
  });
})();
