/* Evacuation order page: the accounting is fetched again (one fragment, /evacuation/{id}/tally) when
   an "evacuation.tally" push event of this order arrives (window "yingji:event" from events.js),
   debounced: a burst of marks costs one fetch. No timer: without events the figures stay as they are,
   and the badge says the live link is down. */
(function () {
  "use strict";
  var box = document.getElementById("ev-live");
  if (!box) return;
  var orderId = String(box.dataset.orderId);
  var url = box.dataset.tallyUrl;
  var badge = document.querySelector("[data-live-state]");
  var timer = null, busy = false, again = false;

  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } }).then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.text();
    }).then(function (html) {
      var t = document.createElement("template");
      t.innerHTML = html;
      var fresh = t.content.querySelector("#ev-tally");
      var old = document.getElementById("ev-tally");
      if (fresh && old) old.replaceWith(fresh);
    }).catch(function () { /* the last figures stay; the next event tries again */ }).then(function () {
      busy = false;
      if (again) { again = false; refresh(); }
    });
  }

  window.addEventListener("yingji:event", function (e) {
    var d = e.detail || {};
    if (d.kind !== "evacuation.tally") return;
    if (d.payload && d.payload.order_id !== undefined && String(d.payload.order_id) !== orderId) return;
    if (timer) return;
    timer = setTimeout(function () { timer = null; refresh(); }, 600);
  });
  window.addEventListener("yingji:events-state", function (e) {
    if (!badge) return;
    var open = e.detail && e.detail.state === "open";
    badge.classList.toggle("ev-live-off", !open);
  });
})();
