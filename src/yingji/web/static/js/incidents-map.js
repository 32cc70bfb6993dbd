/* Incidents on the one map: open incidents as coloured points (by grade), reloaded as the map moves.
   Load after map.js (which creates window.yingjiMap); a checkbox [data-layer="incidents"] toggles it. */
(function () {
  "use strict";
  var COLOURS = { I: "#c62828", II: "#ef6c00", III: "#f9a825", IV: "#1565c0" };
  var tries = 0;

  function start(map) {
    var layer = L.layerGroup().addTo(map);
    var generation = 0;
    var enabled = true;

    function bbox() {
      var b = map.getBounds().pad(0.2);
      return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) {
        return Math.max(-180, Math.min(180, v)).toFixed(4);
      }).join(",");
    }

    function popup(p) {
      var box = document.createElement("div");
      var a = document.createElement("a");
      a.href = "/incidents/" + encodeURIComponent(p.id);
      a.textContent = p.title;
      box.appendChild(a);
      var meta = document.createElement("div");
      meta.className = "small muted";
      meta.textContent = p.number + (p.grade ? " · " + p.grade : "");
      box.appendChild(meta);
      return box;
    }

    function load() {
      if (!enabled) return;
      var mine = ++generation;
      fetch("/api/v1/map/incidents?bbox=" + bbox(), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
        .then(function (fc) {
          if (mine !== generation) return;
          layer.clearLayers();
          fc.features.forEach(function (f) {
            var c = f.geometry.coordinates, p = f.properties;
            var colour = COLOURS[p.grade] || "#546e7a";
            L.circleMarker([c[1], c[0]], { radius: p.grade === "I" || p.grade === "II" ? 10 : 7, color: "#fff", weight: 2,
              fillColor: colour, fillOpacity: 0.9 }).bindPopup(popup(p)).addTo(layer);
          });
          map.getContainer().dataset.loadedIncidents = String(fc.features.length);
        })
        .catch(function () { /* the base map stays usable */ });
    }

    map.on("moveend", load);
    map.whenReady(load);  // the map gets its view only once the extent has arrived
    var box = document.querySelector('[data-layer="incidents"]');
    if (box) {
      box.addEventListener("change", function () {
        enabled = box.checked;
        if (enabled) { layer.addTo(map); load(); } else map.removeLayer(layer);
      });
    }
  }

  (function wait() {
    if (typeof L !== "undefined" && window.yingjiMap) { start(window.yingjiMap); return; }
    if (++tries < 50) setTimeout(wait, 100);
  })();
})();
