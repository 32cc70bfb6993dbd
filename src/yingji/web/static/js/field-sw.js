/* The grid worker's app service worker (served at /field/sw.js, scope /field).
   - Pages of the app: network first (the copy is refreshed each time), the kept copy when the
     network is down, else the offline shell (/field/offline).
   - Static files (fingerprinted ?h=…): the kept copy first.
   - The pages tell it what to keep ({type: "keep", urls}): their styles and scripts and the
     warnings and tasks they link to, so those open offline.
   - Writes are not touched: the page's outbox (IndexedDB) replays them with their client keys. */
"use strict";
var CACHE = "yingji-field-v1";
var SHELL = ["/field", "/field/offline"];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (c) { return c.addAll(SHELL); }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k.indexOf("yingji-field-") === 0 && k !== CACHE; }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type !== "keep" || !Array.isArray(data.urls)) return;
  var urls = data.urls.filter(function (u) { return typeof u === "string" && u.charAt(0) === "/"; }).slice(0, 200);
  event.waitUntil(caches.open(CACHE).then(function (c) {
    return Promise.all(urls.map(function (u) {
      return fetch(u, { credentials: "same-origin" }).then(function (r) { if (r.ok && !r.redirected) return c.put(u, r); }).catch(function () {});
    }));
  }));
});

function appPage(url) { return url.pathname === "/field" || url.pathname.indexOf("/field/") === 0; }

self.addEventListener("fetch", function (event) {
  var req = event.request;
  if (req.method !== "GET") return;
  var url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname === "/field/sw.js") return;
  if (url.pathname.split("/")[1] === "static") {  // fingerprinted assets: cache first
    event.respondWith(caches.match(req).then(function (hit) {
      return hit || fetch(req).then(function (r) {
        if (r.ok) { var copy = r.clone(); caches.open(CACHE).then(function (c) { c.put(req, copy); }); }
        return r;
      });
    }));
    return;
  }
  if (req.mode === "navigate" || appPage(url)) {
    event.respondWith(fetch(req).then(function (r) {
      // A page of the app as the server has it now (not a login redirect) is kept for offline.
      if (r.ok && !r.redirected && appPage(url)) { var copy = r.clone(); caches.open(CACHE).then(function (c) { c.put(url.pathname, copy); }); }
      return r;
    }).catch(function () {
      return caches.match(url.pathname).then(function (hit) {
        return hit || caches.match("/field/offline").then(function (shell) {
          return shell || new Response("offline", { status: 503, headers: { "Content-Type": "text/plain" } });
        });
      });
    }));
  }
});
