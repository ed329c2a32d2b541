/* Vestnik: the share links under an article work without this script (plain links to each service's own share
   address: no third-party script, no counter, no cookie). With it, two buttons appear: "copy the address" and, where
   the browser has the Web Share API (phones), the system's own share sheet. */
(function () {
  "use strict";
  var box = document.querySelector(".share[data-url]");
  if (!box) return;
  var url = box.getAttribute("data-url"), title = box.getAttribute("data-title") || document.title;
  var status = box.querySelector(".share-status");
  var copy = box.querySelector(".share-copy");
  var native = box.querySelector(".share-native");
  if (copy && navigator.clipboard) {
    copy.hidden = false;
    copy.addEventListener("click", function () {
      navigator.clipboard.writeText(url).then(function () {
        if (status) status.textContent = copy.getAttribute("data-done");
      }, function () { /* refused: nothing copied, nothing said */ });
    });
  }
  if (native && navigator.share) {
    native.hidden = false;
    native.addEventListener("click", function () {
      navigator.share({ title: title, url: url }).catch(function () { /* dismissed */ });
    });
  }
})();
