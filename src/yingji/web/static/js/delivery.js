/* Live warning page: grid cells coloured by acknowledgement (green = confirmed, red = silent,
   amber = partly confirmed when cells are grouped by village), refreshed with the statistics;
   coverage meters sized from data-share (no inline styles under the CSP). */
(function () {
  "use strict";

  function meters(root) {
    (root || document).querySelectorAll(".meter-bar[data-share]").forEach(function (bar) {
      bar.style.width = Math.max(0, Math.min(100, Number(bar.dataset.share) || 0)) + "%";
    });
  }
  meters(document);
  document.body.addEventListener("htmx:afterSwap", function (e) { meters(e.target); refreshMap(); });

  var el = document.getElementById("live-map");
  var map = null, layer = null;
  function colour(p) {
    if (p.acked >= p.cells) return "#2e7d32";
    if (p.acked === 0) return "#c62828";
    return "#f9a825";
  }
  function refreshMap(fit) {
    if (!map) return;
    fetch(el.dataset.cellsUrl, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (fc) {
        if (!fc) return;
        if (layer) map.removeLayer(layer);
        layer = L.geoJSON(fc, {
          style: function (f) { return { color: "#37474f", weight: 0.6, fillColor: colour(f.properties), fillOpacity: 0.55 }; },
          onEachFeature: function (f, l) {
            var p = f.properties;
            l.bindTooltip(p.name + " · " + p.acked + "/" + p.cells + " " + (el.dataset.labelAcked || ""));
          }
        }).addTo(map);
        el.dataset.features = String(fc.features.length);
        if (fit && fc.features.length) map.fitBounds(layer.getBounds());
      });
  }
  if (el && typeof L !== "undefined") {
    map = L.map(el, { preferCanvas: true, zoomSnap: 0.5 });
    map.setView([27.7, 108.9], 8);
    if (el.dataset.tileUrl) L.tileLayer(el.dataset.tileUrl, { maxZoom: 18 }).addTo(map);
    var legend = L.control({ position: "bottomleft" });
    legend.onAdd = function () {
      var div = L.DomUtil.create("div", "legend-box");
      [["#2e7d32", "✓"], ["#f9a825", "½"], ["#c62828", "✗"]].forEach(function (pair) {
        var row = document.createElement("div");
        var swatch = document.createElement("i");
        swatch.style.background = pair[0];
        row.appendChild(swatch);
        row.appendChild(document.createTextNode(pair[1]));
        div.appendChild(row);
      });
      return div;
    };
    legend.addTo(map);
    refreshMap(true);
  }
})();
