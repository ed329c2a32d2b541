// The galleries' full-screen viewer (our own script, no third party): a picture of a gallery's grid opens in a modal
// dialog (click, or Enter on its link); ← and → (and Home, End, a swipe) move, Esc or the close button closes, Tab
// stays inside, and the focus goes back to the picture it was opened from. Without JavaScript each link opens the
// picture itself. Everything shown comes from the grid the server wrote (see GalleryHTML): no request but the
// pictures' renditions.
(function () {
  "use strict";
  var galleries = document.querySelectorAll("figure.gallery");
  if (!galleries.length || typeof HTMLDialogElement !== "function") return;

  var dialog, picture, caption, position, closeButton, previousButton, nextButton;
  var gallery = null, links = [], index = 0, opener = null;

  function make(name, className, text) {
    var element = document.createElement(name);
    if (className) element.className = className;
    if (text) element.textContent = text;
    return element;
  }

  function build() {
    dialog = make("dialog", "gallery-viewer");
    var inner = make("div", "gallery-viewer-inner");
    var bar = make("div", "gallery-viewer-bar");
    position = make("p", "gallery-viewer-position");
    position.setAttribute("aria-live", "polite");
    closeButton = make("button", "gallery-viewer-close");
    closeButton.type = "button";
    bar.appendChild(position);
    bar.appendChild(closeButton);
    var stage = make("div", "gallery-viewer-stage");
    previousButton = make("button", "gallery-viewer-step gallery-viewer-previous", "‹");
    nextButton = make("button", "gallery-viewer-step gallery-viewer-next", "›");
    previousButton.type = nextButton.type = "button";
    var figure = make("figure");
    picture = make("picture");
    caption = make("figcaption");
    figure.appendChild(picture);
    figure.appendChild(caption);
    stage.appendChild(previousButton);
    stage.appendChild(figure);
    stage.appendChild(nextButton);
    inner.appendChild(bar);
    inner.appendChild(stage);
    dialog.appendChild(inner);
    document.body.appendChild(dialog);

    closeButton.addEventListener("click", function () { dialog.close(); });
    previousButton.addEventListener("click", function () { show(index - 1); });
    nextButton.addEventListener("click", function () { show(index + 1); });
    dialog.addEventListener("keydown", function (event) {
      switch (event.key) {
        case "ArrowLeft": event.preventDefault(); show(index - 1); break;
        case "ArrowRight": event.preventDefault(); show(index + 1); break;
        case "Home": event.preventDefault(); show(0); break;
        case "End": event.preventDefault(); show(links.length - 1); break;
        case "Escape": event.preventDefault(); dialog.close(); break;
        case "Tab": trap(event); break;
      }
    });
    dialog.addEventListener("close", function () {
      picture.textContent = "";
      if (opener) opener.focus();
      opener = null;
    });
    var touchX = null;
    dialog.addEventListener("touchstart", function (event) { touchX = event.changedTouches[0].clientX; }, { passive: true });
    dialog.addEventListener("touchend", function (event) {
      if (touchX === null) return;
      var moved = event.changedTouches[0].clientX - touchX;
      touchX = null;
      if (Math.abs(moved) > 40) show(index + (moved < 0 ? 1 : -1));
    });
  }

  // The focus never leaves the viewer: Tab after the last button comes back to the first, Shift+Tab the other way.
  function trap(event) {
    var stops = [closeButton, previousButton, nextButton].filter(function (button) { return !button.hidden; });
    var at = stops.indexOf(document.activeElement);
    event.preventDefault();
    var next = at < 0 ? 0 : (at + (event.shiftKey ? -1 : 1) + stops.length) % stops.length;
    stops[next].focus();
  }

  function words(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, key) { return key in values ? values[key] : all; });
  }

  function show(at) {
    index = (at + links.length) % links.length;
    var link = links[index];
    var thumb = link.querySelector("img");
    picture.textContent = "";
    [["image/avif", "data-avif"], ["image/webp", "data-webp"]].forEach(function (pair) {
      var srcset = link.getAttribute(pair[1]);
      if (!srcset) return;
      var source = document.createElement("source");
      source.type = pair[0];
      source.srcset = srcset;
      source.sizes = "100vw";
      picture.appendChild(source);
    });
    var image = document.createElement("img");
    if (link.getAttribute("data-srcset")) {
      image.srcset = link.getAttribute("data-srcset");
      image.sizes = "100vw";
    }
    image.src = link.getAttribute("href");
    image.alt = thumb ? thumb.alt : "";
    image.width = parseInt(link.getAttribute("data-width"), 10) || 0;
    image.height = parseInt(link.getAttribute("data-height"), 10) || 0;
    picture.appendChild(image);
    // The caption and credit as the grid shows them (the server's escaped text, copied node by node).
    var said = link.closest(".gallery-item").querySelector("figcaption");
    caption.textContent = "";
    caption.hidden = !said;
    if (said) Array.prototype.forEach.call(said.childNodes, function (node) { caption.appendChild(node.cloneNode(true)); });
    position.textContent = words(gallery.getAttribute("data-position") || "{index} / {count}", { index: index + 1, count: links.length });
    var single = links.length < 2;
    previousButton.hidden = nextButton.hidden = single;
  }

  function open(owner, link) {
    if (!dialog) build();
    gallery = owner;
    links = Array.prototype.slice.call(owner.querySelectorAll("a.gallery-open"));
    opener = link;
    dialog.setAttribute("aria-label", owner.getAttribute("data-viewer") || "");
    closeButton.textContent = owner.getAttribute("data-close") || "×";
    previousButton.setAttribute("aria-label", owner.getAttribute("data-previous") || "");
    nextButton.setAttribute("aria-label", owner.getAttribute("data-next") || "");
    show(links.indexOf(link));
    dialog.showModal();
    closeButton.focus();
  }

  Array.prototype.forEach.call(galleries, function (owner) {
    owner.addEventListener("click", function (event) {
      var link = event.target.closest("a.gallery-open");
      // A click with a modifier (a new tab, a download) is the browser's.
      if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
      event.preventDefault();
      open(owner, link);
    });
  });
})();
