/* The grid worker's app (/field…), offline once opened.
   - Registers the service worker (/field/sw.js, scope /field) and tells it which URLs this page
     needs offline: its own script and styles, and the warnings and tasks it links to (data-offline).
   - A tick on a household goes to an outbox in IndexedDB (yingji-field / outbox) with its own
     client_key (random, made here) and the phone's time; the outbox is replayed in order to
     POST /api/v1/field/visits at load, on "online", after each tick and every few seconds. An item
     leaves the outbox only when the server answered (201 new, 200 already had it, or a refusal):
     an answer lost on a flaky link means a replay, which the key makes land once.
   No inline scripts (the CSP forbids them): the page's data comes in data- attributes. */
(function () {
  "use strict";
  var DB = "yingji-field", STORE = "outbox";
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var statusEl = document.querySelector("[data-field-status]");
  var list = document.querySelector(".fa-households");
  var flushing = false, timer = null, refused = 0;

  function fmt(t, v) { return String(t || "").replace(/\{(\w+)\}/g, function (m, k) { return v[k] !== undefined ? v[k] : m; }); }
  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID().replace(/-/g, "");
    var s = "";
    for (var i = 0; i < 32; i++) s += Math.floor(Math.random() * 16).toString(16);
    return s;
  }

  // -- IndexedDB -------------------------------------------------------------------------------
  var dbPromise = null;
  function db() {
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        var req = indexedDB.open(DB, 1);
        req.onupgradeneeded = function () {
          var store = req.result.createObjectStore(STORE, { keyPath: "seq", autoIncrement: true });
          store.createIndex("key", "key", { unique: true });
        };
        req.onsuccess = function () { resolve(req.result); };
        req.onerror = function () { reject(req.error); };
      });
    }
    return dbPromise;
  }
  function tx(mode, fn) {
    return db().then(function (d) {
      return new Promise(function (resolve, reject) {
        var t = d.transaction(STORE, mode), out;
        out = fn(t.objectStore(STORE));
        t.oncomplete = function () { resolve(out && out.result !== undefined ? out.result : out); };
        t.onerror = function () { reject(t.error); };
        t.onabort = function () { reject(t.error); };
      });
    });
  }
  function queue(item) { return tx("readwrite", function (s) { return s.add(item); }); }
  function all() { return tx("readonly", function (s) { return s.getAll(); }); }
  function drop(seq) { return tx("readwrite", function (s) { return s.delete(seq); }); }

  // -- the status line -------------------------------------------------------------------------
  function showStatus(n, sending) {
    if (!statusEl) return;
    var ds = statusEl.dataset, text = "";
    if (!navigator.onLine) text = ds.offline + (n ? " " + fmt(ds.pending, { n: n }) : "");
    else if (n) text = fmt(sending ? ds.sending : ds.pending, { n: n });
    else if (refused) text = fmt(ds.failed, { n: refused });
    statusEl.textContent = text;
    statusEl.hidden = !text;
    statusEl.dataset.pendingCount = String(n);
    document.documentElement.dataset.outbox = String(n);
  }
  function refreshStatus() { return all().then(function (items) { showStatus(items.length, flushing); return items; }); }

  // -- replay ----------------------------------------------------------------------------------
  function later(ms) { clearTimeout(timer); timer = setTimeout(flush, ms); }
  function send(item) {
    return fetch(item.url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRF-Token": csrfMeta ? csrfMeta.content : "" },
      body: JSON.stringify(item.body)
    }).then(function (r) {
      if (r.status === 200 || r.status === 201) return "done";
      if (r.status >= 500 || r.status === 429 || r.status === 408 || r.status === 401) return "retry";
      return "refused";  // 4xx: the server will never take it; keep going, say so
    }, function () { return "retry"; });
  }
  function flush() {
    if (flushing) return Promise.resolve();
    flushing = true;
    return all().then(function (items) {
      showStatus(items.length, true);
      var i = 0;
      function next() {
        if (i >= items.length) return "empty";
        var item = items[i++];
        return send(item).then(function (outcome) {
          if (outcome === "retry") return "retry";
          if (outcome === "refused") refused++;
          return drop(item.seq).then(function () { showStatus(items.length - i, true); return next(); });
        });
      }
      return next();
    }).then(function (end) {
      flushing = false;
      return refreshStatus().then(function (items) { later(items.length ? (end === "retry" ? 1500 : 200) : 5000); });
    }, function () { flushing = false; later(3000); });
  }

  // -- ticks -----------------------------------------------------------------------------------
  function paint(li, reached) {
    li.classList.toggle("is-reached", reached);
    var btn = li.querySelector(".fa-tick"), box = li.querySelector(".fa-box"), input = li.querySelector("input[name=reached]");
    if (btn) btn.setAttribute("aria-pressed", reached ? "true" : "false");
    if (box) box.textContent = reached ? "✓" : "";
    if (input) input.value = reached ? "0" : "1";
  }
  function count() {
    if (!list) return;
    var n = list.querySelectorAll("li.is-reached").length;
    var out = document.querySelector("[data-reached]"), input = document.querySelector("[data-reached-input]");
    if (out) out.textContent = String(n);
    if (input) input.value = String(n);
  }
  // One tick: queued first (so nothing is lost if the page closes), then sent.
  function tick(taskId, household, reached) {
    var ds = list ? list.dataset : {};
    var key = newKey();
    var body = {
      task_id: Number(taskId), household: household, reached: reached, client_key: key,
      visited_at: new Date().toISOString(),
      visitor_name: ds.visitorName || null, visitor_phone: ds.visitorPhone || null
    };
    return queue({ key: key, url: "/api/v1/field/visits", body: body, at: Date.now() }).then(function () {
      refreshStatus();
      flush();
      return key;
    });
  }
  window.yingjiField = { tick: tick, flush: flush, pending: function () { return all().then(function (a) { return a.length; }); } };

  if (list) {
    var taskId = list.dataset.task;
    // Ticks still in the outbox show over the copy of the page (which may be older).
    all().then(function (items) {
      items.forEach(function (it) {
        if (String(it.body.task_id) !== String(taskId)) return;
        var li = list.querySelector('li[data-household="' + CSS.escape(it.body.household) + '"]');
        if (li) paint(li, it.body.reached);
      });
      count();
    });
    list.addEventListener("submit", function (ev) {
      var form = ev.target.closest(".fa-tick-form");
      if (!form) return;
      ev.preventDefault();
      var li = form.closest("li"), reached = !li.classList.contains("is-reached");
      paint(li, reached);
      count();
      tick(taskId, li.dataset.household, reached);
    });
  }

  // -- the service worker ----------------------------------------------------------------------
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/field/sw.js", { scope: "/field" }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (reg) {
      var urls = [location.pathname];
      document.querySelectorAll('link[rel=stylesheet], script[src], link[rel=manifest], a[data-offline]').forEach(function (el) {
        var u = el.getAttribute("href") || el.getAttribute("src");
        if (u && u.charAt(0) === "/") urls.push(u);
      });
      if (reg.active) reg.active.postMessage({ type: "keep", urls: urls });
      document.documentElement.dataset.sw = "ready";
    }).catch(function () { /* no offline copy: the page still works online */ });
  }

  // Logging out of a shared phone: the kept pages (the last worker's warnings and households) go;
  // the outbox stays, its ticks carry their own keys and are sent at the next sign-in.
  var logout = document.querySelector("form[action='/logout']");
  if (logout && window.caches) {
    logout.addEventListener("submit", function () {
      caches.keys().then(function (keys) { keys.forEach(function (k) { if (k.indexOf("yingji-field-") === 0) caches.delete(k); }); });
    });
  }

  window.addEventListener("online", function () { refused = 0; flush(); });
  window.addEventListener("offline", function () { refreshStatus(); });
  refreshStatus().then(function (items) { if (items.length) flush(); else later(5000); });
})();
