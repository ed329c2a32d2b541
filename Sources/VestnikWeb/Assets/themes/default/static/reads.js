/* Vestnik: reports one read of this article. The count never depends on rendering the page, so pages cached by
   Vestnik or a CDN still count. No cookie, nothing stored in the browser. A prerendered page reports only once a
   reader actually opens it. */
(function () {
  "use strict";
  var script = document.currentScript;
  var url = script && script.getAttribute("data-beacon");
  if (!url) return;
  function send() {
    try {
      if (navigator.sendBeacon && navigator.sendBeacon(url)) return;
    } catch (e) { /* fall back to fetch */ }
    if (window.fetch) fetch(url, { method: "POST", keepalive: true, credentials: "omit" }).catch(function () {});
  }
  if (document.prerendering) {
    document.addEventListener("prerenderingchange", send, { once: true });
  } else {
    send();
  }
})();
