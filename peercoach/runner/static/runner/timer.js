// Counts down to the end time the server put on each [data-countdown-until] element.
// The server's clock is the reference: its "now" at render time corrects for a device whose
// clock is off. Elements are looked up on every tick, so parts swapped in by htmx count too.
(function () {
  "use strict";

  function offsetFor(element) {
    if (element.dataset.clockOffset === undefined) {
      var serverNow = Date.parse(element.dataset.serverNow || "");
      element.dataset.clockOffset = isNaN(serverNow) ? "0" : String(serverNow - Date.now());
    }
    return Number(element.dataset.clockOffset);
  }

  function format(seconds) {
    var minutes = Math.floor(seconds / 60);
    var rest = seconds % 60;
    return minutes + ":" + (rest < 10 ? "0" : "") + rest;
  }

  function tick() {
    var elements = document.querySelectorAll("[data-countdown-until]");
    elements.forEach(function (element) {
      var end = Date.parse(element.dataset.countdownUntil);
      if (isNaN(end)) {
        return;
      }
      var left = Math.round((end - (Date.now() + offsetFor(element))) / 1000);
      var over = left < 0;
      element.textContent = over ? format(-left) + " over" : format(left) + " left";
      element.classList.toggle("timer-over", over);
    });
  }

  tick();
  window.setInterval(tick, 1000);
})();
