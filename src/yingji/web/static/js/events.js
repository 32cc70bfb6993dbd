/* Live events (Server-Sent Events): one EventSource per page to /api/v1/events/stream.
 *
 * Every event is re-dispatched as a window CustomEvent "yingji:event" with
 * detail = {id, kind, jurisdiction_code, payload}; pages listen to it.
 * Elements with data-refresh-on="kind,kind" get an htmx "yingji:refresh" event when one of those
 * kinds arrives (give them hx-trigger="yingji:refresh delay:300ms, every 60s": the slow timer is the
 * safety net); data-refresh-if="warning_id=5|root_warning_id=5" narrows it to matching payloads.
 * The browser reconnects by itself with Last-Event-ID; if the server refused the stream (a restart
 * behind a proxy answering 502/503), we open a new one with ?last_event_id= after a growing pause,
 * so nothing is missed either way. */
(function () {
  "use strict";
  if (!window.EventSource || window.yingjiEvents) return;
  var script = document.currentScript;
  var kinds = (script && script.dataset.kinds) || "";
  var last = null, source = null, pause = 3000;

  function url() {
    var q = [];
    if (kinds) q.push("kinds=" + encodeURIComponent(kinds));
    if (last) q.push("last_event_id=" + encodeURIComponent(last));
    return "/api/v1/events/stream" + (q.length ? "?" + q.join("&") : "");
  }

  function matches(el, detail) {
    var on = (el.dataset.refreshOn || "").split(",").map(function (s) { return s.trim(); });
    if (on.indexOf(detail.kind) < 0) return false;
    var cond = el.dataset.refreshIf;
    if (!cond) return true;
    var payload = detail.payload || {};
    return cond.split("|").some(function (pair) {
      var kv = pair.split("=");
      return String(payload[kv[0]]) === kv[1];
    });
  }

  function deliver(detail) {
    window.dispatchEvent(new CustomEvent("yingji:event", { detail: detail }));
    document.querySelectorAll("[data-refresh-on]").forEach(function (el) {
      if (!matches(el, detail)) return;
      if (window.htmx) window.htmx.trigger(el, "yingji:refresh");
    });
  }

  function state(name) {
    document.documentElement.dataset.liveEvents = name;
    window.dispatchEvent(new CustomEvent("yingji:events-state", { detail: { state: name } }));
  }

  function open() {
    source = new EventSource(url(), { withCredentials: true });
    source.onopen = function () { pause = 3000; state("open"); };
    source.onmessage = function (m) {
      var detail;
      try { detail = JSON.parse(m.data); } catch (err) { return; }
      last = m.lastEventId || String(detail.id);
      deliver(detail);
    };
    source.onerror = function () {
      if (source.readyState !== EventSource.CLOSED) { state("reconnecting"); return; }  // the browser retries
      state("closed");
      source.close();
      setTimeout(open, pause + Math.random() * pause);  // not all clients at once after a restart
      pause = Math.min(pause * 2, 60000);
    };
  }

  window.yingjiEvents = { lastId: function () { return last; } };
  open();
  window.addEventListener("pagehide", function () { if (source) source.close(); });
  window.addEventListener("pageshow", function (e) { if (e.persisted) open(); });  // back from the cache
})();
