// Galleries in the newsroom's editor: the toolbar's ▦ opens the media library to choose several pictures (in the
// order clicked; a second click takes one back), and "Insert the gallery" places one gallery block at the cursor;
// several pictures dropped or pasted at once (newsroom.js uploadPictures) become one too. The block is the marker the
// server keeps, `<figure class="gallery" data-media="<hash>.<ext> …">` (it checks the names again, strictly, and
// writes the reader's grid and viewer from the library's words); the thumbnails inside are only for the editor's eye.
(function () {
  "use strict";
  var api = window.nrEditor;
  var editor = document.getElementById("nr-editor");
  var bar = document.getElementById("nr-picker-gallery");
  var button = document.querySelector('.nr-toolbar [data-cmd="gallery"]');
  if (!api || !editor || !bar || !button || !api.picker) return;
  var grid = document.getElementById("nr-picker-grid");
  var count = document.getElementById("nr-picker-count");
  var insertButton = document.getElementById("nr-picker-insert");
  var NAME = /^[0-9a-f]{64}\.(jpg|png|webp|gif|avif)$/;
  var chosen = [];
  var active = false;

  function words(template, values) {
    return (template || "").replace(/\{(\w+)\}/g, function (all, key) { return key in values ? values[key] : all; });
  }

  // Shows what a gallery block holds: its label and a thumbnail per picture.
  function decorate(figure) {
    var names = (figure.getAttribute("data-media") || "").split(/[\s,]+/).filter(function (name) { return NAME.test(name); });
    figure.textContent = "";
    figure.setAttribute("contenteditable", "false");
    var label = document.createElement("figcaption");
    label.textContent = words(bar.getAttribute("data-block"), { count: names.length });
    figure.appendChild(label);
    names.forEach(function (name) {
      var img = document.createElement("img");
      img.className = "nr-gallery-thumb";
      img.src = "/media/" + name;
      img.alt = "";
      img.loading = "lazy";
      figure.appendChild(img);
    });
  }
  editor.querySelectorAll("figure.gallery").forEach(decorate);

  // Places a gallery of `items` (the library's answers: `src` is /media/<name>) where the cursor was.
  function insert(items) {
    var names = items.map(function (item) { return String(item.src || "").replace(/^\/media\//, ""); })
      .filter(function (name) { return NAME.test(name); });
    if (!names.length) return;
    var figure = document.createElement("figure");
    figure.className = "gallery";
    figure.setAttribute("data-media", names.join(" "));
    decorate(figure);
    api.insertBlock(figure.outerHTML);
  }
  window.nrGallery = {
    insert: function (items) {
      insert(items);
      if (items.length) api.notice(bar.getAttribute("data-made"));
    }
  };

  function mark() {
    grid.querySelectorAll("button[data-hash]").forEach(function (item) {
      if (!active) { item.removeAttribute("aria-pressed"); return; }
      var hash = item.getAttribute("data-hash");
      item.setAttribute("aria-pressed", chosen.some(function (c) { return c.hash === hash; }) ? "true" : "false");
    });
    count.textContent = words(bar.getAttribute("data-selected"), { count: chosen.length });
  }
  // Pictures listed again (a search, "more") show whether they are chosen.
  new MutationObserver(mark).observe(grid, { childList: true });

  button.hidden = false;
  button.addEventListener("click", function () {
    api.saveRange();
    chosen = [];
    active = true;
    bar.hidden = false;
    api.openPicker(function (item) {
      var at = chosen.findIndex(function (c) { return c.hash === item.hash; });
      if (at >= 0) chosen.splice(at, 1); else chosen.push(item);
      mark();
    }, true);
    mark();
  });
  insertButton.addEventListener("click", function () {
    if (!chosen.length) { count.textContent = bar.getAttribute("data-none"); return; }
    var items = chosen;
    api.picker.close();
    insert(items);
  });
  api.picker.addEventListener("close", function () {
    active = false;
    chosen = [];
    bar.hidden = true;
    mark();
  });
})();
