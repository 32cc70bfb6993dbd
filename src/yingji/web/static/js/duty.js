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
