/* Cameras on the one map: load after map.js (which sets window.yingjiMap). The map panel's
   [data-layer="cameras"] checkbox switches the layer; cameras are small squares coloured by status
   (village video rooms larger), reloaded as the map moves; the popup links to the camera's player. */
(function () {
  "use strict";
  var map = window.yingjiMap;
  if (!map || typeof L === "undefined") return;
  var COLOURS = { online: "#2e7d32", offline: "#78909c", fault: "#c62828" };
  var layer = L.layerGroup();
  var box = document.querySelector('[data-layer="cameras"]');
  var enabled = box ? box.checked : false, generation = 0;
  if (enabled) layer.addTo(map);
  if (box) {
    box.addEventListener("change", function () {
      enabled = box.checked;
      if (enabled) { layer.addTo(map); load(); } else map.removeLayer(layer);
    });
  }
  function popup(p) {
    var div = document.createElement("div");
    var a = document.createElement("a");
    a.href = "/video/cameras/" + encodeURIComponent(p.id);
    a.textContent = p.name;
    div.appendChild(a);
    var line = document.createElement("div");
    line.className = "small muted";
    line.textContent = p.kind_label + " · " + p.status_label;
    div.appendChild(line);
    return div;
  }
  function load() {
    if (!enabled || map.getZoom() < 10) { layer.clearLayers(); return; }
    var b = map.getBounds().pad(0.2);
    var bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (x) { return x.toFixed(4); }).join(",");
    var mine = ++generation;
    fetch("/api/v1/map/cameras?bbox=" + bbox, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
      .then(function (fc) {
        if (mine !== generation) return;
        layer.clearLayers();
        fc.features.forEach(function (f) {
          var p = f.properties, c = f.geometry.coordinates;
          var size = p.kind === "village_room" ? 12 : 9;
          var icon = L.divIcon({
            className: "camera-marker",
            html: '<span style="display:block;width:' + size + "px;height:" + size + "px;border:1px solid #fff;border-radius:2px;background:" + (COLOURS[p.status] || "#999") + '"></span>',
            iconSize: [size, size]
          });
          L.marker([c[1], c[0]], { icon: icon, title: p.name }).bindPopup(popup(p)).addTo(layer);
        });
        document.getElementById("map").dataset.loadedCameras = String(fc.features.length);
      })
      .catch(function () { /* the other layers still work */ });
  }
  map.on("moveend", load);
  map.whenReady(load);
})();
