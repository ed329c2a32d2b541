// Galleries in the newsroom's editor: the toolbar's ▦ opens the media library to choose several pictures (in the
// order clicked; a second click takes one back), and "Insert the gallery" places one gallery block at the cursor;
// several pictures dropped or pasted at once (newsroom.js uploadPictures) become one too. The block is the marker the
// server keeps, `<figure class="gallery" data-media="<hash>.<ext> …">` (it checks the names again, strictly, and
// writes the reader's grid and viewer from the library's words); the thumbnails inside are only for the editor's eye.
// A gallery block is opened again with its "Edit the gallery" button: a dialog lists its pictures in order, each with
// its caption and credit (the library's: saved there, for every article showing the picture), buttons to move it
// earlier or later and to remove it, and "Add pictures" (the library picker); "Done" rewrites the block's marker.
// Everything is a button or a field, so the keyboard does it all; Esc or "Cancel" leaves the gallery as it was.
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

  var dialog = document.getElementById("nr-gallery-editor");

  function namesOf(figure) {
    return (figure.getAttribute("data-media") || "").split(/[\s,]+/).filter(function (name) { return NAME.test(name); });
  }

  // Shows what a gallery block holds: its label, the button that opens it again, and a thumbnail per picture.
  function decorate(figure) {
    var names = namesOf(figure);
    figure.textContent = "";
    figure.setAttribute("contenteditable", "false");
    var label = document.createElement("figcaption");
    label.textContent = words(bar.getAttribute("data-block"), { count: names.length });
    figure.appendChild(label);
    if (dialog) {
      var edit = document.createElement("button");
      edit.type = "button";
      edit.className = "nr-gallery-edit";
      edit.textContent = dialog.getAttribute("data-edit");
      figure.appendChild(edit);
    }
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
    },
    // A gallery block of the library names in `media` (a restored or pasted copy of one), or null when none is one.
    block: function (media) {
      var figure = document.createElement("figure");
      figure.className = "gallery";
      figure.setAttribute("data-media", media);
      if (!namesOf(figure).length) return null;
      figure.setAttribute("data-media", namesOf(figure).join(" "));
      decorate(figure);
      return figure;
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
    choose(null);
  });
  insertButton.addEventListener("click", function () {
    if (!chosen.length) { count.textContent = bar.getAttribute("data-none"); return; }
    var items = chosen;
    var add = adding;
    api.picker.close();
    if (add) add(items); else insert(items);
  });
  api.picker.addEventListener("close", function () {
    active = false;
    chosen = [];
    adding = null;
    bar.hidden = true;
    mark();
  });

  // Choosing several pictures in the picker; "Insert" makes a new gallery of them, or (`then`, for the gallery being
  // edited) gives them to `then`.
  var adding = null;
  function choose(then) {
    chosen = [];
    active = true;
    adding = then;
    bar.hidden = false;
    api.openPicker(function (item) {
      var at = chosen.findIndex(function (c) { return c.hash === item.hash; });
      if (at >= 0) chosen.splice(at, 1); else chosen.push(item);
      mark();
    }, true);
    mark();
  }

  if (!dialog) return;
  var list = document.getElementById("nr-gallery-items");
  var row = document.getElementById("nr-gallery-row");
  var status = document.getElementById("nr-gallery-status");
  var csrf = document.querySelector('#nr-article-form input[name="csrf"]');
  var editing = null;  // the figure being edited
  var pictures = [];  // its pictures as the dialog has them: { name, hash, src, alt, caption, credit, said: {caption, credit} }

  function picture(item) {
    var name = String(item.src || "").replace(/^\/media\//, "");
    return { name: name, hash: item.hash, src: item.src, alt: item.alt || "", caption: item.caption || "",
      credit: item.credit || "", said: { caption: item.caption || "", credit: item.credit || "" } };
  }

  // The list drawn again from `pictures`; `focus` ([index, selector]) is where the keyboard was.
  function render(focus) {
    list.textContent = "";
    pictures.forEach(function (entry, index) {
      var li = row.content.firstElementChild.cloneNode(true);
      var img = li.querySelector("img");
      img.src = entry.src;
      img.alt = entry.alt;
      li.querySelector("legend").textContent = words(dialog.getAttribute("data-picture"), { n: index + 1 });
      li.querySelectorAll("input[data-field]").forEach(function (input) {
        var field = input.getAttribute("data-field");
        input.value = entry[field];
        input.addEventListener("input", function () { entry[field] = input.value; });
      });
      li.querySelector('[data-move="-1"]').disabled = index === 0;
      li.querySelector('[data-move="1"]').disabled = index === pictures.length - 1;
      li.setAttribute("data-index", String(index));
      list.appendChild(li);
    });
    if (!focus) return;
    var target = list.children[Math.min(focus[0], list.children.length - 1)];
    var control = target && target.querySelector(focus[1]);
    if (control && control.disabled) control = target.querySelector('[data-move]:not([disabled])');
    (control || document.getElementById("nr-gallery-add")).focus();
  }

  list.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    var li = button && button.closest("li[data-index]");
    if (!li) return;
    var index = parseInt(li.getAttribute("data-index"), 10);
    if (button.hasAttribute("data-remove")) {
      pictures.splice(index, 1);
      render([index, "[data-remove]"]);
      return;
    }
    var to = index + parseInt(button.getAttribute("data-move"), 10);
    if (to < 0 || to >= pictures.length) return;
    var moved = pictures.splice(index, 1)[0];
    pictures.splice(to, 0, moved);
    render([to, '[data-move="' + button.getAttribute("data-move") + '"]']);
  });

  function open(figure) {
    editing = figure;
    status.textContent = "";
    var names = namesOf(figure);
    var query = names.map(function (name) { return "hash=" + name.split(".")[0]; }).join("&");
    fetch(api.picker.getAttribute("data-url") + "?" + query, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { items: [] }; })
      .then(function (page) {
        var known = {};
        page.items.forEach(function (item) { known[String(item.src).replace(/^\/media\//, "")] = item; });
        // A picture the library no longer has is left out, as the page leaves it out.
        pictures = names.filter(function (name) { return known[name]; }).map(function (name) { return picture(known[name]); });
        dialog.showModal();
        render([0, "input"]);
      });
  }

  editor.addEventListener("click", function (event) {
    var button = event.target.closest(".nr-gallery-edit");
    if (!button) return;
    event.preventDefault();
    open(button.closest("figure.gallery"));
  });

  document.getElementById("nr-gallery-add").addEventListener("click", function () {
    choose(function (items) {
      var have = {};
      pictures.forEach(function (entry) { have[entry.name] = true; });
      items.forEach(function (item) {
        var entry = picture(item);
        if (NAME.test(entry.name) && !have[entry.name] && pictures.length < 60) { pictures.push(entry); have[entry.name] = true; }
      });
      render([pictures.length - 1, "input"]);
    });
  });

  document.getElementById("nr-gallery-cancel").addEventListener("click", function () { dialog.close(); });
  dialog.addEventListener("close", function () {
    var figure = editing;
    editing = null;
    var back = figure && figure.isConnected && figure.querySelector(".nr-gallery-edit");
    if (back) back.focus();
  });

  // The library's words of a picture, through the library's own edit form (its rules: own pictures below editor).
  function saveWords(entry, number) {
    var body = new URLSearchParams();
    body.set("csrf", csrf ? csrf.value : "");
    body.set("alt", entry.alt);
    body.set("caption", entry.caption.trim());
    body.set("credit", entry.credit.trim());
    return fetch("/newsroom/media/" + entry.hash, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (response) { return response.ok; }, function () { return false; })
      .then(function (ok) { return ok ? null : words(dialog.getAttribute("data-words-failed"), { n: number }); });
  }

  document.getElementById("nr-gallery-done").addEventListener("click", function () {
    if (!pictures.length) { status.textContent = dialog.getAttribute("data-empty"); return; }
    var figure = editing;
    figure.setAttribute("data-media", pictures.map(function (entry) { return entry.name; }).join(" "));
    decorate(figure);
    editor.dispatchEvent(new Event("input", { bubbles: true }));
    var changed = pictures.map(function (entry, index) { return [entry, index + 1]; }).filter(function (pair) {
      return pair[0].caption.trim() !== pair[0].said.caption || pair[0].credit.trim() !== pair[0].said.credit;
    });
    dialog.close();
    api.notice(dialog.getAttribute("data-edited"));
    Promise.all(changed.map(function (pair) { return saveWords(pair[0], pair[1]); })).then(function (problems) {
      problems = problems.filter(Boolean);
      if (problems.length) api.notice(problems.join(" "));
    });
  });
})();
