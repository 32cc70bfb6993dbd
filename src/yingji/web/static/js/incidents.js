/* Incidents: deadline clocks, the place picker (map click or GPS), the incident map, and the phone
   report that survives a weak network (draft and idempotency key kept in localStorage, resent with
   the same key until the server answers). No inline scripts: page data comes in data- attributes. */
(function () {
  "use strict";
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');

  function store(key, value) {
    try { if (value === null) localStorage.removeItem(key); else localStorage.setItem(key, value); } catch (err) { /* full or off */ }
  }
  function load(key) {
    try { return localStorage.getItem(key); } catch (err) { return null; }
  }
  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var s = "";
    for (var i = 0; i < 32; i++) s += Math.floor(Math.random() * 16).toString(16);
    return s;
  }
  function fetchJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.json();
    });
  }

  // -- deadline clocks: "2:04:09 left" / "overdue by 0:12:30", every second, also in htmx swaps --
  function hms(ms) {
    var s = Math.floor(Math.abs(ms) / 1000), h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
    s = s % 60;
    return h + ":" + (m < 10 ? "0" : "") + m + ":" + (s < 10 ? "0" : "") + s;
  }
  function tick() {
    var now = Date.now();
    // Only our own clocks (.clock): response tasks' .due-clock is response.js's, with its own look.
    document.querySelectorAll(".clock[data-due]").forEach(function (el) {
      var left = Date.parse(el.dataset.due) - now;
      if (isNaN(left)) return;
      el.textContent = left >= 0 ? hms(left) + " " + (el.dataset.left || "") : (el.dataset.over || "") + " " + hms(left);
      el.classList.toggle("clock-overdue", left < 0);
      el.classList.toggle("clock-due", left >= 0);
    });
  }
  tick();
  setInterval(tick, 1000);

  function baseMap(el) {
    var map = L.map(el, { zoomControl: true, minZoom: 5, maxZoom: 18 });
    if (el.dataset.tileUrl) L.tileLayer(el.dataset.tileUrl, { attribution: el.dataset.tileAttribution || "", maxZoom: 18 }).addTo(map);
    // The outline of the user's own area: counties, or for a town or village user their own level.
    var levelsToTry = ["county", "town", "village", "group"];
    function outline(i) {
      if (i >= levelsToTry.length) return;
      fetchJSON("/api/v1/map/features?level=" + levelsToTry[i]).then(function (fc) {
        if (!fc.features.length) { outline(i + 1); return; }
        map.whenReady(function () {  // vector layers need the view set first
          var layer = L.geoJSON(fc, { style: { color: "#0d2f5e", weight: 1.5, fillOpacity: 0.05 }, interactive: false }).addTo(map);
          if (!el.dataset.keepView) map.fitBounds(layer.getBounds());
        });
      }).catch(function () { /* the outline is a help, not a need */ });
    }
    outline(0);
    return map;
  }

  // -- the place picker of the intake forms ----------------------------------------------------
  function picker(form) {
    var lon = form.querySelector("[data-lon]"), lat = form.querySelector("[data-lat]");
    var how = form.querySelector("[data-located-by]"), name = form.querySelector("[data-place-name]");
    var gps = form.querySelector("[data-gps]"), el = form.querySelector("#pick-map");
    if (!lon || !lat) return;
    var map = null, marker = null;
    function describe() {
      if (!lon.value || !lat.value || !name) return;
      fetchJSON("/api/v1/locate?lon=" + encodeURIComponent(lon.value) + "&lat=" + encodeURIComponent(lat.value))
        .then(function (p) { name.textContent = p.name; name.classList.remove("field-error"); })
        .catch(function () { name.textContent = name.dataset.outside || "!"; name.classList.add("field-error"); });
    }
    function show(moveMap) {
      var x = parseFloat(lon.value), y = parseFloat(lat.value);
      if (!map || isNaN(x) || isNaN(y)) return;
      if (marker) marker.setLatLng([y, x]); else marker = L.marker([y, x]).addTo(map);
      if (moveMap) map.setView([y, x], Math.max(map.getZoom() || 0, 13));
    }
    function set(x, y, source) {
      lon.value = x.toFixed(6);
      lat.value = y.toFixed(6);
      if (how) how.value = source;
      lon.dispatchEvent(new Event("change", { bubbles: true }));
      lon.dispatchEvent(new Event("input", { bubbles: true }));
      show(source === "gps");
      describe();
    }
    if (el && typeof L !== "undefined") {
      if (lon.value && lat.value) el.dataset.keepView = "1";
      map = baseMap(el);
      fetchJSON("/api/v1/map/extent").then(function (res) {
        var b = res.bbox;
        if (lon.value && lat.value) show(true);
        else if (b) map.fitBounds([[b[1], b[0]], [b[3], b[2]]]);
        else map.setView([27.7, 108.9], 8);
      }).catch(function () { map.setView([27.7, 108.9], 8); });
      map.on("click", function (e) { el.dataset.keepView = "1"; set(e.latlng.lng, e.latlng.lat, "map"); });
    }
    [lon, lat].forEach(function (input) {
      input.addEventListener("change", function (e) {
        if (!e.isTrusted) return;
        if (how) how.value = "map";
        show(true);
        describe();
      });
    });
    if (gps) {
      if (!navigator.geolocation) gps.disabled = true;
      gps.addEventListener("click", function () {
        if (name) name.textContent = gps.dataset.wait || "…";
        navigator.geolocation.getCurrentPosition(function (pos) {
          set(pos.coords.longitude, pos.coords.latitude, "gps");
        }, function () {
          if (name) name.textContent = gps.dataset.fail || "!";
        }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 });
      });
    }
    if (lon.value && lat.value) describe();
  }

  // -- picking the place from a list: matching divisions offered as the user types a name --------
  function placeSearch(form) {
    var input = form.querySelector("[data-place-search]");
    var list = input && document.getElementById(input.getAttribute("list"));
    if (!input || !list) return;
    var timer = null, last = "";
    input.addEventListener("input", function () {
      var q = input.value.trim();
      if (q === last || q.length < 1 || /^\d{6,}$/.test(q)) return;
      last = q;
      clearTimeout(timer);
      timer = setTimeout(function () {
        fetchJSON("/api/v1/jurisdictions?q=" + encodeURIComponent(q)).then(function (rows) {
          list.textContent = "";
          rows.forEach(function (j) {
            var o = document.createElement("option");
            o.value = j.code;
            o.label = j.name;
            o.textContent = j.name;
            list.appendChild(o);
          });
        }).catch(function () { /* typing a code still works */ });
      }, 250);
    });
  }

  // -- idempotency keys that survive a reload (desktop and report forms post normally) ----------
  function keepKey(form) {
    var input = form.querySelector("[data-idempotency-key]");
    if (!input) return null;
    var name = "yingji-incident-key:" + form.dataset.incidentForm;
    var saved = load(name);
    if (saved) input.value = saved; else store(name, input.value || (input.value = newKey()));
    return { input: input, name: name };
  }
  var sentKey = sessionStorage.getItem("yingji-incident-sent");
  if (sentKey && !document.querySelector(".has-error, .alert-red")) {
    store(sentKey, null);
    sessionStorage.removeItem("yingji-incident-sent");
  }

  document.querySelectorAll("form[data-incident-form]").forEach(function (form) {
    picker(form);
    placeSearch(form);
    var key = keepKey(form);
    if (form.hasAttribute("data-phone-report")) phone(form, key);
    else if (key) form.addEventListener("submit", function () { sessionStorage.setItem("yingji-incident-sent", key.name); });
  });

  // -- the phone report: send with fetch, keep everything until the server confirms -------------
  function phone(form, key) {
    var DRAFT = "yingji-incident-draft:phone", PENDING = "yingji-incident-pending:phone";
    var status = document.querySelector("[data-send-status]");
    var attempts = 0, timer = null, busy = false;
    function say(text, cls) {
      if (!status) return;
      status.textContent = text;
      status.className = "send-status " + (cls || "");
      // The send button is at the bottom of a long form: bring the answer into view.
      if (status.scrollIntoView) status.scrollIntoView({ block: "center", behavior: "smooth" });
    }
    function fields() {
      return Array.prototype.filter.call(form.elements, function (f) {
        return f.name && f.type !== "hidden" && f.type !== "file" && f.type !== "submit" && f.type !== "button";
      });
    }
    function save() {
      var data = {};
      fields().forEach(function (f) { data[f.name] = f.value; });
      ["lon", "lat", "located_by"].forEach(function (n) { if (form.elements[n]) data[n] = form.elements[n].value; });
      store(DRAFT, JSON.stringify(data));
    }
    var draft = null;
    try { draft = JSON.parse(load(DRAFT) || "null"); } catch (err) { draft = null; }
    if (draft) {
      Object.keys(draft).forEach(function (n) {
        var f = form.elements[n];
        if (f && typeof f.value === "string" && f.type !== "file") f.value = draft[n];
      });
    }
    form.addEventListener("input", save);
    form.addEventListener("change", save);

    function done(body) {
      store(DRAFT, null); store(PENDING, null); store(key.name, null);
      attempts = 0;
      form.reset();
      key.input.value = newKey();
      store(key.name, key.input.value);
      form.querySelectorAll(".has-error").forEach(function (el) { el.classList.remove("has-error"); });
      if (status) {
        status.textContent = (status.dataset.sent || "{number}").replace("{number}", body.number) + " ";
        var a = document.createElement("a");
        a.href = body.url;
        a.textContent = status.dataset.open || body.url;
        status.appendChild(a);
        status.className = "send-status ok";
      }
    }
    function rejected(body) {
      store(PENDING, null);
      say((body && body.error && body.error.message) || status.dataset.rejected, "bad");
      ((body && body.error && body.error.details) || []).forEach(function (d) {
        var f = d.field && form.elements[d.field];
        var label = f && (f.closest ? f.closest("label") : null);
        if (label) label.classList.add("has-error");
      });
    }
    function retryLater() {
      attempts += 1;
      var wait = Math.min(60, 5 * Math.pow(2, attempts - 1));
      say((status && status.dataset.failed || "{s}").replace("{s}", wait), "bad");
      clearTimeout(timer);
      timer = setTimeout(send, wait * 1000);
    }
    function send() {
      if (busy) return;
      busy = true;
      clearTimeout(timer);
      save();
      store(PENDING, "1");
      say(status && status.dataset.sending);
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRF-Token": csrfMeta ? csrfMeta.content : "" }
      }).then(function (r) {
        return r.json().catch(function () { return null; }).then(function (body) {
          busy = false;
          if (r.ok && body) done(body);
          else if (r.status >= 400 && r.status < 500 && r.status !== 408 && r.status !== 429) rejected(body);
          else retryLater();
        });
      }, function () { busy = false; retryLater(); });
    }
    form.addEventListener("submit", function (e) { e.preventDefault(); send(); });
    window.addEventListener("online", function () { if (load(PENDING)) send(); });
    if (load(PENDING) && draft) {
      say(status && status.dataset.pending);
      setTimeout(send, 500);
    }
  }

  // -- the incident page map: the point and the outline of its place ----------------------------
  var incidentMap = document.getElementById("incident-map");
  if (incidentMap && typeof L !== "undefined" && incidentMap.dataset.lon) {
    var x = parseFloat(incidentMap.dataset.lon), y = parseFloat(incidentMap.dataset.lat);
    incidentMap.dataset.keepView = "1";
    var map = baseMap(incidentMap);
    map.setView([y, x], 13);
    L.marker([y, x]).addTo(map);
    var level = incidentMap.dataset.level;
    if (["town", "village", "group"].indexOf(level) >= 0) {
      var d = 0.002;
      fetchJSON("/api/v1/map/features?level=" + level + "&bbox=" + [x - d, y - d, x + d, y + d].join(",")).then(function (fc) {
        var code = incidentMap.dataset.code;
        L.geoJSON(fc, {
          filter: function (f) { return !code || f.properties.code === code; },
          style: { color: "#c62828", weight: 2, fillOpacity: 0.08 },
          interactive: false
        }).addTo(map);
      }).catch(function () { /* optional */ });
    }
  }
})();
