/* The grid worker's evacuation page on the phone, working offline once loaded.
   - The cell's households are kept in localStorage when the page loads (yingji-evac-task:<id>).
   - A tap puts a mark in the outbox (yingji-evac-outbox) with its own client_key (a random id: a
     resend is recognised by the server and never counted twice) and marked_at = the phone's time
     of the tap (the newest mark by the phone's clock wins, whatever the order of arrival).
   - The outbox goes as one batch per order to POST …/marks when online: at page load, on the
     "online" event, after each tap, and again after a failure with a growing pause (2 s … 60 s).
   - The page shows "n marks waiting to be sent" and what the server answered (SAME / STALE …).
   No inline scripts: the page's data comes in data- attributes. */
(function () {
  "use strict";
  var OUTBOX = "yingji-evac-outbox";
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var root = document.getElementById("ev-field");
  var statusEl = document.querySelector("[data-ev-outbox]");
  var answersEl = document.querySelector("[data-ev-answers]");
  var ds = root ? root.dataset : {};

  function load(key) { try { return localStorage.getItem(key); } catch (err) { return null; } }
  function store(key, value) { try { localStorage.setItem(key, value); return true; } catch (err) { return false; } }
  function parse(text, fallback) { try { return JSON.parse(text) || fallback; } catch (err) { return fallback; } }
  function fmt(t, v) { return String(t || "").replace(/\{(\w+)\}/g, function (m, k) { return v[k] !== undefined ? v[k] : m; }); }
  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID().replace(/-/g, "");
    var s = "";
    for (var i = 0; i < 32; i++) s += Math.floor(Math.random() * 16).toString(16);
    return s;
  }
  function outbox() { return parse(load(OUTBOX), []); }
  function saveOutbox(items) { store(OUTBOX, JSON.stringify(items)); }

  var labels = parse(ds.labels, {}), outcomes = parse(ds.outcomes, {});
  var households = parse(ds.households, []);
  var taskKey = root ? "yingji-evac-task:" + ds.taskId : null;
  var byId = {};

  // -- the copy kept on the phone ----------------------------------------------------------------
  if (root) {
    store(taskKey, JSON.stringify({ order: ds.orderId, households: households, shelters: parse(ds.shelters, []), saved: Date.now() }));
    households.forEach(function (h) { byId[h.id] = h; });
  }

  // -- showing a household's state ----------------------------------------------------------------
  function row(hid) { return root ? root.querySelector('li[data-hid="' + hid + '"]') : null; }
  function show(hid, state, pending) {
    var li = row(hid);
    if (!li) return;
    li.dataset.state = state;
    var lab = li.querySelector("[data-state-label]");
    if (lab) {
      lab.textContent = labels[state] || state;
      lab.className = "ev-hs hs-" + state;
    }
    var p = li.querySelector("[data-pending]");
    if (p) p.hidden = !pending;
    if (byId[hid]) byId[hid].state = state;
  }
  function remember() {  // the copy follows what the server said
    if (taskKey) {
      var copy = parse(load(taskKey), {});
      copy.households = households;
      store(taskKey, JSON.stringify(copy));
    }
  }
  // marks still in the outbox are shown over the server's states (the newest tap wins)
  outbox().forEach(function (item) { if (String(item.order) === String(ds.orderId)) show(item.mark.household_id, item.mark.state, true); });

  function say(text, cls) {
    if (!statusEl) return;
    statusEl.textContent = text || "";
    statusEl.className = "ev-outbox" + (cls ? " " + cls : "");
  }
  function showPending() {
    var n = outbox().length;
    if (!n) { if (statusEl && statusEl.classList.contains("ev-waiting")) say(""); return; }
    var text = fmt(ds.msgPending || "{n} …", { n: n });
    if (navigator.onLine === false) text += " · " + (ds.msgOffline || "");
    say(text, "ev-waiting");
  }

  // -- taps --------------------------------------------------------------------------------------
  function queue(hid, state, shelterId) {
    var mark = { household_id: parseInt(hid, 10), state: state, marked_at: new Date().toISOString(), client_key: newKey() };
    if (shelterId) mark.shelter_id = parseInt(shelterId, 10);
    var items = outbox();
    var h = byId[hid] || {};
    items.push({ order: ds.orderId, api: ds.api, name: h.head_name || "", mark: mark });
    if (!store(OUTBOX, JSON.stringify(items))) { say("localStorage!", "ev-bad"); return; }
    show(hid, state, true);
    showPending();
    flush();
  }
  if (root) {
    root.addEventListener("click", function (e) {
      var btn = e.target.closest("button");
      if (!btn) return;
      var li = btn.closest("li[data-hid]");
      if (!li) return;
      var pick = li.querySelector("[data-shelter-pick]");
      if (btn.dataset.mark === "sheltered") { if (pick) pick.hidden = !pick.hidden; return; }
      if (btn.hasAttribute("data-shelter-ok")) {
        var sel = li.querySelector("[data-shelter]");
        if (!sel || !sel.value) return;
        pick.hidden = true;
        queue(li.dataset.hid, "sheltered", sel.value);
        return;
      }
      if (btn.dataset.mark) { if (pick) pick.hidden = true; queue(li.dataset.hid, btn.dataset.mark, null); }
    });
  }

  // -- sending -------------------------------------------------------------------------------------
  var sending = false, pause = 2000, retryTimer = null;
  function retryLater() {
    if (retryTimer) return;
    retryTimer = setTimeout(function () { retryTimer = null; flush(); }, pause + Math.random() * 500);
    pause = Math.min(pause * 2, 60000);
  }
  function report(results) {
    if (!answersEl) return;
    var notes = results.filter(function (r) { return r.outcome !== "applied" && r.outcome !== "repeat"; });
    answersEl.textContent = "";
    notes.forEach(function (r) {
      var p = document.createElement("p");
      p.className = "ev-answer ev-answer-" + r.outcome;
      var h = byId[r.household_id];
      // the service's message is bilingual ("中文 / English"): the page shows its own language's half
      var msg = r.message ? String(r.message).split(" / ")[ds.lang === "en" ? 1 : 0] || r.message : "";
      p.textContent = (h ? h.head_name + ": " : "") + (msg || outcomes[r.outcome] || r.outcome);
      answersEl.appendChild(p);
    });
  }
  function flush() {
    var items = outbox();
    if (sending || !items.length) { showPending(); return; }
    if (navigator.onLine === false) { showPending(); return; }
    sending = true;
    var first = items[0];
    var batch = items.filter(function (x) { return x.api === first.api; }).slice(0, 500);
    var keys = {};
    batch.forEach(function (x) { keys[x.mark.client_key] = true; });
    say(ds.msgSending || "…", "ev-waiting");
    fetch(first.api, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRF-Token": csrfMeta ? csrfMeta.content : "" },
      body: JSON.stringify({ marks: batch.map(function (x) { return x.mark; }) })
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (body) { return { status: r.status, body: body }; });
    }).then(function (res) {
      sending = false;
      if (res.status === 401) { say(ds.msgLogin || "401", "ev-bad"); return; }
      if (res.status >= 500 || res.status === 408 || res.status === 429 || res.status === 0) throw new Error("retry");
      // answered: these marks are through (accepted, or refused for good with a message)
      saveOutbox(outbox().filter(function (x) { return !keys[x.mark.client_key]; }));
      pause = 2000;
      if (res.status >= 400) {
        var err = (res.body && res.body.error) || {};
        say((ds.msgRefused || "") + " " + (err.message || res.status), "ev-bad");
      } else {
        var results = (res.body && res.body.results) || [];
        results.forEach(function (r) {
          var stillQueued = outbox().some(function (x) { return x.mark.household_id === r.household_id; });
          if (!stillQueued) show(r.household_id, r.state, false);
        });
        remember();
        report(results);
        var applied = results.filter(function (r) { return r.outcome === "applied"; }).length;
        say(fmt(ds.msgSent || "{n}", { n: results.length, a: applied }), "ev-done");
      }
      if (outbox().length) flush(); else showPending();
    }).catch(function () {
      sending = false;
      showPending();
      retryLater();
    });
  }

  flush();
  window.addEventListener("online", function () { pause = 2000; flush(); });
  window.addEventListener("offline", showPending);
  window.addEventListener("pageshow", function (e) { if (e.persisted) flush(); });
})();
