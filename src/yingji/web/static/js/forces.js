/* Rescue forces pages: confirmation before removing, and "use my location" on the team form. */
(function () {
  "use strict";
  document.addEventListener("submit", function (e) {
    var form = e.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.dataset.confirm)) e.preventDefault();
  });
  document.querySelectorAll("[data-locate]").forEach(function (button) {
    if (!navigator.geolocation) { button.hidden = true; return; }
    button.addEventListener("click", function () {
      button.disabled = true;
      navigator.geolocation.getCurrentPosition(function (pos) {
        var lon = document.querySelector('[data-geo="lon"]'), lat = document.querySelector('[data-geo="lat"]');
        if (lon) lon.value = pos.coords.longitude.toFixed(6);
        if (lat) lat.value = pos.coords.latitude.toFixed(6);
        button.disabled = false;
      }, function () { button.disabled = false; }, { enableHighAccuracy: true, timeout: 15000 });
    });
  });
})();
