// Check-in by QR code with the phone's camera. Without this script, or without a camera,
// the short-code form and the name search still work: they are ordinary forms.
// The browser's own BarcodeDetector reads the code where it has one; elsewhere the vendored
// one (static/vendor/barcode-detector, zxing-cpp as WebAssembly, loaded from this site).
(function () {
  "use strict";
  var section = document.getElementById("scan");
  if (!section) { return; }
  var answerBox = document.getElementById("scan-answer");
  var csrf = section.querySelector("input[name=csrf_token]");
  //: The same code seen again within this many milliseconds is the same scan.
  var SAME_SCAN_MS = 5000;
  //: How often a video frame is read.
  var FRAME_MS = 200;
  var last = { token: "", at: 0 };
  var busy = false;

  function show(html) {
    answerBox.innerHTML = html;
    var arrived = answerBox.querySelector(".scan-ok[data-person]");
    if (arrived) {
      markArrived(arrived.getAttribute("data-person"), arrived.getAttribute("data-arrived"));
    }
  }

  // The list and the count below follow a scan that checked someone in, as a reload would
  // show them (the undo button comes with the next reload).
  function markArrived(id, words) {
    var count = document.getElementById("arrived-count");
    if (count) { count.textContent = String(Number(count.textContent) + 1); }
    var row = document.getElementById("person-" + id);
    if (!row || row.classList.contains("arrived")) { return; }
    row.classList.add("arrived");
    var form = row.querySelector("form");
    if (form) {
      var done = document.createElement("span");
      done.className = "done";
      done.textContent = words;
      form.replaceWith(done);
    }
  }

  function notice(text) {
    var box = document.createElement("div");
    box.className = "scan-answer scan-error";
    var words = document.createElement("p");
    words.className = "scan-verdict";
    words.textContent = text;
    box.appendChild(words);
    answerBox.replaceChildren(box);
  }

  // What the page does with a decoded code: post it and show the answer (also the hook the
  // browser test calls without a camera).
  function submitToken(token) {
    var now = Date.now();
    if (busy || (token === last.token && now - last.at < SAME_SCAN_MS)) {
      return Promise.resolve(false);
    }
    busy = true;
    last = { token: token, at: now };
    var body = new FormData();
    body.append("token", token);
    body.append("csrf_token", csrf ? csrf.value : "");
    return fetch(section.getAttribute("data-scan-url"), {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-Checkin-Scan": "1" }
    }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.text();
    }).then(function (html) {
      show(html);
      return true;
    }).catch(function () {
      notice(section.getAttribute("data-no-answer"));
      return false;
    }).finally(function () { busy = false; });
  }
  window.checkinScan = { submitToken: submitToken };

  var camera = section.querySelector(".scan-camera");
  if (!camera || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) { return; }
  var video = document.getElementById("scan-video");
  var start = document.getElementById("scan-start");
  var stop = document.getElementById("scan-stop");
  var state = document.getElementById("scan-state");
  var stream = null;
  var timer = null;
  var detectorPromise = null;

  function vendoredDetector() {
    var api = window.BarcodeDetectionAPI;
    var wasm = section.getAttribute("data-wasm-url");
    api.prepareZXingModule({
      overrides: {
        locateFile: function (path, prefix) {
          return path.endsWith(".wasm") ? wasm : prefix + path;
        }
      }
    });
    return new api.BarcodeDetector({ formats: ["qr_code"] });
  }

  function detector() {
    if (detectorPromise) { return detectorPromise; }
    var native = window.BarcodeDetector;
    var check = native && native.getSupportedFormats ?
      native.getSupportedFormats() : Promise.resolve([]);
    detectorPromise = check.then(function (formats) {
      if (formats.indexOf("qr_code") !== -1) {
        return new native({ formats: ["qr_code"] });
      }
      return vendoredDetector();
    }, vendoredDetector);
    return detectorPromise;
  }

  function readFrame(reader) {
    if (!stream) { return; }
    var next = function () { timer = window.setTimeout(function () { readFrame(reader); }, FRAME_MS); };
    if (busy || video.readyState < 2) { next(); return; }
    reader.detect(video).then(function (codes) {
      var found = codes.filter(function (code) { return code.rawValue; })[0];
      return found ? submitToken(found.rawValue) : false;
    }).catch(function () { return false; }).then(next);
  }

  function stopCamera() {
    window.clearTimeout(timer);
    if (stream) { stream.getTracks().forEach(function (track) { track.stop(); }); }
    stream = null;
    video.hidden = true;
    stop.hidden = true;
    start.hidden = false;
    state.textContent = "";
  }

  start.addEventListener("click", function () {
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (media) {
        stream = media;
        video.srcObject = media;
        video.hidden = false;
        start.hidden = true;
        stop.hidden = false;
        state.textContent = section.getAttribute("data-looking");
        return video.play().then(detector).then(readFrame);
      })
      .catch(function () {
        stopCamera();
        notice(section.getAttribute("data-no-camera"));
      });
  });
  stop.addEventListener("click", stopCamera);
  camera.hidden = false;
})();
