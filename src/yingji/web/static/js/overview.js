/* The situation overview (态势总览) and its big-screen mode (指挥大屏).
   Tiles are server-rendered sections ([data-tile]); they are refreshed by fetching
   /overview/panel?tiles=… and swapping each section in place, on push events (window
   "yingji:event", debounced) and on a slow fallback timer. The two ECharts charts are created once
   and fed with setOption (never re-created: a screen that runs for weeks must not grow).
   Network errors keep the last figures on screen, show a banner and retry with backoff. */
(function () {
  "use strict";
  var root = document.getElementById("overview");
  if (!root) return;
  var screen = root.dataset.screen === "1";
  var state = { within: root.dataset.within || "", code: root.dataset.code || "", failures: 0 };
  var statusEl = root.querySelector("[data-status]");
  var charts = {};
  var KIND_TILES = {
    "report.new": ["incidents", "reports", "overdue", "trends"],
    "report.changed": ["incidents", "reports", "trends"],
    "incident.changed": ["incidents", "responses", "trends"],
    "deadline.overdue": ["overdue"],
    "task.changed": ["overdue", "responses"],
    "alarm.new": ["alarms"],
    "alarm.changed": ["alarms"],
    "warning.coverage": ["warnings"],
    "evacuation.tally": ["evacuation"],  // issue 13
    "shelter.changed": ["evacuation"]
  };
  var ALL = ["incidents", "reports", "overdue", "responses", "warnings", "alarms", "teams", "supplies", "duty", "evacuation"];
  var CATEGORY_COLOURS = ["#1e88e5", "#ef6c00", "#43a047", "#8e24aa", "#757575"];

  function qs(params) {
    var parts = [];
    Object.keys(params).forEach(function (k) {
      if (params[k] !== "" && params[k] !== null && params[k] !== undefined) parts.push(k + "=" + encodeURIComponent(params[k]));
    });
    return parts.length ? "?" + parts.join("&") : "";
  }

  function fmt(template, values) {
    return String(template || "").replace(/\{(\w+)\}/g, function (_, k) { return values[k] !== undefined ? values[k] : ""; });
  }

  function get(url, accept) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: accept } }).then(function (r) {
      if (r.status === 401) {  // the session ended: log in again and come back here
        location.href = "/login?next=" + encodeURIComponent(location.pathname + location.search);
        throw new Error("401");
      }
      if (!r.ok) throw new Error("HTTP " + r.status);
      return accept === "application/json" ? r.json() : r.text();
    });
  }

  // -- connection state: last figures stay; a banner says we are retrying ---------------------
  var retryTimer = null;
  function online() {
    state.failures = 0;
    if (statusEl) { statusEl.textContent = ""; statusEl.classList.remove("offline"); }
    root.dataset.online = "true";
  }
  function offline() {
    state.failures += 1;
    root.dataset.online = "false";
    if (statusEl) { statusEl.textContent = statusEl.dataset.offline || "…"; statusEl.classList.add("offline"); }
    if (retryTimer) return;
    var wait = Math.min(60, 5 * Math.pow(2, Math.min(state.failures - 1, 4)));
    retryTimer = setTimeout(function () { retryTimer = null; refreshAll(); }, wait * 1000);
  }

  // -- tiles --------------------------------------------------------------------------------------
  var tilesBusy = false, tilesAgain = null;
  function refreshTiles(list, fresh) {
    if (tilesBusy) { tilesAgain = union(tilesAgain || [], list); return Promise.resolve(); }
    tilesBusy = true;
    var url = "/overview/panel" + qs({ tiles: list.join(","), within: state.within, screen: screen ? "1" : "", fresh: fresh ? "1" : "" });
    return get(url, "text/html").then(function (html) {
      var box = document.createElement("template");
      box.innerHTML = html;
      box.content.querySelectorAll("[data-tile]").forEach(function (fresh) {
        var old = root.querySelector('[data-tile="' + fresh.dataset.tile + '"]');
        if (old) old.replaceWith(fresh);
      });
      stamp();
      online();
    }, offline).then(function () {
      tilesBusy = false;
      if (tilesAgain) { var next = tilesAgain; tilesAgain = null; refreshTiles(next, true); }
    });
  }

  function stamp() {
    var el = root.querySelector("[data-updated]");
    if (!el) return;
    var d = new Date();
    el.textContent = fmt(statusEl && statusEl.dataset.stale || "{t}", { t: pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds()) });
  }

  function union(a, b) {
    var out = a.slice();
    b.forEach(function (x) { if (out.indexOf(x) < 0) out.push(x); });
    return out;
  }

  // -- charts ------------------------------------------------------------------------------------
  function chart(name) {
    if (charts[name]) return charts[name];
    var el = root.querySelector('[data-chart="' + name + '"]');
    if (!el || !window.echarts) return null;
    charts[name] = window.echarts.init(el, screen ? "dark" : null, { renderer: "canvas" });
    return charts[name];
  }

  function fontSize() {
    // Readable from 5 m on the wall: scale with the viewport; ordinary on a desk.
    return screen ? Math.max(14, Math.round(window.innerWidth / 110)) : 12;
  }

  function drawTrends(t) {
    var el = root.querySelector("[data-yoy]");
    if (el) {
      if (t.change === null || t.change === undefined) el.textContent = el.dataset.labelNone;
      else if (t.change === 0) el.textContent = el.dataset.labelFlat;
      else el.textContent = fmt(t.change >= 0 ? el.dataset.labelUp : el.dataset.labelDown, { p: Math.abs(t.change) });
      el.className = "ov-yoy " + (t.change > 0 ? "up" : t.change < 0 ? "down" : "");
    }
    var size = fontSize();
    var text = { fontSize: size };
    var bg = screen ? "transparent" : null;
    var days = chart("days");
    if (days) {
      var lastYearLabel = days.getDom().dataset.labelLastYear;
      var series = t.by_category.map(function (s, i) {
        return { name: s.name, type: "bar", stack: "c", data: s.data, itemStyle: { color: CATEGORY_COLOURS[i % CATEGORY_COLOURS.length] } };
      });
      series.push({ name: lastYearLabel, type: "line", data: t.last_year, symbol: "none",
        lineStyle: { type: "dashed", width: screen ? 3 : 2, color: screen ? "#cfd8dc" : "#546e7a" }, itemStyle: { color: screen ? "#cfd8dc" : "#546e7a" } });
      days.setOption({
        backgroundColor: bg,
        textStyle: text,
        tooltip: { trigger: "axis", textStyle: text },
        legend: { top: 0, textStyle: text, itemWidth: size, itemHeight: size * 0.7 },
        // The legend wraps on a narrow screen: leave it room.
        grid: { left: size * 2.5, right: size, top: size * (days.getWidth() < 560 ? 4.6 : 2.6), bottom: size * 1.8 },
        xAxis: { type: "category", data: t.days, axisLabel: { fontSize: size * 0.85 } },
        yAxis: { type: "value", minInterval: 1, axisLabel: { fontSize: size * 0.85 } },
        series: series
      }, true);
    }
    var places = chart("places");
    if (places) {
      // Horizontal bars: place names read whole, the busiest on top (ten at most).
      var dom = places.getDom().dataset;
      var n = Math.min(t.places.length, 10);
      places.setOption({
        backgroundColor: bg,
        textStyle: text,
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, textStyle: text },
        legend: { top: 0, textStyle: text, itemWidth: size, itemHeight: size * 0.7 },
        grid: { left: size * 0.5, right: size * 1.5, top: size * 2.2, bottom: size * 0.3, containLabel: true },
        yAxis: { type: "category", inverse: true, data: t.places.slice(0, n), axisLabel: { fontSize: size * 0.85 } },
        xAxis: { type: "value", minInterval: 1, axisLabel: { fontSize: size * 0.8 } },
        series: [
          { name: dom.labelCurrent, type: "bar", data: t.place_current.slice(0, n), itemStyle: { color: "#1e88e5" } },
          { name: dom.labelLastYear, type: "bar", data: t.place_last_year.slice(0, n), itemStyle: { color: screen ? "#78909c" : "#b0bec5" } }
        ]
      }, true);
    }
  }

  function refreshTrends(fresh) {
    return get("/api/v1/overview" + qs({ tiles: "trends", within: state.within, fresh: fresh ? "1" : "" }), "application/json").then(function (body) {
      if (body.trends) drawTrends(body.trends);
      online();
    }, offline);
  }

  var resizeTimer = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () {
      Object.keys(charts).forEach(function (k) { charts[k].resize(); });
      refreshTrends();  // font sizes follow the viewport
    }, 300);
  });

  function refreshAll() {
    return Promise.all([refreshTiles(ALL), refreshTrends()]);
  }

  // -- push events: refresh the tiles an event touches, at most every 1.5 s ------------------------
  var pending = [], debounce = null;
  window.addEventListener("yingji:event", function (e) {
    var d = e.detail || {};
    var tiles = KIND_TILES[d.kind];
    if (!tiles) return;
    var code = d.jurisdiction_code || "";
    if (state.code && code && code.indexOf(state.code) !== 0) return;  // another place than the one shown
    pending = union(pending, tiles);
    if (debounce) return;
    debounce = setTimeout(function () {
      debounce = null;
      var list = pending; pending = [];
      var withTrends = list.indexOf("trends") >= 0;
      list = list.filter(function (x) { return x !== "trends"; });
      if (list.length) refreshTiles(list, true);
      if (withTrends) refreshTrends(true);
    }, 1500);
  });

  // The slow fallback: everything every minute (works before push events exist, and after a gap).
  var every = Math.max(15, parseInt(root.dataset.refresh || "60", 10)) * 1000;
  setInterval(function () { if (!retryTimer) refreshAll(); }, every);

  // -- big screen: clock, full screen, rotation between places, a daily fresh start ---------------
  function pad(n) { return n < 10 ? "0" + n : String(n); }
  if (screen) {
    var clock = root.querySelector("[data-clock]");
    var tick = function () {
      var d = new Date();
      if (clock) clock.textContent = d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + " " + pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds());
    };
    tick();
    setInterval(tick, 1000);

    var fs = root.querySelector("[data-fullscreen]");
    if (fs) {
      fs.addEventListener("click", function () {
        if (document.fullscreenElement) document.exitFullscreen();
        else if (document.documentElement.requestFullscreen) document.documentElement.requestFullscreen().catch(function () {});
      });
      document.addEventListener("fullscreenchange", function () { fs.hidden = !!document.fullscreenElement; });
    }

    var rotation = [];
    try { rotation = JSON.parse(root.dataset.rotation || "[]"); } catch (err) { rotation = []; }
    var rotateSeconds = parseInt(root.dataset.rotate || "0", 10);
    if (rotateSeconds > 0 && rotation.length) {
      var stops = [["", root.dataset.homeName]].concat(rotation.map(function (r) { return [r[0], r[1]]; }));
      var at = 0;
      setInterval(function () {
        at = (at + 1) % stops.length;
        state.within = stops[at][0];
        state.code = stops[at][0] || root.dataset.code;
        var nameEl = root.querySelector("[data-place-name]");
        if (nameEl) nameEl.textContent = stops[at][1];
        refreshAll();
        focusMap(stops[at][0]);
      }, Math.max(10, rotateSeconds) * 1000);
    }

    // A fresh page once a day, only when the server answers it (never leaves an error page up).
    setInterval(function () {
      fetch(location.href, { credentials: "same-origin" }).then(function (r) {
        if (r.ok && !r.redirected) location.reload();
      }).catch(function () {});
    }, 24 * 3600 * 1000);
  }

  function focusMap(code) {
    var map = window.yingjiMap;
    if (!map) return;
    var url = code ? "/api/v1/jurisdictions/" + encodeURIComponent(code) : "/api/v1/map/extent";
    get(url, "application/json").then(function (b) {
      if (!code && b.bbox) map.fitBounds([[b.bbox[1], b.bbox[0]], [b.bbox[3], b.bbox[2]]]);
      else if (b.lat) map.setView([b.lat, b.lon], { county: 10, town: 12, village: 13 }[b.level] || 9);
    }, function () {});
  }

  // Long tables on the wall (the duty of twenty towns) scroll by themselves, a row at a time.
  function autoScroll() {
    root.querySelectorAll(".ov-duty-rows").forEach(function (box) {
      if (box.scrollHeight <= box.clientHeight + 2) return;
      var row = box.querySelector("tr");
      var step = row ? row.getBoundingClientRect().height : 24;
      box.scrollTop = box.scrollTop + box.clientHeight >= box.scrollHeight - 2 ? 0 : box.scrollTop + step;
    });
  }
  if (screen) setInterval(autoScroll, 4000);

  // First paint of the charts once ECharts (deferred) has loaded; the map follows ?within=.
  function start() {
    refreshTrends();
    if (state.within) setTimeout(function () { focusMap(state.within); }, 1500);
  }
  if (document.readyState === "complete") start(); else window.addEventListener("load", start);
})();
