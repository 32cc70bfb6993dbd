/* Shelter check-in on a phone: each check-in goes into an outbox in localStorage with its client_key
   and is posted as JSON to the API until the server answers (the same key twice checks in once), so a
   weak network loses nothing; without scripts the plain form posts to the page. */
(function () {
  "use strict";
  var OUTBOX = "yingji-checkin-outbox";
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  function load() { try { return JSON.parse(localStorage.getItem(OUTBOX) || "[]"); } catch (err) { return []; } }
  function save(items) { try { localStorage.setItem(OUTBOX, JSON.stringify(items)); return true; } catch (err) { return false; } }
  var status = document.querySelector("[data-outbox-status]");
  function say(text, cls) {
    if (!status) return;
    status.textContent = "";
    var p = document.createElement("p");
    p.className = "alert " + (cls || "");
    p.textContent = text;
    status.appendChild(p);
  }
  function fmt(s, v) { return (s || "").replace(/\{(\w+)\}/g, function (m, k) { return v[k] !== undefined ? v[k] : m; }); }
  function pending() { var n = load().length; if (n && status) say(fmt(status.dataset.pending, { n: n }), "alert-yellow"); }
  var sending = false;
  function flush() {
    var items = load();
    if (sending || !items.length) { pending(); return; }
    sending = true;
    var item = items[0];
    fetch(item.url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRF-Token": csrfMeta ? csrfMeta.content : "" },
      body: JSON.stringify(item.body)
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (b) { return { status: r.status, body: b }; });
    }).then(function (res) {
      sending = false;
      if (res.status >= 500 || res.status === 401 || res.status === 429) throw new Error("retry");
      save(load().filter(function (x) { return x.body.client_key !== item.body.client_key; }));
      if (res.status >= 400) {
        var e = res.body && res.body.error;
        say((status ? status.dataset.rejected : "") + " " + (e ? e.message + (e.message_en ? " / " + e.message_en : "") : res.status), "alert-red");
        return;
      }
      say(status ? status.dataset.sent : "", "alert-green");
      if (load().length) flush();
    }).catch(function () { sending = false; pending(); });
  }
  var NUMBERS = { people: 1, vulnerable: 1, resident_id: 1 };
  document.querySelectorAll("form[data-checkin-form]").forEach(function (form) {
    form.addEventListener("submit", function (e) {
      if (!window.fetch || !window.JSON) return;
      e.preventDefault();
      var body = {};
      Array.prototype.forEach.call(form.elements, function (el) {
        if (!el.name || el.name === "csrf_token" || el.value === "") return;
        body[el.name] = NUMBERS[el.name] ? parseInt(el.value, 10) : el.value;
      });
      var items = load();
      items.push({ url: form.dataset.api, body: body, saved: Date.now() });
      save(items);
      say(status ? status.dataset.queued : "", "");
      var key = form.querySelector("[data-key]");
      if (key) key.value = key.value + "-" + Date.now().toString(36);  // the next submit is another check-in
      if (form.elements.id_number) form.elements.id_number.value = "";
      flush();
    });
  });
  flush();
  window.addEventListener("online", flush);
  setInterval(flush, 30000);
})();
