/* Supplies movement forms: "add a line", and drafts that survive a reload or a dropped connection
   (the forms repeat field names per line, so values are kept as lists). No inline scripts (CSP). */
(function () {
  "use strict";
  document.querySelectorAll("[data-add-line]").forEach(function (button) {
    button.addEventListener("click", function () {
      var lines = button.closest("fieldset").querySelectorAll(".line");
      var last = lines[lines.length - 1];
      var copy = last.cloneNode(true);
      copy.querySelectorAll("input, select, textarea").forEach(function (f) {
        if (f.tagName === "SELECT") f.selectedIndex = 0; else f.value = "";
      });
      last.parentNode.insertBefore(copy, button);
      var first = copy.querySelector("select, input");
      if (first) first.focus();
    });
  });

  document.querySelectorAll("form[data-supplies-draft]").forEach(function (form) {
    var key = "yingji-supplies-draft:" + form.dataset.suppliesDraft;
    var hasError = document.querySelector(".alert-red, .field-error");
    function collect() {
      var data = {};
      Array.prototype.forEach.call(form.elements, function (f) {
        if (!f.name || f.type === "hidden" || f.type === "submit" || f.type === "button") return;
        (data[f.name] = data[f.name] || []).push(f.value);
      });
      return data;
    }
    function restore(saved) {
      var lines = form.querySelectorAll(".line");
      var want = (saved.item_code || []).length;
      var add = form.querySelector("[data-add-line]");
      for (var n = lines.length; n < want && add; n++) add.click();
      Object.keys(saved).forEach(function (name) {
        var fields = form.querySelectorAll('[name="' + name + '"]');
        saved[name].forEach(function (value, i) {
          if (fields[i] && !fields[i].value && value) fields[i].value = value;
        });
      });
    }
    if (!hasError) {
      try {
        var saved = JSON.parse(localStorage.getItem(key) || "null");
        if (saved) restore(saved);
      } catch (err) { /* unreadable draft: ignore */ }
    }
    form.addEventListener("input", function () {
      try { localStorage.setItem(key, JSON.stringify(collect())); } catch (err) { /* storage full */ }
    });
    form.addEventListener("submit", function () { sessionStorage.setItem("yingji-supplies-sent", key); });
  });
  var sent = sessionStorage.getItem("yingji-supplies-sent");
  if (sent && !document.querySelector("form[data-supplies-draft]")) {
    localStorage.removeItem(sent);
    sessionStorage.removeItem("yingji-supplies-sent");
  }
})();
