/* The four-colour risk layer (红橙黄蓝) of the one map: enterprises coloured by their highest risk
   point (circles) and public-place risk points (squares) from /api/v1/map/risk, reloaded as the
   map moves; below zoom 10 only major and high risks are asked for. Loaded after map.js, which
   exposes window.yingjiMap; the page needs a checkbox [data-layer="risk"] to switch it. */
(function () {
  "use strict";
  var COLOUR = { red: "#d32f2f", orange: "#ef6c00", yellow: "#f9a825", blue: "#1565c0" };
  function start(map) {
    var layer = L.layerGroup().addTo(map);
    var generation = 0;
    var box = document.querySelector('[data-layer="risk"]');
    var legend = document.getElementById("risk-legend");
    function popup(p) {
      var div = document.createElement("div");
      var a = document.createElement("a");
      a.href = p.url;
      a.textContent = p.name;
      div.appendChild(a);
      var info = document.createElement("div");
      info.className = "small muted";
      info.textContent = (p.label || "") + (p.what ? " · " + p.what : "");
      div.appendChild(info);
      return div;
    }
    function marker(f) {
      var p = f.properties, c = f.geometry.coordinates, colour = COLOUR[p.colour] || "#90a4ae";
      if (p.kind === "place") {
        var d = 0.0009;
        return L.rectangle([[c[1] - d, c[0] - d], [c[1] + d, c[0] + d]], { color: colour, weight: 2, fillOpacity: 0.7 });
      }
      return L.circleMarker([c[1], c[0]], { radius: p.level === "major" ? 7 : 5, color: colour, weight: p.hazardous ? 3 : 1, fillColor: colour, fillOpacity: 0.75 });
    }
    function load() {
      if (box && !box.checked) { layer.clearLayers(); return; }
      var b = map.getBounds().pad(0.1);
      var bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (x) { return x.toFixed(4); }).join(",");
      var url = "/api/v1/map/risk?bbox=" + bbox + (map.getZoom() < 10 ? "&min_level=high" : "");
      var mine = ++generation;
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
        .then(function (fc) {
          if (mine !== generation) return;
          layer.clearLayers();
          fc.features.forEach(function (f) { marker(f).bindPopup(popup(f.properties)).addTo(layer); });
          map.getContainer().dataset.loadedRisk = String(fc.features.length);
          if (legend && legend.dataset.shown) legend.title = legend.dataset.shown.replace("{n}", fc.features.length);
        })
        .catch(function () { /* the base map still works */ });
    }
    map.on("moveend", load);
    if (box) box.addEventListener("change", load);
    map.whenReady(load);  // map.js sets the view once the extent has arrived
  }
  var tries = 0;
  (function wait() {
    if (window.yingjiMap && typeof L !== "undefined") start(window.yingjiMap);
    else if (tries++ < 100) setTimeout(wait, 100);
  })();
})();
