/* Duty pages: print button, selects and date fields that apply themselves (no inline scripts). */
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  // A filter form marked data-autosubmit reloads when one of its selects changes.
  document.querySelectorAll("form[data-autosubmit] select").forEach(function (select) {
    select.addEventListener("change", function () {
      var target = select.dataset.goto;
      if (target) window.location.href = target.replace("{id}", encodeURIComponent(select.value));
      else select.form.submit();
    });
  });
  document.querySelectorAll("[data-autosubmit-field]").forEach(function (input) {
    input.addEventListener("change", function () { if (input.value) input.form.submit(); });
  });
})();

/* Duty board: a tone and a browser notification for a new first report (首报) or a new alarm, pushed
 * by static/js/events.js. Switched by the user and remembered in localStorage; the browser asks for
 * notification permission only after that click. The tone is made with Web Audio (no file). */
(function () {
  "use strict";
  var button = document.querySelector("[data-duty-alerts]");
  var stateEl = document.querySelector("[data-live-state]");
  var KEY = "yingji-duty-alerts";
  var audio = null;

  if (stateEl) {
    window.addEventListener("yingji:events-state", function (e) {
      var name = e.detail.state;
      stateEl.textContent = stateEl.dataset[name] || name;
      stateEl.className = "live-state live-" + name;
    });
  }
  if (!button) return;

  function on() { try { return localStorage.getItem(KEY) === "on"; } catch (err) { return false; } }
  function show() {
    var enabled = on();
    button.setAttribute("aria-pressed", enabled ? "true" : "false");
    button.textContent = enabled ? button.dataset.on : button.dataset.off;
    button.classList.toggle("primary", enabled);
  }

  function tone() {
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) return;
    if (!audio) audio = new Ctx();
    if (audio.state === "suspended") audio.resume();
    var t = audio.currentTime;
    [0, 0.22].forEach(function (offset, i) {  // two short rising beeps
      var osc = audio.createOscillator(), gain = audio.createGain();
      osc.type = "sine";
      osc.frequency.value = i ? 1175 : 880;
      gain.gain.setValueAtTime(0.0001, t + offset);
      gain.gain.exponentialRampToValueAtTime(0.4, t + offset + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t + offset + 0.18);
      osc.connect(gain).connect(audio.destination);
      osc.start(t + offset);
      osc.stop(t + offset + 0.2);
    });
    document.documentElement.dataset.dutyTone = String(Date.now());  // what rang last (tests look)
  }

  function notify(title, body, link, tag) {
    if (!("Notification" in window) || Notification.permission !== "granted") return;
    try {
      var n = new Notification(title, { body: body, tag: tag });
      n.onclick = function () { window.focus(); window.location.href = link; n.close(); };
    } catch (err) { /* some browsers allow notifications only from a service worker */ }
  }

  button.addEventListener("click", function () {
    var enable = !on();
    try { localStorage.setItem(KEY, enable ? "on" : "off"); } catch (err) { /* private mode */ }
    show();
    if (!enable) return;
    tone();  // also unlocks audio: browsers play sound only after the user acted on the page
    if ("Notification" in window && Notification.permission === "default") Notification.requestPermission();
  });
  // A remembered "on" needs one click anywhere before the browser lets the page make sound.
  document.addEventListener("click", function () { if (on() && audio && audio.state === "suspended") audio.resume(); });

  window.addEventListener("yingji:event", function (e) {
    var d = e.detail, p = d.payload || {};
    var first = d.kind === "report.new" && p.report_kind === "first";
    if (!first && d.kind !== "alarm.new") return;
    if (!on()) return;
    tone();
    if (first) notify(button.dataset.report, p.title || "", "/incidents/" + p.incident_id, "report-" + p.incident_id);
    else notify(button.dataset.alarm, (button.dataset["level" + (p.level || "").charAt(0).toUpperCase() + (p.level || "").slice(1)] || "") + " " +
      button.dataset.alarmBody.replace("{id}", p.alarm_id), "/monitoring/alarms/" + p.alarm_id, "alarm-" + p.alarm_id);
  });
  show();
})();
