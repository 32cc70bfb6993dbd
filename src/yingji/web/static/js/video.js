/* Video linkage (视频联报) in the page: HLS players (native HLS where the browser has it, else
   the vendored hls.js, loaded only when a stream is played; other protocols stay links), and the
   recorder that films a short clip with the phone camera and uploads it resumably in chunks. */
(function () {
  "use strict";
  // fingerprinted by the page (static() in the template), so it is cached for a year
  var HLS_SRC = document.currentScript && document.currentScript.dataset.hlsSrc;
  var CHUNK = 512 * 1024; // small chunks: a weak network loses little when a request drops
  var MAX_SECONDS = 60;
  var hlsLoading = null;

  function loadHls() {
    if (window.Hls) return Promise.resolve(window.Hls);
    if (!hlsLoading) {
      hlsLoading = new Promise(function (resolve, reject) {
        var s = document.createElement("script");
        s.src = HLS_SRC;
        s.onload = function () { resolve(window.Hls); };
        s.onerror = reject;
        document.head.appendChild(s);
      });
    }
    return hlsLoading;
  }

  function start(video) {
    if (video.dataset.started) return;
    video.dataset.started = "1";
    var url = video.dataset.hls;
    var button = video.parentNode.querySelector("[data-play]");
    if (button) button.hidden = true;
    var nativeHls = video.canPlayType("application/vnd.apple.mpegurl");
    if (nativeHls && !window.MediaSource) {
      video.src = url;
      video.play().catch(function () {});
      return;
    }
    loadHls().then(function (Hls) {
      if (!Hls || !Hls.isSupported()) {
        if (nativeHls) { video.src = url; video.play().catch(function () {}); }
        else video.parentNode.classList.add("video-unsupported");
        return;
      }
      var hls = new Hls({ enableWorker: false, lowLatencyMode: true });
      video._hls = hls;
      hls.on(Hls.Events.MANIFEST_PARSED, function () { video.play().catch(function () {}); });
      hls.on(Hls.Events.ERROR, function (_e, data) {
        if (data && data.fatal) video.parentNode.classList.add("video-error");
      });
      hls.loadSource(url);
      hls.attachMedia(video);
    }).catch(function () { video.parentNode.classList.add("video-error"); });
  }

  function initPlayers(root) {
    root.querySelectorAll("video.video-hls").forEach(function (video) {
      if (video.dataset.bound) return;
      video.dataset.bound = "1";
      if (video.dataset.autoplay) { start(video); return; }
      var button = video.parentNode.querySelector("[data-play]");
      if (button) button.addEventListener("click", function () { start(video); });
      video.addEventListener("play", function () { start(video); });
    });
  }

  // -- the recorder -------------------------------------------------------------------------------
  function csrfToken() {
    var m = document.querySelector('meta[name="csrf-token"]');
    return m ? m.content : "";
  }
  function say(box, key, vars) {
    var status = box.querySelector("[data-record-status]");
    var text = status.dataset[key] || key;
    Object.keys(vars || {}).forEach(function (k) { text = text.replace("{" + k + "}", vars[k]); });
    status.textContent = text;
  }
  function sleep(ms) { return new Promise(function (r) { setTimeout(r, ms); }); }
  function randomKey() {
    var a = new Uint8Array(16);
    crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function api(method, url, body, type) {
    var headers = { "X-CSRF-Token": csrfToken(), Accept: "application/json" };
    if (type) headers["Content-Type"] = type;
    return fetch(url, { method: method, body: body, headers: headers, credentials: "same-origin" }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (j) { return { status: r.status, body: j }; });
    });
  }

  // Announce the clip, then send chunk after chunk from the offset the server holds; after a failure
  // ask the server how much it has and go on from there, waiting a little longer each time.
  function upload(box, blob, name) {
    var incident = box.dataset.incident;
    var maxBytes = Number(box.dataset.maxMb) * 1024 * 1024;
    var progress = box.querySelector("[data-record-progress]");
    if (blob.size > maxBytes) { say(box, "msgTooBig"); return Promise.resolve(); }
    var type = (blob.type || "video/webm").split(";")[0];
    var key = box.dataset.uploadKey || (box.dataset.uploadKey = randomKey());
    var upload, offset = 0, failures = 0;
    progress.hidden = false;
    function pct() { return Math.floor((100 * offset) / blob.size); }
    function fail(message) {
      say(box, "msgFailed");
      box.querySelector("[data-record-status]").textContent += " " + message;
    }
    function step() {
      if (offset >= blob.size) {
        progress.value = 100;
        say(box, "msgDone");
        delete box.dataset.uploadKey;
        if (window.htmx) window.htmx.ajax("GET", "/incidents/" + incident + "/video", { target: "#video-panel" });
        return Promise.resolve();
      }
      var chunk = blob.slice(offset, Math.min(blob.size, offset + CHUNK));
      return api("PUT", "/api/v1/video/uploads/" + upload + "?offset=" + offset, chunk, "application/octet-stream")
        .then(function (r) {
          if (r.status === 200) { offset = r.body.offset; failures = 0; progress.value = pct(); say(box, "msgUploading", { pct: pct() }); return step(); }
          if (r.status >= 400 && r.status < 500 && r.status !== 409 && r.status !== 408 && r.status !== 429) {
            fail((r.body.error && r.body.error.message) || String(r.status));
            return null;
          }
          throw new Error(String(r.status));
        })
        .catch(function (err) {
          if (err === null) return null;
          failures += 1;
          say(box, "msgRetry", { pct: pct() });
          return sleep(Math.min(15000, 500 * Math.pow(2, Math.min(failures, 5))))
            .then(function () { return api("GET", "/api/v1/video/uploads/" + upload); })
            .then(function (r) { if (r.status === 200) offset = r.body.offset; })
            .catch(function () {})
            .then(step);
        });
    }
    var meta = JSON.stringify({ client_key: key, size_bytes: blob.size, content_type: type, filename: name || null });
    function open() {
      return api("POST", "/api/v1/incidents/" + incident + "/clips/uploads", meta, "application/json").then(function (r) {
        if (r.status !== 201 && r.status !== 200) {
          if (r.status >= 400 && r.status < 500) { fail((r.body.error && r.body.error.message) || String(r.status)); return null; }
          throw new Error(String(r.status));
        }
        upload = r.body.id; offset = r.body.offset;
        return step();
      }).catch(function (err) {
        failures += 1;
        say(box, "msgRetry", { pct: 0 });
        return sleep(Math.min(15000, 500 * Math.pow(2, Math.min(failures, 5)))).then(open);
      });
    }
    return open();
  }

  function chooseType() {
    var types = ["video/webm;codecs=vp8,opus", "video/webm", "video/mp4"];
    if (!window.MediaRecorder) return null;
    for (var i = 0; i < types.length; i++) if (MediaRecorder.isTypeSupported(types[i])) return types[i];
    return "";
  }

  function initRecorder(box) {
    if (box.dataset.bound) return;
    box.dataset.bound = "1";
    var startButton = box.querySelector("[data-record-start]");
    var stopButton = box.querySelector("[data-record-stop]");
    var preview = box.querySelector("[data-record-preview]");
    var fileInput = box.querySelector("[data-record-file]");
    var recorder = null, stream = null, timer = null;
    fileInput.addEventListener("change", function () {
      if (fileInput.files && fileInput.files[0]) upload(box, fileInput.files[0], fileInput.files[0].name);
    });
    startButton.addEventListener("click", function () {
      var type = chooseType();
      if (type === null || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) { say(box, "msgDenied"); fileInput.click(); return; }
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: true }).then(function (s) {
        stream = s;
        preview.srcObject = s; preview.hidden = false; preview.play().catch(function () {});
        var parts = [];
        recorder = new MediaRecorder(s, type ? { mimeType: type, videoBitsPerSecond: 1000000 } : undefined);
        recorder.ondataavailable = function (e) { if (e.data && e.data.size) parts.push(e.data); };
        recorder.onstop = function () {
          clearTimeout(timer);
          stream.getTracks().forEach(function (t) { t.stop(); });
          preview.hidden = true; stopButton.hidden = true; startButton.hidden = false;
          var blob = new Blob(parts, { type: (recorder.mimeType || type || "video/webm") });
          upload(box, blob, "clip." + (blob.type.indexOf("mp4") >= 0 ? "mp4" : "webm"));
        };
        recorder.start(1000);
        startButton.hidden = true; stopButton.hidden = false;
        timer = setTimeout(function () { if (recorder.state !== "inactive") recorder.stop(); }, MAX_SECONDS * 1000);
      }).catch(function () { say(box, "msgDenied"); });
    });
    stopButton.addEventListener("click", function () { if (recorder && recorder.state !== "inactive") recorder.stop(); });
  }

  function init(root) {
    initPlayers(root);
    root.querySelectorAll("[data-record]").forEach(initRecorder);
  }
  window.yingjiVideo = { upload: upload, start: start };
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.body && document.body.addEventListener("htmx:load", function (e) { init(e.detail.elt.parentNode || document); });
  if (document.readyState !== "loading") init(document);
})();
