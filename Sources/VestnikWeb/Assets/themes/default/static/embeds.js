/* Vestnik: embedded posts load only when the reader asks. The page carries a facade for each (the provider's name,
   the post's title and a thumbnail from this site) linking to the post: nothing is requested from YouTube, X and the
   others, and they set no cookie, until the reader clicks it. Then the facade becomes the provider's frame (YouTube's
   no-cookie player, Vimeo's without tracking), whose address the page wrote (`data-frame`); only those hosts are in
   the Content-Security-Policy's frame-src. Without JavaScript the facade stays a plain link to the post. */
(function () {
  "use strict";
  function load(figure) {
    var link = figure.querySelector(".embed-facade");
    var frame = document.createElement("iframe");
    frame.src = figure.getAttribute("data-frame");
    frame.title = (figure.querySelector(".embed-title") || link).textContent;
    frame.setAttribute("allow", "accelerometer; autoplay; encrypted-media; gyroscope; picture-in-picture; fullscreen");
    frame.setAttribute("referrerpolicy", "strict-origin-when-cross-origin");
    frame.setAttribute("loading", "eager");
    frame.className = "embed-frame";
    figure.replaceChild(frame, link);
    figure.classList.add("embed-loaded");
    frame.focus();
  }
  document.querySelectorAll("figure.embed[data-frame]").forEach(function (figure) {
    var link = figure.querySelector(".embed-facade");
    var action = figure.querySelector(".embed-action");
    if (!link) return;
    if (action && figure.getAttribute("data-load")) action.textContent = figure.getAttribute("data-load");
    link.addEventListener("click", function (event) {
      if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;  // a new tab: the post itself
      event.preventDefault();
      load(figure);
    });
  });
})();
