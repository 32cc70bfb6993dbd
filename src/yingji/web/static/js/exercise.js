// Exercise control: show the fields of the chosen inject kind only (without this script every
// fieldset shows and the server keeps the chosen kind's fields).
(function () {
  "use strict";
  var form = document.querySelector("[data-inject-form]");
  if (!form) return;
  var kind = form.querySelector("[data-inject-kind]");
  function sync() {
    form.querySelectorAll("fieldset[data-kind]").forEach(function (fs) {
      var on = fs.getAttribute("data-kind").split(" ").indexOf(kind.value) >= 0;
      fs.hidden = !on;
      fs.disabled = !on;
    });
  }
  kind.addEventListener("change", sync);
  sync();
})();
