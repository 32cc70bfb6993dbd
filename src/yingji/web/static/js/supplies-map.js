/* The stores layer of the one map: county, town and village stores as circle markers from
   /api/v1/map/stores, reloaded as the map moves; red when below the minimum area, grey when empty.
   Loaded by templates/map.html after map.js (which exposes window.yingjiMap). */
(function () {
  "use strict";
  var RADIUS = { city: 9, county: 8, town: 6, village: 4 };
  function start(map) {
    var layer = L.layerGroup().addTo(map);
    var generation = 0;
    var box = document.querySelector('[data-layer="stores"]');
    function colour(p) {
      if (p.area_ok === false) return "#c62828";
      if (!p.units) return "#9e9e9e";
      return p.level === "village" ? "#2e7d32" : "#1565c0";
    }
    function popup(p) {
      var div = document.createElement("div");
      var a = document.createElement("a");
      a.href = p.url;
      a.textContent = p.name;
      div.appendChild(a);
      var info = document.createElement("div");
      info.className = "small muted";
      info.textContent = p.units + " · " + (p.area_m2 === null ? "" : p.area_m2 + " m²");
      div.appendChild(info);
      return div;
    }
    function load() {
      if (box && !box.checked) { layer.clearLayers(); return; }
      var b = map.getBounds().pad(0.2);
      var bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (x) { return x.toFixed(4); }).join(",");
      var mine = ++generation;
      fetch("/api/v1/map/stores?bbox=" + bbox, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
        .then(function (fc) {
          if (mine !== generation) return;
          layer.clearLayers();
          fc.features.forEach(function (f) {
            var p = f.properties;
            if (p.level === "village" && map.getZoom() < 10) return;
            var c = f.geometry.coordinates;
            L.circleMarker([c[1], c[0]], { radius: RADIUS[p.level] || 4, color: colour(p), weight: 2, fillOpacity: 0.6 })
              .bindPopup(popup(p)).addTo(layer);
          });
          map.getContainer().dataset.loadedStores = String(fc.features.length);
        })
        .catch(function () { /* the base map still works */ });
    }
    map.on("moveend", load);
    if (box) box.addEventListener("change", load);
    map.whenReady(load);
  }
  var tries = 0;
  (function wait() {
    if (window.yingjiMap && typeof L !== "undefined") start(window.yingjiMap);
    else if (tries++ < 100) setTimeout(wait, 100);
  })();
})();
