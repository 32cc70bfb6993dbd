/* Teams on the one map: load after map.js (which sets window.yingjiMap). The map panel's
   [data-layer="teams"] checkbox switches the layer; teams are dots coloured by readiness,
   reloaded as the map moves. */
(function () {
  "use strict";
  var map = window.yingjiMap;
  if (!map || typeof L === "undefined") return;
  var COLOURS = { on_call: "#2e7d32", deployed: "#c62828", resting: "#1565c0", unavailable: "#78909c" };
  var layer = L.layerGroup();
  var box = document.querySelector('[data-layer="teams"]');
  var enabled = !box || box.checked, generation = 0;
  if (enabled) layer.addTo(map);
  if (box) {
    box.addEventListener("change", function () {
      enabled = box.checked;
      if (enabled) { layer.addTo(map); load(); } else map.removeLayer(layer);
    });
  }
  function popup(p) {
    var box = document.createElement("div");
    var a = document.createElement("a");
    a.href = "/forces/teams/" + encodeURIComponent(p.id);
    a.textContent = p.name;
    box.appendChild(a);
    var line = document.createElement("div");
    line.className = "small muted";
    line.textContent = p.kind_label + " · " + p.readiness_label + " · " + p.members;
    box.appendChild(line);
    return box;
  }
  function load() {
    if (!enabled || map.getZoom() < 8) { layer.clearLayers(); return; }
    var b = map.getBounds().pad(0.2);
    var bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (x) { return x.toFixed(4); }).join(",");
    var mine = ++generation;
    fetch("/api/v1/map/teams?bbox=" + bbox, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
      .then(function (fc) {
        if (mine !== generation) return;
        layer.clearLayers();
        fc.features.forEach(function (f) {
          var p = f.properties, c = f.geometry.coordinates;
          var radius = p.group === "village" ? 4 : 7;
          L.circleMarker([c[1], c[0]], { radius: radius, color: "#fff", weight: 1, fillColor: COLOURS[p.readiness] || "#999", fillOpacity: 0.9 })
            .bindPopup(popup(p)).addTo(layer);
        });
        document.getElementById("map").dataset.loadedTeams = String(fc.features.length);
      })
      .catch(function () { /* the other layers still work */ });
  }
  map.on("moveend", load);
  map.whenReady(load);
})();
