/* Hazard points and their open alarms on the one map (load after map.js, which creates
   window.yingjiMap). Points come from /api/v1/map/hazards for the visible box, reloaded as the map
   moves; alarmed points are larger and coloured by their highest open alarm (红橙黄蓝).
   A checkbox [data-layer="hazards"] toggles the layer, [data-layer="hazards-alarmed"] shows only alarmed ones. */
(function () {
  "use strict";
  var COLOURS = { red: "#c62828", orange: "#ef6c00", yellow: "#f9a825", blue: "#1565c0" };
  var KIND = { geological: "#6d4c41", flash_flood: "#00838f", waterlogging: "#3949ab", reservoir: "#0277bd", forest_fire: "#2e7d32", drowning: "#5e35b1" };
  var tries = 0;

  function start(map) {
    var renderer = L.canvas({ padding: 0.3 });
    var layer = L.layerGroup().addTo(map);
    var generation = 0, enabled = true, alarmedOnly = false;

    function bbox() {
      var b = map.getBounds().pad(0.2);
      return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) {
        return Math.max(-180, Math.min(180, v)).toFixed(4);
      }).join(",");
    }
    function popup(p) {
      var box = document.createElement("div");
      var a = document.createElement("a");
      a.href = "/monitoring/points/" + encodeURIComponent(p.id);
      a.textContent = p.name;
      box.appendChild(a);
      var meta = document.createElement("div");
      meta.className = "small muted";
      meta.textContent = p.code + (p.alarms ? " · " + p.alarms + " ⚠" : "");
      box.appendChild(meta);
      return box;
    }
    function load() {
      if (!enabled) return;
      var mine = ++generation;
      var zoomedOut = map.getZoom() < 10;
      var url = "/api/v1/map/hazards?bbox=" + bbox() + (alarmedOnly || zoomedOut ? "&alarmed=1" : "");
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
        .then(function (fc) {
          if (mine !== generation) return;
          layer.clearLayers();
          fc.features.forEach(function (f) {
            var c = f.geometry.coordinates, p = f.properties;
            var alarmed = !!p.alarm;
            L.circleMarker([c[1], c[0]], {
              renderer: renderer, radius: alarmed ? 9 : 4, weight: alarmed ? 2 : 1, color: "#fff",
              fillColor: alarmed ? COLOURS[p.alarm] : (KIND[p.kind] || "#546e7a"), fillOpacity: alarmed ? 0.95 : 0.7
            }).bindPopup(popup(p)).addTo(layer);
          });
          map.getContainer().dataset.loadedHazards = String(fc.features.length);
        })
        .catch(function () { /* the base map stays usable */ });
    }
    map.on("moveend", load);
    map.whenReady(load);  // map.js sets the view once the extent has arrived
    var box = document.querySelector('[data-layer="hazards"]');
    if (box) box.addEventListener("change", function () {
      enabled = box.checked;
      if (enabled) { layer.addTo(map); load(); } else map.removeLayer(layer);
    });
    var only = document.querySelector('[data-layer="hazards-alarmed"]');
    if (only) only.addEventListener("change", function () { alarmedOnly = only.checked; load(); });
  }

  (function wait() {
    if (typeof L !== "undefined" && window.yingjiMap) { start(window.yingjiMap); return; }
    if (++tries < 50) setTimeout(wait, 100);
  })();
})();
