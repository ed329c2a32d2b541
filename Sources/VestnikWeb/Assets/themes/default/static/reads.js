/* Vestnik: reports one read of this article, and shows the article's read count as of this read. The count never
   depends on rendering the page, so pages cached by Vestnik or a CDN still count, and a cached page's number (up to
   a minute old) is brought up to date from the beacon's answer. No cookie, nothing stored in the browser. A
   prerendered page reports only once a reader actually opens it. */
(function () {
  "use strict";
  var script = document.currentScript;
  var url = script && script.getAttribute("data-beacon");
  if (!url) return;
  function show(response) {
    var total = response.headers.get("Vestnik-Reads");
    var shown = document.querySelector(".article .reads-count");
    if (shown && total && /^[0-9]+$/.test(total)) shown.textContent = total;
  }
  function send() {
    if (window.fetch) {
      fetch(url + "?total=1", { method: "POST", keepalive: true, credentials: "omit" }).then(show, function () {});
      return;
    }
    try {
      if (navigator.sendBeacon) navigator.sendBeacon(url);
    } catch (e) { /* nothing more to try */ }
  }
  if (document.prerendering) {
    document.addEventListener("prerenderingchange", send, { once: true });
  } else {
    send();
  }
})();
