/* Dual prevention pages: the place from the phone's GPS, more rows of hidden dangers on the
   inspection form, and the LEC / LS form (one method at a time, the score and level shown as the
   factors are chosen, from /api/v1/risk/score so the local banding applies). No inline scripts. */
(function () {
  "use strict";

  // -- GPS: fill the hidden lon/lat fields of the form the button is in ----------------------
  document.querySelectorAll("[data-gps]").forEach(function (button) {
    var form = button.closest("form");
    var status = form && form.querySelector("[data-gps-status]");
    button.addEventListener("click", function () {
      if (!navigator.geolocation) { if (status) status.textContent = button.dataset.noGps; return; }
      navigator.geolocation.getCurrentPosition(function (pos) {
        form.querySelector("[data-lon]").value = pos.coords.longitude.toFixed(6);
        form.querySelector("[data-lat]").value = pos.coords.latitude.toFixed(6);
        if (status) status.textContent = button.dataset.located + " (" + pos.coords.latitude.toFixed(4) + ", " + pos.coords.longitude.toFixed(4) + ")";
      }, function () {
        if (status) status.textContent = button.dataset.noGps;
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    });
  });

  // -- inspection form: one more row of "hidden danger found" -------------------------------
  document.querySelectorAll("[data-add-danger-row]").forEach(function (button) {
    button.addEventListener("click", function () {
      var rows = button.parentNode.querySelector("[data-danger-rows]");
      var last = rows.lastElementChild;
      if (!last) return;
      var copy = last.cloneNode(true);
      copy.querySelectorAll("input").forEach(function (i) { i.value = ""; });
      rows.appendChild(copy);
      copy.querySelector("input").focus();
    });
  });

  // -- assessment form: one method at a time, live score --------------------------------------
  document.querySelectorAll("form[data-risk-score]").forEach(function (form) {
    var preview = form.querySelector("[data-score-preview]");
    function method() {
      var checked = form.querySelector("input[name=method]:checked");
      return checked ? checked.value : "LEC";
    }
    function show() {
      var m = method();
      form.querySelectorAll("[data-method]").forEach(function (box) {
        var on = box.dataset.method === m;
        box.hidden = !on;
        box.querySelectorAll("select").forEach(function (s) { s.disabled = !on; });
      });
      var params = new URLSearchParams({ method: m, place: form.dataset.place || "" });
      form.querySelectorAll("[data-method='" + m + "'] select").forEach(function (s) {
        params.set(s.name.split("_")[1], s.value);
      });
      fetch("/api/v1/risk/score?" + params.toString(), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
        .then(function (res) {
          if (!preview) return;
          preview.textContent = (preview.dataset.labelScore || "") + " " + res.score + " · ";
          var badge = document.createElement("span");
          badge.className = "risk-badge risk-" + ({ major: "red", high: "orange", general: "yellow", low: "blue" }[res.level] || "none");
          badge.textContent = res.level;
          var label = document.querySelector("[data-level-label='" + res.level + "']");
          if (label) badge.textContent = label.textContent;
          preview.appendChild(badge);
        })
        .catch(function () { if (preview) preview.textContent = ""; });
    }
    form.addEventListener("change", show);
    show();
  });
})();
