/* The one map (一张图), on every element with data-yingji-map (templates/_map_panel.html).
   Base without tiles: our county shapes in soft tints with a shadow (a light relief), town, village
   and grid boundaries by zoom, place names by zoom with a halo and without overlaps. Point layers
   are defined by the domains' *-map.js files through YingjiMap.define(key, spec); large ones come
   as neutral clusters computed on the server (/api/v1/map/clusters/…) until few enough to draw.
   Boundaries are fetched once per zoom band (the server simplifies them per band); every request
   of a layer uses a box snapped to a grid, so a small pan asks the same URL again and the browser
   answers from its cache or with a 304. An optional tile layer when data-tile-url is set.

   YingjiMap.define(key, spec), spec = {
     url(ctx)        the layer's GeoJSON for the view: ctx.box(zoom) a snapped bbox, ctx.time() the
                     time filter as "&since=…&until=…", ctx.zoom();
     marker(f, ctx)  a Leaflet layer for one feature; popup(props, f) an element (link to its page);
     cluster         a /api/v1/map/clusters/<name> layer: neutral clusters until few enough;
     timed, live     the time filter applies; reloaded on "yingji:event" and every 60 s;
     features(body)  when the answer is not a FeatureCollection;
     group, label, on  for a layer the panel does not list: its row is added to that group. } */
(function () {
  "use strict";
  if (window.YingjiMap) return;
  var specs = {}, order = [];
  var YM = window.YingjiMap = {
    define: function (key, spec) { if (!specs[key]) order.push(key); specs[key] = spec; },
    maps: []
  };

  // -- small helpers shared with the layer files -----------------------------------------------
  YM.link = function (href, text, meta) {
    var box = document.createElement("div");
    var a = document.createElement("a");
    a.href = href;
    a.textContent = text || "—";
    box.appendChild(a);
    if (meta) {
      var m = document.createElement("div");
      m.className = "small muted";
      m.textContent = meta;
      box.appendChild(m);
    }
    return box;
  };
  YM.icon = function (className, size, html) {
    return L.divIcon({ className: "", html: '<div class="' + className + '">' + (html || "") + "</div>", iconSize: [size, size], iconAnchor: [size / 2, size / 2] });
  };

  // Village markers (clustered on the server; names and a link when drawn one by one).
  YM.define("villages", {
    cluster: "villages",
    url: function (ctx) { return "/api/v1/map/points?level=village&bbox=" + ctx.box(ctx.zoom()); },
    features: function (body) {
      return body.points.map(function (p) { return { geometry: { coordinates: [p[2], p[3]] }, properties: { code: p[0], name: p[1] } }; });
    },
    marker: function (f) {
      var c = f.geometry.coordinates;
      return L.circleMarker([c[1], c[0]], { radius: 4, color: "#fff", weight: 1, fillColor: "#607d8b", fillOpacity: 0.9 });
    },
    popup: function (p) { return YM.link("/places/" + encodeURIComponent(p.code), p.name, p.code); }
  });

  var LEVEL_MIN = { county: 0, town: 9, village: 11, group: 13 };
  var BANDS = [0, 9, 11, 13];  // geo/simplify.py BANDS: the lowest zoom of each band
  var TINTS = ["#f4f1e8", "#eef2e9", "#eaf0f4", "#f3eef0", "#f1f0e4", "#e9efee"];
  var LINE = {
    town: { color: "#78909c", weight: 1.2, dashArray: "5 3", fill: false },
    village: { color: "#90a4ae", weight: 0.8, fill: false },
    group: { color: "#b0bec5", weight: 0.6, fill: false }
  };

  function band(z) { var b = 0; BANDS.forEach(function (low) { if (z >= low) b = low; }); return b; }
  function hash(s) { var h = 0; for (var i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) | 0; return Math.abs(h); }

  function fetchJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.json().then(function (body) {
        return { body: body, count: r.headers.get("X-Feature-Count"), truncated: r.headers.get("X-Truncated") === "true" };
      });
    });
  }

  function init(el) {
    if (el.dataset.ymStarted) return;
    el.dataset.ymStarted = "true";
    var root = el.closest("[data-ym-root]") || el.parentNode;
    var $ = function (sel) { return root.querySelector(sel); };
    var statusEl = $("[data-ym-status]");
    var tiles = !!el.dataset.tileUrl;
    var map = L.map(el, { zoomControl: true, minZoom: 5, maxZoom: 18, zoomSnap: 0.5 });
    if (!window.yingjiMap) window.yingjiMap = map;  // the older *-map.js pattern and the tests
    map.yingji = { el: el, root: root };
    YM.maps.push(map);
    [["ymBase", 200], ["ymWarn", 330], ["ymLines", 360], ["ymLabels", 650]].forEach(function (p) {
      map.createPane(p[0]).style.zIndex = p[1];
    });
    map.getPane("ymLabels").style.pointerEvents = "none";
    var baseRenderer = L.svg({ pane: "ymBase" }), lineRenderer = L.canvas({ pane: "ymLines", padding: 0.3 });
    if (tiles) L.tileLayer(el.dataset.tileUrl, { attribution: el.dataset.tileAttribution || "", maxZoom: 18 }).addTo(map);

    var on = {};
    (el.dataset.layersOn || "").split(",").forEach(function (k) { if (k) on[k] = true; });
    var time = { mode: "live", since: null, until: null };

    function setCount(key, text) {
      var c = root.querySelector('[data-ym-count="' + key + '"]');
      if (c) c.textContent = text === "" || text === null || text === undefined ? "" : String(text);
      el.dataset["count" + key.charAt(0).toUpperCase() + key.slice(1)] = text === null || text === undefined ? "" : String(text);
    }
    function status(text) { if (statusEl) statusEl.textContent = text || ""; }

    // A box around the view snapped to blocks of the zoom's grid (as the server's clusters are).
    function snappedBox(z) {
      var block = 90 / Math.pow(2, Math.floor(z)) * 8;
      var b = map.getBounds();
      function down(v, off) { return Math.floor((v + off) / block) * block - off; }
      var box = [down(b.getWest(), 180), down(b.getSouth(), 90), down(b.getEast(), 180) + block, down(b.getNorth(), 90) + block];
      box = [Math.max(-180, box[0]), Math.max(-90, box[1]), Math.min(180, box[2]), Math.min(90, box[3])];
      return box.map(function (x) { return x.toFixed(5); }).join(",");
    }
    function timeParams() {
      var p = "";
      if (time.since) p += "&since=" + encodeURIComponent(time.since);
      if (time.until) p += "&until=" + encodeURIComponent(time.until);
      return p;
    }
    var ctx = { map: map, el: el, box: snappedBox, time: timeParams, tiles: tiles, zoom: function () { return map.getZoom(); } };

    // -- boundaries ----------------------------------------------------------------------------
    var bounds = {}, drawn = {}, bandOf = {}, cache = {};
    ["county", "town", "village", "group"].forEach(function (lv) { bounds[lv] = L.layerGroup(); drawn[lv] = {}; });

    // The shaded base is the county layer, or for a town or village officer (whose scope holds no
    // county) the shapes of their own level.
    var digits = Number(el.dataset.scopeDigits || 0);
    var baseLevel = digits >= 12 ? "village" : digits >= 9 ? "town" : "county";
    function styleFor(level, f) {
      if (level !== baseLevel) return LINE[level];
      return { color: "#37474f", weight: 1.6, fillColor: TINTS[hash(f.properties.code) % TINTS.length],
        fillOpacity: tiles ? 0.08 : 1, className: "ym-county" };
    }
    function placePopup(f, layer) {
      var p = f.properties;
      layer.bindPopup(YM.link("/places/" + encodeURIComponent(p.code), p.name, p.code));
    }
    // Counties and towns: the whole jurisdiction once per band. Villages and grid cells: fixed
    // tiles of the grid (0.25° / 0.0625°), each fetched once per band whatever the panning.
    var TILE = { village: 0.25, group: 0.0625 };
    function boundaryURLs(level, z) {
      var url = "/api/v1/map/features?level=" + level + "&zoom=" + band(z);
      if (!TILE[level]) return [url];
      var t = TILE[level], b = map.getBounds(), urls = [];
      for (var x = Math.floor(b.getWest() / t); x * t < b.getEast(); x++) {
        for (var y = Math.floor(b.getSouth() / t); y * t < b.getNorth(); y++) {
          urls.push(url + "&bbox=" + [x * t, y * t, (x + 1) * t, (y + 1) * t].map(function (v) { return v.toFixed(4); }).join(","));
        }
      }
      return urls.slice(0, 64);
    }
    function drawBoundary(level, res) {
      if (bandOf[level] !== band(map.getZoom())) return;  // zoomed to another band meanwhile
      var fresh = res.body.features.filter(function (f) { return !drawn[level][f.properties.code]; });
      fresh.forEach(function (f) { drawn[level][f.properties.code] = true; });
      if (fresh.length) {
        L.geoJSON({ type: "FeatureCollection", features: fresh }, {
          renderer: level === baseLevel ? baseRenderer : lineRenderer,
          pane: level === baseLevel ? "ymBase" : "ymLines",
          style: function (f) { return styleFor(level, f); },
          onEachFeature: placePopup
        }).addTo(bounds[level]);
      }
    }
    function loadBoundary(level) {
      var z = map.getZoom();
      if (!on[level] || z < LEVEL_MIN[level]) {
        map.removeLayer(bounds[level]);
        if (z < LEVEL_MIN[level]) {
          bounds[level].clearLayers(); drawn[level] = {}; bandOf[level] = null;
          el.dataset["loaded" + level.charAt(0).toUpperCase() + level.slice(1)] = "0";
        }
        setCount(level, on[level] && z < LEVEL_MIN[level] ? "" : null);
        return Promise.resolve();
      }
      if (bandOf[level] !== band(z)) { bounds[level].clearLayers(); drawn[level] = {}; bandOf[level] = band(z); }
      bounds[level].addTo(map);
      var truncated = false;
      return Promise.all(boundaryURLs(level, z).map(function (url) {
        if (!cache[url]) cache[url] = fetchJSON(url);
        return cache[url].then(function (res) {
          truncated = truncated || res.truncated;
          drawBoundary(level, res);
        }, function () { delete cache[url]; if (statusEl) status(statusEl.dataset.failed); });
      })).then(function () {
        if (bandOf[level] !== band(map.getZoom())) return;  // zoomed away meanwhile
        var n = Object.keys(drawn[level]).length;
        setCount(level, n + (truncated ? "+" : ""));
        el.dataset["loaded" + level.charAt(0).toUpperCase() + level.slice(1)] = String(n);
      });
    }

    // -- place names -----------------------------------------------------------------------------
    var labelLayer = L.layerGroup().addTo(map), names = { county: [], town: [], village: [] }, nameURLs = {};
    var FONT = { county: 16, town: 13, village: 11 };
    function labelLevels(z) { return z < 9.5 ? ["county"] : z < 11.5 ? ["town", "county"] : ["town", "village"]; }
    function loadNames(level) {
      var url = "/api/v1/map/points?level=" + level + (level === "village" ? "&bbox=" + snappedBox(9) : "");
      if (nameURLs[url]) return nameURLs[url];
      nameURLs[url] = fetchJSON(url).then(function (res) {
        var seen = {};
        names[level].forEach(function (p) { seen[p[0]] = true; });
        res.body.points.forEach(function (p) { if (!seen[p[0]]) names[level].push(p); });
      }, function () { delete nameURLs[url]; });
      return nameURLs[url];
    }
    function drawLabels() {
      labelLayer.clearLayers();
      if (!on.labels) { setCount("labels", null); return; }
      var z = map.getZoom(), view = map.getBounds().pad(0.05), placed = [], shown = 0;
      labelLevels(z).forEach(function (level) {
        names[level].forEach(function (p) {
          if (shown >= 400 || p[2] === null) return;
          var ll = L.latLng(p[3], p[2]);
          if (!view.contains(ll)) return;
          var pt = map.latLngToContainerPoint(ll), f = FONT[level];
          var w = p[1].length * f * (level === "county" ? 1.1 : 1) + 6, h = f + 6;
          // where the name would sit: on its point, else just below or above it; else left out
          var free = function (r) {
            for (var i = 0; i < placed.length; i++) {
              var q = placed[i];
              if (r[0] < q[2] && r[2] > q[0] && r[1] < q[3] && r[3] > q[1]) return false;
            }
            return true;
          };
          var shift = null;
          [0, h, -h].some(function (dy) {
            var r = [pt.x - w / 2, pt.y + dy - h / 2, pt.x + w / 2, pt.y + dy + h / 2];
            if (free(r)) { placed.push(r); shift = dy; return true; }
            return false;
          });
          if (shift === null) return;
          shown++;
          L.marker(ll, { pane: "ymLabels", interactive: false, keyboard: false,
            icon: L.divIcon({ className: "ym-label ym-label-" + level, html: "<span></span>", iconSize: [0, 0], iconAnchor: [0, -shift] }) })
            .addTo(labelLayer).getElement().firstChild.textContent = p[1];
        });
      });
      setCount("labels", shown);
      el.dataset.labels = labelLevels(z).join(",");
      el.dataset.labelsShown = String(shown);
    }
    function refreshLabels() {
      if (!on.labels) { drawLabels(); return; }
      Promise.all(labelLevels(map.getZoom()).map(loadNames)).then(drawLabels);
    }

    // -- point layers from the domains (YingjiMap.define) ---------------------------------------
    var pointLayers = {}, generation = {};
    // Clusters of different layers would sit on one another (they share the grid): each layer's
    // are nudged a little in its own direction and carry the layer's short name.
    var NUDGE = { villages: [0, 0], hazards: [-16, -12], risk: [16, -12], teams: [-16, 12], stores: [16, 12] };
    function shortName(key) {
      var box = root.querySelector('[data-layer="' + key + '"]');
      return box && box.dataset.short ? box.dataset.short : "";
    }
    // Clusters closer than a marker's width on screen merge (weighted), so counts never overlap.
    function clusterLayersOn() {
      return order.filter(function (k) { return on[k] && specs[k].cluster; }).length;
    }
    function mergeNear(list) {
      var out = [], R = 40 + 10 * Math.max(0, clusterLayersOn() - 1);
      list.slice().sort(function (a, b) { return b[2] - a[2]; }).forEach(function (c) {
        var pt = map.latLngToContainerPoint([c[1], c[0]]);
        for (var i = 0; i < out.length; i++) {
          var o = out[i];
          if (Math.abs(o.pt.x - pt.x) < R && Math.abs(o.pt.y - pt.y) < R) {
            var n = o.c[2] + c[2];
            o.c = [(o.c[0] * o.c[2] + c[0] * c[2]) / n, (o.c[1] * o.c[2] + c[1] * c[2]) / n, n, (o.c[3] || 0) + (c[3] || 0)];
            return;
          }
        }
        out.push({ c: c.slice(), pt: pt });
      });
      return out.map(function (o) { return o.c; });
    }
    function fmt(n) { return n >= 10000 ? Math.round(n / 1000) + "k" : String(n); }
    function clusterMarker(c, key) {
      var n = c[2], hot = c[3] || 0, size = Math.round(28 + Math.min(20, Math.log(n) * 3.5));
      var several = clusterLayersOn() > 1;
      var nudge = several ? NUDGE[key] || [0, 0] : [0, 0], tag = several ? shortName(key) : "";
      if (several) size = Math.round(size * 0.85);
      var html = '<div class="ym-cluster ym-cluster-' + key + '">' + (tag ? '<span class="ym-cl-tag"></span>' : "") +
        "<span>" + fmt(n) + "</span>" + (hot ? '<span class="ym-cl-hot">' + fmt(hot) + "</span>" : "") + "</div>";
      var icon = L.divIcon({ className: "", html: html, iconSize: [size, size], iconAnchor: [size / 2 - nudge[0], size / 2 - nudge[1]] });
      var m = L.marker([c[1], c[0]], { icon: icon, title: (tag ? tag + " " : "") + n, keyboard: false });
      m.on("add", function () { var t = m.getElement().querySelector(".ym-cl-tag"); if (t) t.textContent = tag; });
      m.on("click", function () { map.setView(m.getLatLng(), Math.min(map.getZoom() + 2, 18)); });
      return m;
    }
    // What each point layer last drew and when: a second moveend for the same view (fitBounds
    // under load fires two) does not ask again; the live refresh and the time filter force it.
    var drawn = {};
    function loadPoints(key, force) {
      var spec = specs[key];
      if (!spec) return Promise.resolve();
      var group = pointLayers[key] || (pointLayers[key] = L.layerGroup());
      var mine = generation[key] = (generation[key] || 0) + 1;
      var z = map.getZoom();
      if (!on[key] || (spec.minZoom && z < spec.minZoom)) {
        group.clearLayers();
        map.removeLayer(group);
        delete drawn[key];
        setCount(key, on[key] ? 0 : null);
        return Promise.resolve();
      }
      group.addTo(map);
      var view = [Math.floor(z), clusterLayersOn(), spec.url(ctx)].join("|");
      if (!force && drawn[key] && drawn[key].view === view && Date.now() - drawn[key].at < 15000) {
        generation[key] -= 1;  // nothing new asked: the drawing on the map is still the latest
        return Promise.resolve();
      }
      drawn[key] = { view: view, at: Date.now() };
      function drawRaw() {
        return fetchJSON(spec.url(ctx)).then(function (res) {
          if (mine !== generation[key]) return;
          var feats = spec.features ? spec.features(res.body) : res.body.features;
          group.clearLayers();
          feats.forEach(function (f) {
            var m = spec.marker(f, ctx);
            if (!m) return;
            if (spec.popup) m.bindPopup(spec.popup(f.properties || {}, f));
            m.addTo(group);
          });
          setCount(key, (res.count !== null ? res.count : feats.length) + (res.truncated ? "+" : ""));
          el.dataset["mode" + key.charAt(0).toUpperCase() + key.slice(1)] = "raw";
        });
      }
      var run;
      if (spec.cluster) {
        // several cluster layers at once: one zoom coarser, so they do not carpet the map
        var cz = Math.max(0, Math.floor(z) - (clusterLayersOn() > 2 ? 1 : 0));
        var url = "/api/v1/map/clusters/" + spec.cluster + "?zoom=" + cz + "&bbox=" + snappedBox(cz);
        run = fetchJSON(url).then(function (res) {
          if (mine !== generation[key]) return;
          if (res.body.raw) return drawRaw();
          group.clearLayers();
          mergeNear(res.body.clusters).forEach(function (c) { clusterMarker(c, key).addTo(group); });
          setCount(key, res.body.total);
          el.dataset["mode" + key.charAt(0).toUpperCase() + key.slice(1)] = "clusters";
        });
      } else run = drawRaw();
      return run.catch(function () { if (statusEl) status(statusEl.dataset.failed); });
    }

    // -- switching, time, refresh ----------------------------------------------------------------
    function legendFor(key) {
      var l = root.querySelector('[data-legend-for="' + key + '"]');
      if (l) l.hidden = !on[key];
    }
    function refresh() {
      var jobs = ["county", "town", "village", "group"].map(loadBoundary);
      order.forEach(function (key) { jobs.push(loadPoints(key)); });
      refreshLabels();
      return Promise.all(jobs).then(function () { status(""); el.dataset.ready = "true"; });
    }
    var timer = null;
    function soon() { clearTimeout(timer); timer = setTimeout(refresh, 120); }

    // A layer that a later script defines with a group and a label but that the panel does not
    // list (e.g. cameras) gets its own row in that group.
    order.forEach(function (key) {
      var spec = specs[key], fs = spec.group && root.querySelector('[data-ym-group="' + spec.group + '"]');
      if (!fs || root.querySelector('[data-layer="' + key + '"]')) return;
      var label = document.createElement("label"), box = document.createElement("input"), count = document.createElement("span");
      box.type = "checkbox";
      box.dataset.layer = key;
      box.checked = !!spec.on;
      if (spec.on) on[key] = true;
      count.className = "ym-count";
      count.dataset.ymCount = key;
      label.appendChild(box);
      label.appendChild(document.createTextNode(" " + (spec.label || key) + " "));
      label.appendChild(count);
      fs.appendChild(label);
    });
    root.querySelectorAll("[data-layer]").forEach(function (box) {
      box.addEventListener("change", function () {
        var key = box.dataset.layer;
        on[key] = box.checked;
        legendFor(key);
        if (key === "labels") refreshLabels();
        else if (LEVEL_MIN[key] !== undefined) loadBoundary(key);
        else if (specs[key] && specs[key].cluster) order.forEach(function (k) { if (specs[k].cluster) loadPoints(k, true); });
        else loadPoints(key, true);
      });
    });
    var timeSel = $("[data-ym-time]"), range = $("[data-ym-range]");
    function applyTime() {
      var mode = timeSel ? timeSel.value : "live", now = Date.now();
      time.mode = mode;
      time.since = time.until = null;
      if (mode === "24h") time.since = new Date(now - 864e5).toISOString();
      if (mode === "7d") time.since = new Date(now - 7 * 864e5).toISOString();
      if (mode === "custom") {
        var s = $("[data-ym-since]").value, u = $("[data-ym-until]").value;
        if (s) time.since = new Date(s).toISOString();
        if (u) time.until = new Date(u).toISOString();
      }
      if (range) range.hidden = mode !== "custom";
      el.dataset.time = mode;
      order.forEach(function (key) { if (specs[key].timed) loadPoints(key); });
    }
    if (timeSel) timeSel.addEventListener("change", applyTime);
    root.querySelectorAll("[data-ym-since], [data-ym-until]").forEach(function (i) { i.addEventListener("change", applyTime); });

    // Live layers follow the event stream (helper "push": window CustomEvent "yingji:event"),
    // with a slow refresh as the fallback.
    var liveTimer = null;
    function reloadLive() {
      clearTimeout(liveTimer);
      liveTimer = setTimeout(function () {
        if (time.mode === "24h" || time.mode === "7d") applyTime();  // the window moves with the clock
        order.forEach(function (key) { if (specs[key].live) loadPoints(key, true); });
      }, 500);
    }
    window.addEventListener("yingji:event", reloadLive);
    setInterval(reloadLive, 60000);

    // On a phone the layer panel and the legend start folded, so the map stays visible.
    if (window.matchMedia("(max-width: 760px)").matches) {
      root.querySelectorAll("[data-ym-panel], [data-ym-legend]").forEach(function (d) { d.removeAttribute("open"); });
    }
    status(statusEl && statusEl.dataset.loading);

    fetchJSON("/api/v1/map/extent").then(function (res) {
      var b = res.body.bbox;
      if (b) map.fitBounds([[b[1], b[0]], [b[3], b[2]]], { padding: [8, 8] });
      else map.setView([27.7, 108.9], 8);
      var target = location.hash.slice(1);
      if (target && /^\d+$/.test(target)) {  // a place: centre on it
        fetchJSON("/api/v1/jurisdictions/" + encodeURIComponent(target)).then(function (r) {
          var zoomFor = { county: 10, town: 11, village: 13, group: 15 };
          if (r.body.lat) map.setView([r.body.lat, r.body.lon], zoomFor[r.body.level] || 9);
        });
      }
      map.on("moveend", soon);
      return refresh();
    }).catch(function () { if (statusEl) status(statusEl.dataset.failed); });
  }

  function start() { document.querySelectorAll("[data-yingji-map]").forEach(init); }
  YM.start = start;
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else setTimeout(start, 0);
})();
