// Kernel-free sliders: each .sgd-frames block carries its explorer's controls and readouts
// (JSON) and a folder of frames NNNN.png, frame k = row-major index of the control settings.
// Moving a control shows the readout at once and swaps the image when its frame has decoded;
// a stale frame that decodes after a newer request is dropped. Once a reader touches the
// controls, the frames one step away and at both ends of each control are fetched ahead.
// For screen readers: each slider's aria-valuetext is the value shown beside it, the readout
// is a polite live region, and the image's alt is what the explorer shows plus the readout.
(function () {
  "use strict";
  function setup(root) {
    var data = JSON.parse(root.querySelector('script[type="application/json"]').textContent);
    var img = root.querySelector("img.sgd-frame");
    var readout = root.querySelector(".sgd-readout");
    var inputs = Array.prototype.slice.call(root.querySelectorAll("[data-control]"));
    var base = root.getAttribute("data-frames");
    var cache = {};
    var wanted = null;
    function frame(k) { return base + ("000" + k).slice(-4) + ".png"; }
    function index() {
      var k = 0;
      inputs.forEach(function (input, j) {
        var i = input.type === "checkbox" ? (input.checked ? 1 : 0) : Number(input.value);
        k = k * data.controls[j].labels.length + i;
      });
      return k;
    }
    function alt(k) {  // what the explorer shows, then the readout on one line (Explorer.alt)
      return data.shows + " Now: " + data.texts[k].split(/\s+/).filter(Boolean).join(" ");
    }
    function load(k) {
      if (!cache[k]) { cache[k] = new Image(); cache[k].src = frame(k); }
      return cache[k];
    }
    function show() {
      var k = index(), started = performance.now();
      wanted = k;
      inputs.forEach(function (input, j) {
        if (input.type === "checkbox") return;
        var text = data.controls[j].labels[Number(input.value)];
        var label = root.querySelector('[data-label="' + j + '"]');
        if (label) label.textContent = text;
        input.setAttribute("aria-valuetext", text);  // a screen reader says the value, not the index
      });
      readout.textContent = data.texts[k];  // a polite live region: read out once the reader pauses
      var next = load(k);
      var swap = function () {
        if (wanted !== k) return;
        img.src = next.src;
        img.alt = alt(k);
        root.setAttribute("data-shown", String(k));
        root.setAttribute("data-ms", (performance.now() - started).toFixed(1));  // input to new image
      };
      next.decode().then(swap, swap);
    }
    function ahead() {
      var sizes = data.controls.map(function (c) { return c.labels.length; });
      var at = inputs.map(function (input) { return input.type === "checkbox" ? (input.checked ? 1 : 0) : Number(input.value); });
      sizes.forEach(function (n, j) {
        [0, n - 1, at[j] - 1, at[j] + 1].forEach(function (i) {
          if (i < 0 || i >= n) return;
          var k = 0;
          at.forEach(function (a, l) { k = k * sizes[l] + (l === j ? i : a); });
          load(k);
        });
      });
    }
    inputs.forEach(function (input) {
      input.addEventListener("input", function () { show(); ahead(); });
      input.addEventListener("focus", ahead);
      input.addEventListener("pointerdown", ahead);
    });
    root.setAttribute("data-shown", String(index()));
    root.setAttribute("data-ready", "true");
  }
  function init() { Array.prototype.forEach.call(document.querySelectorAll(".sgd-frames"), setup); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
