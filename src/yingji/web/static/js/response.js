/* Response pages: running due clocks, the task form's assignee fields, the statistics charts.
   No inline scripts (CSP script-src 'self'): data comes from data- attributes and a JSON block. */
(function () {
  "use strict";
  var zh = (document.documentElement.lang || "zh-CN").indexOf("zh") === 0;

  // -- due clocks: "还剩 1:05:00" / "已超时 2:05:54" beside each running deadline, every second ------
  function span(ms) {
    var s = Math.floor(Math.abs(ms) / 1000), d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600);
    var m = Math.floor((s % 3600) / 60);
    s = s % 60;
    var hms = h + ":" + (m < 10 ? "0" : "") + m + ":" + (s < 10 ? "0" : "") + s;
    return d ? d + (zh ? "天 " : "d ") + hms : hms;
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll(".due-clock.running[data-due]").forEach(function (el) {
      var left = Date.parse(el.dataset.due) - now;
      var out = el.querySelector(".left");
      if (!out) { out = document.createElement("small"); out.className = "left"; el.appendChild(out); }
      out.textContent = left >= 0 ? (zh ? " 还剩 " : " in ") + span(left) : (zh ? " 已超时 " : " overdue ") + span(left);
      el.classList.toggle("overdue", left < 0);
      el.classList.toggle("soon", left >= 0 && left < 30 * 60000);
    });
  }

  // -- task forms: show only the assignee field of the chosen kind -------------------------------
  function assignee(root) {
    root.querySelectorAll("select[data-assignee-kind]").forEach(function (select) {
      var form = select.closest("form");
      var sync = function () {
        form.querySelectorAll("[data-assignee]").forEach(function (label) {
          label.hidden = label.dataset.assignee !== select.value;
        });
      };
      if (!select.dataset.bound) { select.addEventListener("change", sync); select.dataset.bound = "1"; }
      sync();
    });
  }

  // -- statistics charts (ECharts, vendored) -----------------------------------------------------
  function charts() {
    var block = document.getElementById("stats-data");
    if (!block || !window.echarts) return;
    var data = JSON.parse(block.textContent);
    var labels = zh ? { cur: "本期", prev: "去年同期" } : { cur: "This period", prev: "Same period last year" };
    var build = {
      month: data.by_month, category: data.by_category.filter(function (r) { return r.key.indexOf(".") < 0; }),
      place: data.by_place.slice(0, 20), grade: data.by_grade
    };
    document.querySelectorAll(".chart[data-chart]").forEach(function (el) {
      var rows = build[el.dataset.chart] || [];
      var chart = window.echarts.init(el);
      chart.setOption({
        tooltip: { trigger: "axis" },
        legend: { data: [labels.cur, labels.prev] },
        grid: { left: 40, right: 16, top: 36, bottom: 48 },
        xAxis: { type: "category", data: rows.map(function (r) { return r.label; }), axisLabel: { interval: 0, rotate: rows.length > 6 ? 30 : 0 } },
        yAxis: { type: "value", minInterval: 1 },
        series: [
          { name: labels.cur, type: el.dataset.chart === "month" ? "line" : "bar", data: rows.map(function (r) { return r.current.count; }), itemStyle: { color: "#c23531" } },
          { name: labels.prev, type: el.dataset.chart === "month" ? "line" : "bar", data: rows.map(function (r) { return r.previous.count; }), itemStyle: { color: "#91a7c2" } }
        ]
      });
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  function init(root) { assignee(root || document); tick(); }
  document.addEventListener("DOMContentLoaded", function () { init(document); charts(); });
  document.addEventListener("htmx:afterSwap", function (e) { init(e.target); });
  setInterval(tick, 1000);
})();
