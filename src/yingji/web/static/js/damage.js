/* Damage report form: on a phone with a weak network, what was typed and the idempotency key stay
   in localStorage until the server confirms; a failed send is retried (same key: the server answers
   the report it already has), a refusal is shown. Without this script the form posts normally. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-damage-report]");
  if (!form || !window.fetch) return;
  var id = form.dataset.damageReport;
  var DRAFT = "yingji-damage-draft:" + id, PENDING = "yingji-damage-pending:" + id, KEY = "yingji-damage-key:" + id;
  var status = document.querySelector("[data-send-status]");
  var csrf = document.querySelector('meta[name="csrf-token"]');
  var keyInput = form.querySelector("[data-client-key]");
  var attempts = 0, timer = null, busy = false, mode = "up";
  function store(k, v) { try { if (v === null) localStorage.removeItem(k); else localStorage.setItem(k, v); } catch (e) { /* full */ } }
  function load(k) { try { return localStorage.getItem(k); } catch (e) { return null; } }
  function say(text, cls) { if (status) { status.textContent = text; status.className = "send-status " + (cls || ""); } }
  function save() {
    var data = {};
    Array.prototype.forEach.call(form.elements, function (f) {
      if (f.name && f.type !== "hidden" && f.type !== "submit" && f.type !== "file" && f.value !== "") data[f.name] = f.value;
    });
    store(DRAFT, JSON.stringify(data));
  }
  var key = load(KEY);
  if (key && keyInput) keyInput.value = key; else if (keyInput) store(KEY, keyInput.value);
  var draft = null;
  try { draft = JSON.parse(load(DRAFT) || "null"); } catch (e) { draft = null; }
  if (draft) Object.keys(draft).forEach(function (n) { var f = form.elements[n]; if (f && f.value === "") f.value = draft[n]; });
  form.addEventListener("input", save);
  form.addEventListener("change", save);
  function send() {
    if (busy) return;
    busy = true; clearTimeout(timer); save(); store(PENDING, mode);
    say(status && status.dataset.sending);
    var body = new FormData(form);
    body.set("send", mode);
    fetch(form.action, { method: "POST", body: body, credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRF-Token": csrf ? csrf.content : "" } })
      .then(function (r) {
        return r.json().catch(function () { return null; }).then(function (b) {
          busy = false;
          if (r.ok && b) {
            store(DRAFT, null); store(PENDING, null); store(KEY, null);
            say(status.dataset.sent, "ok");
            window.location.href = b.url;
          } else if (r.status >= 400 && r.status < 500 && r.status !== 408 && r.status !== 429) {
            store(PENDING, null);
            say((b && b.error && b.error.message) || status.dataset.rejected, "bad");
          } else { retry(); }
        });
      }, function () { busy = false; retry(); });
  }
  function retry() {
    attempts += 1;
    var wait = Math.min(60, 5 * Math.pow(2, attempts - 1));
    say((status.dataset.failed || "{s}").replace("{s}", wait), "bad");
    timer = setTimeout(send, wait * 1000);
  }
  form.addEventListener("click", function (e) { var b = e.target.closest("button[name=send]"); if (b) mode = b.value; });
  form.addEventListener("submit", function (e) { e.preventDefault(); send(); });
  window.addEventListener("online", function () { if (load(PENDING)) send(); });
  if (load(PENDING) && draft) { mode = load(PENDING); say(status.dataset.pending); setTimeout(send, 500); }
})();
