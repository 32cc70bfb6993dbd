/* Readiness scorecards on the one map (YingjiMap.define, see map.js): a dot per town (larger) and
   village, green when every item is met, amber at half or more, red below half; the popup gives the
   items met against the items and links to the place's scorecard. A page may narrow the layer to a
   place with data-readiness-within on any element (the scorecards page does). */
(function () {
  "use strict";
  if (!window.YingjiMap) return;
  var YM = window.YingjiMap;
  function colour(p) { return p.missing === 0 ? "#2e7d32" : (p.score >= 0.5 ? "#f9a825" : "#c62828"); }
  YM.define("readiness", {
    url: function () {
      var el = document.querySelector("[data-readiness-within]");
      var within = el ? el.getAttribute("data-readiness-within") : "";
      return "/api/v1/readiness/map" + (within ? "?within=" + encodeURIComponent(within) : "");
    },
    marker: function (f) {
      var p = f.properties, c = f.geometry.coordinates;
      return L.circleMarker([c[1], c[0]], {
        pane: "ymWarn", radius: p.level === "town" ? 8 : 4, weight: 1, color: "#fff",
        fillColor: colour(p), fillOpacity: 0.9
      });
    },
    popup: function (p) {
      return YM.link("/readiness/places/" + encodeURIComponent(p.code), p.name, p.met + " / " + p.total);
    }
  });
})();
