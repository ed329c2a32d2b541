// A live blog keeps itself up to date without a reload: every 2 seconds it asks for its newest entries (the address
// carries the 2-second slot, so a CDN answers all readers of a slot with one copy) and puts in the ones it lacks.
// Without JavaScript the page is complete as served; once the coverage ends, the answer has no address and asking stops.
(function () {
  "use strict";
  var section = document.querySelector("section.live[data-live]");
  if (!section || !window.fetch || !window.DOMParser) return;
  var url = section.getAttribute("data-live");
  var slot = 2000;
  function merge(fresh) {
    var list = section.querySelector(".live-entries");
    var incoming = fresh.querySelectorAll(".live-entries > .live-entry");
    var before = list.firstElementChild;
    for (var i = 0; i < incoming.length; i++) {
      if (document.getElementById(incoming[i].id)) continue;
      list.insertBefore(document.importNode(incoming[i], true), before);
    }
    var key = section.querySelector(".live-key");
    var freshKey = fresh.querySelector(".live-key");
    if (key && freshKey) key.replaceWith(document.importNode(freshKey, true));
    var status = section.querySelector(".live-status");
    var freshStatus = fresh.querySelector(".live-status");
    if (status && freshStatus) status.textContent = freshStatus.textContent;
    return fresh.querySelector("section.live[data-live]") !== null;
  }
  function tick() {
    var t = Math.floor(Date.now() / slot);
    fetch(url + "?t=" + t, { credentials: "omit" })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
      .then(function (html) {
        var running = merge(new DOMParser().parseFromString(html, "text/html"));
        if (running) schedule(); else section.classList.remove("live-running");
      })
      .catch(function () { schedule(); });
  }
  function schedule() { setTimeout(tick, slot - (Date.now() % slot) + 50); }
  schedule();
})();
