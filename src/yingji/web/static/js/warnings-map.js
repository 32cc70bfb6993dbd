/* Warnings in force on the one map (YingjiMap.define, see map.js): the divisions each warning
   covers, filled by its level (红橙黄蓝), the most serious on top; a click opens the warning. */
(function () {
  "use strict";
  if (!window.YingjiMap) return;
  var YM = window.YingjiMap;
  var COLOUR = { red: "#c62828", orange: "#ef6c00", yellow: "#f9a825", blue: "#1565c0" };
  var BANDS = [0, 9, 11, 13];
  YM.define("warnings", {
    live: true,
    url: function (ctx) {
      var z = ctx.zoom(), b = 0;
      BANDS.forEach(function (low) { if (z >= low) b = low; });
      return "/api/v1/map/warnings?zoom=" + b;
    },
    marker: function (f) {
      var c = COLOUR[f.properties.level] || "#78909c";
      return L.geoJSON(f, { pane: "ymWarn", style: { color: c, weight: 2.5, fillColor: c, fillOpacity: 0.2 } });
    },
    popup: function (p) { return YM.link(p.url, p.headline, p.place); }
  });
})();
