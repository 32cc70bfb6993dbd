/* The one map (一张图): our own division boundaries as the base layer, drawn level by level
   as the user zooms in; village label points clustered. An optional tile layer when the
   deployment has a tile server (data-tile-url). */
(function () {
  "use strict";
  var el = document.getElementById("map");
  if (!el || typeof L === "undefined") return;
  var statusEl = document.getElementById("map-status");
  var map = L.map(el, { zoomControl: true, preferCanvas: true, minZoom: 5, maxZoom: 18, zoomSnap: 0.5 });
  window.yingjiMap = map;  // for tests and the console
  if (el.dataset.tileUrl) {
    L.tileLayer(el.dataset.tileUrl, { attribution: el.dataset.tileAttribution || "", maxZoom: 18 }).addTo(map);
  }
  var ZOOM = { county: 0, town: 9, village: 11, group: 13 };
  var STYLE = {
    county: { color: "#0d2f5e", weight: 2, fillColor: "#5c8dd6", fillOpacity: 0.12 },
    town: { color: "#ef6c00", weight: 1.5, fillOpacity: 0, dashArray: "4 3" },
    village: { color: "#2e7d32", weight: 1, fillOpacity: 0 },
    group: { color: "#9e9e9e", weight: 0.7, fillColor: "#f9a825", fillOpacity: 0.05 }
  };
  var layers = {}, loaded = {}, counts = {};
  // Each request for a level gets a number; an answer that is no longer the latest one (the
  // user zoomed or panned again, or zoomed out below the level) is dropped, not drawn.
  var generation = {};
  var enabled = { county: true, town: true, village: true, group: true, "village-points": true };

  function label(key) { return statusEl ? statusEl.dataset[key] || key : key; }
  function showStatus(text) { if (statusEl) statusEl.textContent = text; }

  function popup(feature, layer) {
    var p = feature.properties;
    var a = document.createElement("a");
    a.href = "/places/" + encodeURIComponent(p.code);
    a.textContent = p.name;
    var box = document.createElement("div");
    box.appendChild(a);
    var code = document.createElement("div");
    code.className = "small muted";
    code.textContent = p.code;
    box.appendChild(code);
    layer.bindPopup(box);
    if (p.level === "county" || p.level === "town") {
      layer.bindTooltip(p.name, { permanent: p.level === "county", direction: "center", className: "place-label" });
    }
  }

  function bboxParam() {
    var b = map.getBounds().pad(0.2);
    return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (x) { return x.toFixed(4); }).join(",");
  }

  function fetchJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.json().then(function (body) { return { body: body, truncated: r.headers.get("X-Truncated") === "true" }; });
    });
  }

  function loadLevel(level, whole) {
    var url = "/api/v1/map/features?level=" + level + (whole ? "" : "&bbox=" + bboxParam());
    var mine = generation[level] = (generation[level] || 0) + 1;
    return fetchJSON(url).then(function (res) {
      if (mine !== generation[level]) return null;  // stale: a newer request or a zoom-out won
      if (layers[level]) map.removeLayer(layers[level]);
      layers[level] = L.geoJSON(res.body, { style: STYLE[level], onEachFeature: popup });
      if (enabled[level]) layers[level].addTo(map);
      counts[level] = res.body.features.length + (res.truncated ? "+" : "");
      loaded[level] = true;
      el.dataset["loaded" + level.charAt(0).toUpperCase() + level.slice(1)] = String(res.body.features.length);
      return res.body;
    });
  }

  var clusters = null;
  function loadVillagePoints() {
    return fetchJSON("/api/v1/map/points?level=village").then(function (res) {
      clusters = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 50, disableClusteringAtZoom: 13 });
      res.body.points.forEach(function (p) {
        var m = L.marker([p[3], p[2]], { title: p[1] });
        m.bindPopup('<a href="/places/' + encodeURIComponent(p[0]) + '"></a>');
        m.on("popupopen", function (e) { e.popup.getElement().querySelector("a").textContent = p[1]; });
        clusters.addLayer(m);
      });
      if (enabled["village-points"]) clusters.addTo(map);
    });
  }

  function refresh() {
    var z = map.getZoom();
    var jobs = [];
    ["town", "village", "group"].forEach(function (level) {
      if (z >= ZOOM[level]) jobs.push(loadLevel(level, false));
      else {
        generation[level] = (generation[level] || 0) + 1;  // answers still on their way are stale
        if (layers[level]) { map.removeLayer(layers[level]); delete layers[level]; }
        counts[level] = 0;
        el.dataset["loaded" + level.charAt(0).toUpperCase() + level.slice(1)] = "0";
      }
    });
    Promise.all(jobs).then(report, function () { showStatus("!"); });
  }

  function report() {
    var parts = [];
    [["county", "counties"], ["town", "towns"], ["village", "villages"], ["group", "groups"]].forEach(function (pair) {
      if (counts[pair[0]]) parts.push(counts[pair[0]] + " " + label(pair[1]));
    });
    var text = parts.join(" · ");
    if (parts.some(function (p) { return p.indexOf("+") >= 0; })) text += " (" + label("truncated") + ")";
    showStatus(text);
  }

  document.querySelectorAll("[data-layer]").forEach(function (box) {
    box.addEventListener("change", function () {
      var key = box.dataset.layer;
      enabled[key] = box.checked;
      var layer = key === "village-points" ? clusters : layers[key];
      if (!layer) return;
      if (box.checked) layer.addTo(map); else map.removeLayer(layer);
    });
  });

  // On a phone the layer panel starts folded so the map stays visible.
  var panel = document.getElementById("map-panel");
  if (panel && window.matchMedia("(max-width: 760px)").matches) panel.removeAttribute("open");

  showStatus(label("loading"));
  fetchJSON("/api/v1/map/extent").then(function (res) {
    var b = res.body.bbox;
    if (b) map.fitBounds([[b[1], b[0]], [b[3], b[2]]]);
    else map.setView([27.7, 108.9], 8);
    return loadLevel("county", true);
  }).then(function (fc) {
    var target = location.hash.slice(1);
    var found = false;
    if (target && layers.county) {
      layers.county.eachLayer(function (l) {
        if (l.feature.properties.code === target) { map.fitBounds(l.getBounds()); found = true; }
      });
    }
    if (target && !found) {  // a town, village or group: centre on its label point
      fetchJSON("/api/v1/jurisdictions/" + encodeURIComponent(target)).then(function (res) {
        var zoomFor = { town: 11, village: 13, group: 15 };
        if (res.body.lat) map.setView([res.body.lat, res.body.lon], zoomFor[res.body.level] || 9);
      });
    }
    el.dataset.ready = "true";
    report();
    loadVillagePoints();
    map.on("moveend", refresh);
    refresh();
  }).catch(function () { showStatus("!"); });
})();
