/* Monitoring pages: live reading charts (ECharts), the patrol form that works offline (an outbox of
   unsent logs in localStorage, each with its idempotency key, resent until the server answers), GPS and
   photo downscaling, and the danger report's key. No inline scripts: page data comes in data- attributes. */
(function () {
  "use strict";
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var OUTBOX = "yingji-patrol-outbox";

  function load(key) { try { return localStorage.getItem(key); } catch (err) { return null; } }
  function store(key, value) {
    try { if (value === null) localStorage.removeItem(key); else localStorage.setItem(key, value); return true; } catch (err) { return false; }
  }
  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var s = "";
    for (var i = 0; i < 32; i++) s += Math.floor(Math.random() * 16).toString(16);
    return s;
  }
  function fmt(template, values) {
    return String(template || "").replace(/\{(\w+)\}/g, function (m, k) { return values[k] !== undefined ? values[k] : m; });
  }

  // -- charts ---------------------------------------------------------------------------------
  function drawChart(el) {
    if (typeof echarts === "undefined") return;
    var chart = echarts.init(el, null, { renderer: "canvas" });
    var url = el.dataset.seriesUrl;
    function render(data) {
      var points = data.points || [];
      if (!points.length) {
        chart.clear();
        chart.setOption({ title: { text: el.dataset.empty || "", left: "center", top: "middle", textStyle: { fontSize: 13, color: "#66788a" } } });
        return;
      }
      var series = [{ type: data.accumulates ? "bar" : "line", name: data.unit, data: points, showSymbol: false, itemStyle: { color: "#1565c0" } }];
      if (data.accumulates) {
        var total = 0;
        series.push({ type: "line", name: "Σ " + data.unit, yAxisIndex: 1, showSymbol: false, itemStyle: { color: "#c62828" },
          data: points.map(function (p) { total += p[1]; return [p[0], Math.round(total * 10) / 10]; }) });
      }
      if (el.dataset.raise) series[0].markLine = { symbol: "none", data: [{ yAxis: parseFloat(el.dataset.raise) }], lineStyle: { color: "#c62828" } };
      chart.setOption({
        animation: false,
        tooltip: { trigger: "axis" },
        grid: { left: 8, right: 8, top: 24, bottom: 4, containLabel: true },  // room for long values such as 745.175
        xAxis: { type: "time" },
        yAxis: data.accumulates ? [{ type: "value", name: data.unit }, { type: "value", name: "Σ" }] : [{ type: "value", name: data.unit, scale: true }],
        series: series
      }, true);
    }
    function fetchSeries() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
        .then(render)
        .catch(function () { /* the page stays usable without the chart */ });
    }
    fetchSeries();
    if (el.dataset.refresh) setInterval(fetchSeries, parseInt(el.dataset.refresh, 10) * 1000);
    window.addEventListener("resize", function () { chart.resize(); });
    el.yingjiReload = function (newUrl) { url = newUrl; fetchSeries(); };
  }
  document.querySelectorAll("[data-series-url]").forEach(drawChart);
  document.querySelectorAll(".chart-range a[data-hours]").forEach(function (a) {
    a.addEventListener("click", function (e) {
      e.preventDefault();
      var el = document.getElementById("sensor-chart");
      if (!el || !el.yingjiReload) return;
      el.yingjiReload(el.dataset.seriesUrl.replace(/hours=\d+/, "hours=" + a.dataset.hours));
      a.parentNode.querySelectorAll("a").forEach(function (x) { x.removeAttribute("aria-current"); });
      a.setAttribute("aria-current", "page");
    });
  });

  // -- GPS ------------------------------------------------------------------------------------
  function distance(lon1, lat1, lon2, lat2) {
    var r = Math.PI / 180, p1 = lat1 * r, p2 = lat2 * r, dp = (lat2 - lat1) * r, dl = (lon2 - lon1) * r;
    var a = Math.sin(dp / 2) * Math.sin(dp / 2) + Math.cos(p1) * Math.cos(p2) * Math.sin(dl / 2) * Math.sin(dl / 2);
    return 2 * 6371000 * Math.asin(Math.sqrt(a));
  }
  function gps(form) {
    var button = form.querySelector("[data-gps]"), text = form.querySelector("[data-gps-text]");
    var lon = form.querySelector("[data-lon]"), lat = form.querySelector("[data-lat]"), acc = form.querySelector("[data-accuracy]");
    if (!button || !lon || !lat) return;
    if (!navigator.geolocation) { button.disabled = true; return; }
    function locate() {
      if (text) text.textContent = button.dataset.wait || "…";
      navigator.geolocation.getCurrentPosition(function (pos) {
        lon.value = pos.coords.longitude.toFixed(6);
        lat.value = pos.coords.latitude.toFixed(6);
        if (acc) acc.value = Math.round(pos.coords.accuracy);
        var msg = lat.value + ", " + lon.value + " (±" + Math.round(pos.coords.accuracy) + " m)";
        var plon = parseFloat(form.dataset.pointLon), plat = parseFloat(form.dataset.pointLat);
        if (!isNaN(plon) && !isNaN(plat)) {
          var d = Math.round(distance(pos.coords.longitude, pos.coords.latitude, plon, plat));
          if (d > parseFloat(form.dataset.warnM || "500")) msg += " · " + fmt(form.dataset.far, { m: d });
        }
        if (text) text.textContent = msg;
      }, function () {
        if (text) text.textContent = button.dataset.fail || "!";
      }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 });
    }
    button.addEventListener("click", locate);
    if (!lon.value) locate();
  }

  // -- photos: downscaled to 1600 px JPEG so that logs fit the phone's storage and a weak network --
  function shrink(file) {
    return new Promise(function (resolve) {
      var reader = new FileReader();
      reader.onload = function () {
        var img = new Image();
        img.onload = function () {
          var scale = Math.min(1, 1600 / Math.max(img.width, img.height));
          var canvas = document.createElement("canvas");
          canvas.width = Math.round(img.width * scale);
          canvas.height = Math.round(img.height * scale);
          canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
          resolve(canvas.toDataURL("image/jpeg", 0.8));
        };
        img.onerror = function () { resolve(null); };
        img.src = reader.result;
      };
      reader.onerror = function () { resolve(null); };
      reader.readAsDataURL(file);
    });
  }

  // -- the outbox of patrol logs ----------------------------------------------------------------
  function outbox() {
    try { return JSON.parse(load(OUTBOX) || "[]"); } catch (err) { return []; }
  }
  function saveOutbox(items) {
    if (!store(OUTBOX, JSON.stringify(items))) {
      // storage full: keep the logs, drop their photos rather than the logs themselves
      items.forEach(function (i) { i.body.photos = []; });
      store(OUTBOX, JSON.stringify(items));
    }
  }
  var status = document.querySelector("[data-outbox-status]");
  function say(text, cls) {
    if (!status) return;
    status.textContent = "";
    status.className = "outbox-status " + (cls || "");
    if (typeof text === "string") status.textContent = text; else if (text) status.appendChild(text);
  }
  function showPending() {
    var n = outbox().length;
    if (!status) return;
    if (n) say(fmt(status.dataset.pending, { n: n }), "alert alert-yellow");
  }
  var sending = false;
  // client_key is the API's name; an outbox saved before it holds idempotency_key (read until 0.2).
  function keyOf(body) { return body.client_key || body.idempotency_key; }
  function flush() {
    var items = outbox();
    if (sending || !items.length) { showPending(); return Promise.resolve(); }
    sending = true;
    var item = items[0];
    return fetch(item.url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRF-Token": csrfMeta ? csrfMeta.content : "" },
      body: JSON.stringify(item.body)
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (body) { return { status: r.status, body: body }; });
    }).then(function (res) {
      sending = false;
      if (res.status >= 500 || res.status === 401 || res.status === 0) throw new Error("retry");
      saveOutbox(outbox().filter(function (x) { return keyOf(x.body) !== keyOf(item.body); }));
      if (res.status >= 400) {
        var msg = (res.body && res.body.error && res.body.error.message) || res.status;
        say((status ? status.dataset.rejected : "") + " " + msg, "alert alert-red");
        return;
      }
      if (res.body.incident_id) {
        var a = document.createElement("a");
        a.href = "/incidents/" + res.body.incident_id;
        a.textContent = status ? status.dataset.incident : "→";
        var box = document.createElement("span");
        box.textContent = (status ? status.dataset.sent : "") + " ";
        box.appendChild(a);
        say(box, "alert alert-green");
      } else {
        say(status ? status.dataset.sent : "", "alert alert-green");
      }
      if (outbox().length) return flush();
    }).catch(function () {
      sending = false;
      showPending();
    });
  }

  function patrolForm(form) {
    var key = form.querySelector("[data-key]");
    if (key && !key.value) key.value = newKey();
    gps(form);
    form.addEventListener("submit", function (e) {
      if (!window.fetch || !window.Promise || !window.JSON) return; // the plain form post still works
      e.preventDefault();
      var files = Array.prototype.slice.call((form.querySelector("[data-photos]") || {}).files || [], 0, 6);
      Promise.all(files.map(shrink)).then(function (photos) {
        var checked = form.querySelector('input[name="condition"]:checked');
        var body = {
          client_key: key.value,
          patrolled_at: new Date().toISOString(),
          condition: checked ? checked.value : "normal",
          observations: form.elements.observations.value || null,
          lon: form.elements.lon.value ? parseFloat(form.elements.lon.value) : null,
          lat: form.elements.lat.value ? parseFloat(form.elements.lat.value) : null,
          accuracy_m: form.elements.accuracy_m.value ? parseFloat(form.elements.accuracy_m.value) : null,
          photos: photos.filter(function (p) { return p; })
        };
        var items = outbox();
        items.push({ url: form.dataset.api, body: body, saved: Date.now() });
        saveOutbox(items);
        say(status ? status.dataset.queued : "", "alert");
        form.reset();
        key.value = newKey(); // the next log is another log
        flush();
      });
    });
  }
  document.querySelectorAll("form[data-patrol-form]").forEach(patrolForm);

  // -- danger report: a key kept until the report is through (a resend files one incident) -------
  document.querySelectorAll("form[data-danger-form]").forEach(function (form) {
    var key = form.querySelector("[data-key]"), name = "yingji-danger-key:" + (form.dataset.draft || "");
    if (key) {
      key.value = load(name) || newKey();
      store(name, key.value);
      form.addEventListener("submit", function () { sessionStorage.setItem("yingji-danger-sent", name); });
    }
    gps(form);
  });
  var dangerSent = sessionStorage.getItem("yingji-danger-sent");
  if (dangerSent && !document.querySelector("form[data-danger-form]")) {
    store(dangerSent, null);
    sessionStorage.removeItem("yingji-danger-sent");
  }

  // every monitoring page drains the outbox; and again when the network comes back
  flush();
  window.addEventListener("online", flush);
  setInterval(flush, 30000);
})();
