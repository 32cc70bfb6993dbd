/* The people picker (templates/_macros.html person_picker): the typed text searches /pick/people
   through htmx; choosing a person puts their id in a hidden field under the form name. Without this
   script the input itself is posted (a mobile number or a name). */
(function () {
  "use strict";
  function init(box) {
    var input = box.querySelector("input[data-picker-value]");
    if (!input || box.dataset.pickerReady) return;
    box.dataset.pickerReady = "1";
    var hidden = document.createElement("input");
    hidden.type = "hidden";
    hidden.name = input.name;
    hidden.value = input.dataset.pickerValue || "";
    input.name = "q";
    if (hidden.value) input.value = input.dataset.pickerText || "";
    input.setAttribute("form", "picker-none");  // the search text is not posted with the form
    box.appendChild(hidden);
    var list = box.querySelector(".picker-list");
    input.addEventListener("input", function () {
      hidden.value = "";
      input.setCustomValidity("");
    });
    list.addEventListener("click", function (e) {
      var b = e.target.closest("[data-pick-id]");
      if (!b) return;
      hidden.value = b.dataset.pickId;
      input.value = b.dataset.pickLabel;
      list.innerHTML = "";
    });
    input.addEventListener("keydown", function (e) {
      var first = list.querySelector("[data-pick-id]");
      if (e.key === "Enter" && first && !hidden.value) { e.preventDefault(); first.click(); }
      if (e.key === "Escape") list.innerHTML = "";
    });
    var form = hidden.form;
    if (form) form.addEventListener("submit", function (e) {
      // Typed but not chosen: the server still reads a mobile number or a unique name.
      if (!hidden.value && input.value.trim()) hidden.value = input.value.trim();
      if (input.required && !hidden.value) { e.preventDefault(); input.reportValidity(); }
    });
  }
  function scan(root) { (root || document).querySelectorAll("[data-picker]").forEach(init); }
  document.addEventListener("DOMContentLoaded", function () { scan(); });
  document.addEventListener("htmx:load", function (e) { scan(e.detail.elt.parentNode || document); });
})();
