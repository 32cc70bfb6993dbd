/* Warnings: the area map (draw polygons and circles on the compose page, show them elsewhere) and
   the template picker that fills defaults and locks the template's fixed fields. No inline
   scripts: page data comes in data- attributes. Circles are [lat, lon, radius_m]; polygons are
   lists of [lat, lon], closed (first = last), as the server stores them. */
(function () {
  "use strict";

  function parse(text, fallback) {
    try { return JSON.parse(text); } catch (err) { return fallback; }
  }

  function areaMap(el) {
    if (typeof L === "undefined") return;
    var area = parse(el.dataset.area || "{}", {});
    var editable = el.dataset.editable === "1";
    var form = el.closest("form");
    var map = L.map(el, { minZoom: 5, maxZoom: 18 });
    var drawn = L.featureGroup().addTo(map);
    var polygons = area.polygons || [], circles = area.circles || [];
    var outline = null;
    if (el.dataset.boundary) {
      var geo = parse(el.dataset.boundary, null);
      if (geo) {
        outline = L.geoJSON(geo, { style: { color: "#0d2f5e", weight: 1.5, fillOpacity: 0.04 }, interactive: false }).addTo(map);
      }
    }

    var divisions = el.dataset.divisions ? parse(el.dataset.divisions, null) : null;

    function redraw() {
      drawn.clearLayers();
      // an area named by division codes: the divisions themselves, in the warning's red
      if (divisions) L.geoJSON(divisions, { style: { color: "#d7263d", weight: 2, fillOpacity: 0.2 } }).addTo(drawn);
      polygons.forEach(function (p) { L.polygon(p, { color: "#d7263d", weight: 2, fillOpacity: 0.2 }).addTo(drawn); });
      circles.forEach(function (c) { L.circle([c[0], c[1]], { radius: c[2], color: "#d7263d", weight: 2, fillOpacity: 0.2 }).addTo(drawn); });
    }
    function fit() {
      var bounds = drawn.getLayers().length ? drawn.getBounds() : (outline ? outline.getBounds() : null);
      if (bounds && bounds.isValid()) map.fitBounds(bounds, { padding: [12, 12] });
      else map.setView([27.7, 109.2], 8);
    }
    redraw();
    fit();
    if (!editable || !form) return;

    var polyInput = form.querySelector("[data-area-polygons]");
    var circleInput = form.querySelector("[data-area-circles]");
    var tools = form.querySelector("[data-map-tools]");
    var radius = form.querySelector("[data-circle-radius]");
    var finishButton = tools ? tools.querySelector('[data-draw="finish"]') : null;
    var mode = null, points = [], sketch = null;
    if (tools) tools.hidden = false;

    function save() {
      polyInput.value = JSON.stringify(polygons);
      circleInput.value = JSON.stringify(circles);
      redraw();
      polyInput.dispatchEvent(new Event("change", { bubbles: true }));
    }
    function stopSketch() {
      if (sketch) { map.removeLayer(sketch); sketch = null; }
      points = [];
      mode = null;
      if (finishButton) finishButton.hidden = true;
      el.classList.remove("wdrawing");
    }
    function round(x) { return Math.round(x * 1e6) / 1e6; }

    map.on("click", function (e) {
      var pt = [round(e.latlng.lat), round(e.latlng.lng)];
      if (mode === "circle") {
        var r = parseFloat(radius && radius.value) || 3000;
        circles.push([pt[0], pt[1], r]);
        stopSketch();
        save();
      } else if (mode === "polygon") {
        points.push(pt);
        if (sketch) map.removeLayer(sketch);
        sketch = L.polyline(points, { color: "#d7263d", dashArray: "4 4" }).addTo(map);
      }
    });
    if (tools) {
      tools.addEventListener("click", function (e) {
        var button = e.target.closest("[data-draw]");
        if (!button) return;
        var what = button.dataset.draw;
        if (what === "polygon") { stopSketch(); mode = "polygon"; finishButton.hidden = false; el.classList.add("wdrawing"); }
        else if (what === "circle") { stopSketch(); mode = "circle"; el.classList.add("wdrawing"); }
        else if (what === "finish") {
          if (points.length >= 3) { polygons.push(points.concat([points[0]])); }
          stopSketch();
          save();
        } else if (what === "clear") { stopSketch(); polygons = []; circles = []; save(); }
      });
    }
  }

  // The template picker: fills empty fields with the template's defaults for the chosen level and
  // makes its locked fields read-only (the server refuses changes to them anyway).
  function templatePicker(form) {
    var choices = form.querySelectorAll("[data-template-choice]");
    if (!choices.length) return;
    var templates = parse(form.dataset.templates || "{}", {});
    function chosenKey() {
      var checked = form.querySelector("[data-template-choice]:checked");
      return checked ? checked.value : "";
    }
    function level() {
      var checked = form.querySelector('input[name="level"]:checked');
      return checked ? checked.value : "blue";
    }
    function lock(name, locked) {
      var holder = form.querySelector('[data-field="' + name + '"]');
      if (!holder) return;
      var inputs = holder.matches("input, select, textarea") ? [holder] : holder.querySelectorAll("input, select, textarea");
      Array.prototype.forEach.call(inputs, function (input) {
        if (input.tagName === "SELECT" || input.type === "checkbox") {
          input.classList.toggle("wlocked", locked);
          input.setAttribute("aria-readonly", locked ? "true" : "false");
        } else {
          input.readOnly = locked;
        }
      });
    }
    function apply(fillTexts) {
      var t = templates[chosenKey()];
      ["event", "category", "categories", "sector"].forEach(function (n) { lock(n, false); });
      if (!t) return;
      var ev = form.querySelector('[name="event"]');
      if (ev && (t.locked || []).indexOf("event") >= 0) ev.value = t.event;
      else if (ev && !ev.value) ev.value = t.event;
      var cat = form.querySelector('[name="category"]');
      if (cat) cat.value = t.category;
      var sector = form.querySelector('[name="sector"]');
      if (sector && t.sector) sector.value = t.sector;
      form.querySelectorAll('[name="categories"]').forEach(function (box) { box.checked = t.categories.indexOf(box.value) >= 0; });
      if (fillTexts) {
        // the template's usual channels, unless the author has already ticked some
        var boxes = form.querySelectorAll('[name="channels"]');
        var ticked = Array.prototype.some.call(boxes, function (b) { return b.checked; });
        if (!ticked) boxes.forEach(function (b) { b.checked = (t.channels || []).indexOf(b.value) >= 0; });
        var lv = level();
        ["description", "instruction"].forEach(function (n) {
          var area = form.querySelector('[name="' + n + '"]');
          if (area && t[n] && (!area.value || area.dataset.fromTemplate === "1")) {
            area.value = t[n][lv] || "";
            area.dataset.fromTemplate = "1";
          }
        });
      }
      (t.locked || []).forEach(function (n) { lock(n, true); });
    }
    choices.forEach(function (c) { c.addEventListener("change", function () { apply(true); }); });
    form.querySelectorAll('input[name="level"]').forEach(function (r) { r.addEventListener("change", function () { apply(true); }); });
    form.querySelectorAll("textarea").forEach(function (a) { a.addEventListener("input", function () { a.dataset.fromTemplate = "0"; }); });
    // Locked checkboxes and selects cannot be changed by the author.
    form.addEventListener("click", function (e) {
      if (e.target.classList && e.target.classList.contains("wlocked") && e.target.type === "checkbox") e.preventDefault();
    });
    apply(false);
  }

  // The division tree: branches and search answers arrive from the server as they are opened or
  // typed (htmx); a ticked division becomes a chip holding the form's division_codes input, so a
  // choice survives closing a branch or a new search.
  function divisionTree(tree) {
    var chosen = tree.querySelector("[data-chosen]");
    var empty = tree.querySelector("[data-chosen-empty]");
    function has(code) { return !!chosen.querySelector('[data-chip="' + code + '"]'); }
    function refresh() {
      tree.querySelectorAll("[data-division]").forEach(function (box) { box.checked = has(box.value); });
      if (empty) empty.hidden = !!chosen.querySelector("[data-chip]");
    }
    function add(box) {
      if (has(box.value)) return;
      var chip = document.createElement("span");
      chip.className = "chip wchip";
      chip.dataset.chip = box.value;
      var input = document.createElement("input");
      input.type = "hidden"; input.name = "division_codes"; input.value = box.value;
      chip.appendChild(input);
      chip.appendChild(document.createTextNode(box.dataset.name + " "));
      if (box.dataset.path) {
        var small = document.createElement("small");
        small.className = "muted"; small.textContent = box.dataset.path + " ";
        chip.appendChild(small);
      }
      var remove = document.createElement("button");
      remove.type = "button"; remove.dataset.unchoose = box.value; remove.textContent = "×";
      remove.setAttribute("aria-label", box.dataset.name);
      chip.appendChild(remove);
      chosen.appendChild(chip);
    }
    function removeCode(code) {
      var chip = chosen.querySelector('[data-chip="' + code + '"]');
      if (chip) chip.remove();
    }
    tree.addEventListener("change", function (e) {
      var box = e.target.closest("[data-division]");
      if (!box) return;
      if (box.checked) add(box); else removeCode(box.value);
      refresh();
    });
    tree.addEventListener("click", function (e) {
      var x = e.target.closest("[data-unchoose]");
      if (x) {
        removeCode(x.dataset.unchoose);
        refresh();
        tree.dispatchEvent(new Event("change", { bubbles: true }));
        return;
      }
      var toggle = e.target.closest(".wtree-toggle");
      if (toggle) {
        var open = toggle.getAttribute("aria-expanded") !== "true";
        toggle.setAttribute("aria-expanded", open ? "true" : "false");
        toggle.textContent = open ? "▾" : "▸";
        var list = toggle.parentElement.querySelector(".wtree-children");
        if (list) list.hidden = !open;
      }
    });
    document.body.addEventListener("htmx:afterSwap", function (e) { if (tree.contains(e.target)) refresh(); });
    refresh();
  }

  document.querySelectorAll("#warning-map").forEach(areaMap);
  document.querySelectorAll("[data-division-tree]").forEach(divisionTree);
  document.querySelectorAll("form.wcompose").forEach(templatePicker);
})();
