/* Yingji page behaviour: no inline scripts (the CSP forbids them). */
(function () {
  "use strict";
  var csrf = document.querySelector('meta[name="csrf-token"]');

  // htmx requests carry the session's CSRF token.
  document.addEventListener("htmx:configRequest", function (e) {
    if (csrf && csrf.content) e.detail.headers["X-CSRF-Token"] = csrf.content;
  });

  // The menu button opens the side navigation on phones.
  document.addEventListener("click", function (e) {
    if (e.target.closest("[data-toggle-nav]")) document.body.classList.toggle("nav-open");
    else if (!e.target.closest("#sidebar")) document.body.classList.remove("nav-open");
  });

  // Forms marked data-draft keep what was typed across a reload or a dropped connection,
  // and forget it once the server accepted the form (the page navigates away on success).
  document.querySelectorAll("form[data-draft]").forEach(function (form) {
    var key = "yingji-draft:" + form.dataset.draft;
    var saved = null;
    try { saved = JSON.parse(localStorage.getItem(key) || "null"); } catch (err) { saved = null; }
    if (saved) {
      Object.keys(saved).forEach(function (name) {
        var field = form.elements[name];
        if (field && field.type !== "hidden" && field.type !== "file" && !field.value) field.value = saved[name];
      });
    }
    form.addEventListener("input", function () {
      var data = {};
      Array.prototype.forEach.call(form.elements, function (f) {
        if (f.name && f.type !== "hidden" && f.type !== "password" && f.type !== "file") data[f.name] = f.value;
      });
      try { localStorage.setItem(key, JSON.stringify(data)); } catch (err) { /* storage full: ignore */ }
    });
    form.addEventListener("submit", function () {
      sessionStorage.setItem("yingji-draft-sent", key);
    });
  });
  // A page reached after a successful submit (a redirect, no error page) clears that draft.
  var sent = sessionStorage.getItem("yingji-draft-sent");
  if (sent && !document.querySelector(".has-error, .alert-red")) {
    localStorage.removeItem(sent);
    sessionStorage.removeItem("yingji-draft-sent");
  }
})();
