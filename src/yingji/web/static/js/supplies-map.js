/* Supplies stores on the one map (YingjiMap.define, see map.js): clusters from the server at city
   zoom, then squares: indigo, brown when below the minimum area, light grey when empty. */
(function () {
  "use strict";
  if (!window.YingjiMap) return;
  var YM = window.YingjiMap;
  var SIZE = { city: 16, county: 15, town: 12, village: 9 };
  function colour(p) {
    if (p.area_ok === false) return "#8d6e63";
    if (!p.units) return "#bdbdbd";
    return "#3949ab";
  }
  YM.define("stores", {
    cluster: "stores",
    url: function (ctx) { return "/api/v1/map/stores?bbox=" + ctx.box(ctx.zoom()); },
    marker: function (f) {
      var p = f.properties, c = f.geometry.coordinates, s = SIZE[p.level] || 9;
      var icon = L.divIcon({ className: "", html: '<i class="ym-sw ym-sw-square" style="--c:' + colour(p) + ';width:' + s + "px;height:" + s + 'px"></i>',
        iconSize: [s, s], iconAnchor: [s / 2, s / 2] });
      return L.marker([c[1], c[0]], { icon: icon, title: p.name });
    },
    popup: function (p) { return YM.link(p.url, p.name, p.units + (p.area_m2 === null ? "" : " · " + p.area_m2 + " m²")); }
  });
})();
