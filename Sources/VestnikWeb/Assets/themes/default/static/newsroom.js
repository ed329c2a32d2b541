// The newsroom's rich-text editor over contenteditable: bold, italic, link, H2/H3, quote, lists, pictures from the
// media library, embeds (editor-embeds.js), and pastes cleaned to the same allowlist the server enforces (the
// server sanitises again: never trust the browser). Also: the featured-picture chooser and the upload size check.
(function () {
  "use strict";
  // The upload form: say "too large" before sending megabytes the server will refuse anyway.
  var upload = document.getElementById("nr-upload");
  if (!upload) return;
  upload.addEventListener("submit", function (event) {
    var file = upload.querySelector('input[type="file"]').files[0];
    var max = parseInt(upload.getAttribute("data-max-bytes"), 10);
    if (file && max && file.size > max) {
      event.preventDefault();
      window.alert(upload.getAttribute("data-too-large"));
    }
  });
})();

(function () {
  "use strict";
  var form = document.getElementById("nr-article-form");
  var editor = document.getElementById("nr-editor");
  var source = document.getElementById("nr-body");
  if (!form || !editor || !source) return;
  var toolbar = form.querySelector(".nr-toolbar");

  // With JavaScript the editor replaces the plain HTML textarea.
  editor.hidden = false;
  toolbar.hidden = false;
  source.hidden = true;
  if (!editor.innerHTML.trim()) editor.innerHTML = "<p><br></p>";
  document.execCommand("defaultParagraphSeparator", false, "p");

  function command(name) {
    editor.focus();
    switch (name) {
      case "bold": document.execCommand("bold"); break;
      case "italic": document.execCommand("italic"); break;
      case "h2": document.execCommand("formatBlock", false, "h2"); break;
      case "h3": document.execCommand("formatBlock", false, "h3"); break;
      case "p": document.execCommand("formatBlock", false, "p"); break;
      case "quote": document.execCommand("formatBlock", false, "blockquote"); break;
      case "ul": document.execCommand("insertUnorderedList"); break;
      case "ol": document.execCommand("insertOrderedList"); break;
      case "image": chooseImage(); break;
      case "embed": embed(); break;
      case "link":
        var button = toolbar.querySelector('[data-cmd="link"]');
        var url = window.prompt(button.getAttribute("data-prompt") || "URL", "https://");
        if (url && /^(https?:|mailto:|\/)/i.test(url.trim())) document.execCommand("createLink", false, url.trim());
        break;
    }
  }

  // Pictures and embeds are blocks of their own: not typed into, only moved or deleted whole.
  function freeze(root) {
    root.querySelectorAll("figure").forEach(function (figure) { figure.setAttribute("contenteditable", "false"); });
  }
  freeze(editor);

  // Where the caret was when a dialog took the focus away, so the picture lands there.
  var savedRange = null;
  function saveRange() {
    var selection = window.getSelection();
    savedRange = selection.rangeCount && editor.contains(selection.anchorNode) ? selection.getRangeAt(0).cloneRange() : null;
  }
  function insertBlock(html) {
    editor.focus();
    var selection = window.getSelection();
    if (savedRange) { selection.removeAllRanges(); selection.addRange(savedRange); }
    if (!savedRange || !editor.contains(selection.anchorNode)) {
      var range = document.createRange();
      range.selectNodeContents(editor);
      range.collapse(false);
      selection.removeAllRanges();
      selection.addRange(range);
    }
    document.execCommand("insertHTML", false, html + "<p><br></p>");
    freeze(editor);
    editor.dispatchEvent(new Event("input"));
  }
  function escapeHTML(text) {
    return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  }
  function figureHTML(item, caption) {
    return '<figure><img src="' + escapeHTML(item.src) + '" alt="' + escapeHTML(item.alt) + '" width="' + item.width +
      '" height="' + item.height + '">' + (caption ? "<figcaption>" + escapeHTML(caption) + "</figcaption>" : "") + "</figure>";
  }

  // The media library in a dialog: search, a grid of thumbnails, "more"; a click hands the picture to `onPick`.
  var picker = document.getElementById("nr-picker");
  var pickerGrid = document.getElementById("nr-picker-grid");
  var pickerMore = document.getElementById("nr-picker-more");
  var pickerQuery = document.getElementById("nr-picker-q");
  var onPick = null;
  var keepOpen = false;
  var nextPage = null;
  function loadPicker(url, append) {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (page) {
        if (!append) pickerGrid.textContent = "";
        page.items.forEach(function (item) {
          var li = document.createElement("li");
          var button = document.createElement("button");
          button.type = "button";
          button.className = "nr-picker-item";
          button.setAttribute("data-hash", item.hash);
          var img = document.createElement("img");
          img.src = item.src;
          img.alt = item.alt;
          img.loading = "lazy";
          button.appendChild(img);
          button.appendChild(document.createTextNode(item.alt));
          // With `keepOpen` (a gallery's pictures, editor-gallery.js) a click hands the picture over and the dialog stays.
          button.addEventListener("click", function () {
            if (!keepOpen) picker.close();
            if (onPick) onPick(item, button);
          });
          li.appendChild(button);
          pickerGrid.appendChild(li);
        });
        nextPage = page.next;
        pickerMore.hidden = !nextPage;
      });
  }
  function openPicker(callback, several) {
    if (!picker || !picker.showModal) return;
    onPick = callback;
    keepOpen = !!several;
    // Empty at once: a click must never land on a picture of the last opening that is about to be replaced.
    pickerGrid.textContent = "";
    loadPicker(picker.getAttribute("data-url") + "?q=" + encodeURIComponent(pickerQuery.value), false);
    picker.showModal();
  }
  if (picker) {
    var searchTimer = null;
    pickerQuery.addEventListener("input", function () {
      clearTimeout(searchTimer);
      searchTimer = setTimeout(function () {
        loadPicker(picker.getAttribute("data-url") + "?q=" + encodeURIComponent(pickerQuery.value), false);
      }, 250);
    });
    pickerMore.addEventListener("click", function () { if (nextPage) loadPicker(nextPage, true); });
  }

  function chooseImage() {
    saveRange();
    openPicker(function (item) {
      var caption = window.prompt(picker.getAttribute("data-caption-prompt"), item.caption || "");
      if (caption === null) return;
      insertBlock(figureHTML(item, caption.trim()));
    });
  }

  // A post's address → the marker the server keeps (it checks the id again, strictly): editor-embeds.js knows the
  // providers.
  function embedMarker(url) { return window.VestnikEmbeds ? window.VestnikEmbeds.fromURL(url) : null; }
  function embed() {
    saveRange();
    var button = toolbar.querySelector('[data-cmd="embed"]');
    var url = window.prompt(button.getAttribute("data-prompt"), "https://");
    if (!url || url === "https://") return;
    var marker = embedMarker(url);
    if (!marker) { window.alert(button.getAttribute("data-bad")); return; }
    insertBlock(marker);
  }

  // The featured picture: chosen in the same dialog; its caption and credit fields show the library's as hints.
  var featured = document.getElementById("nr-featured");
  var featuredThumb = document.getElementById("nr-featured-thumb");
  if (featured && picker) {
    form.querySelector(".nr-featured-tools").hidden = false;
    document.getElementById("nr-featured-choose").addEventListener("click", function () {
      openPicker(function (item) {
        featured.value = item.src;
        featuredThumb.src = item.src;
        featuredThumb.alt = item.alt;
        featuredThumb.hidden = false;
        document.getElementById("nr-featured-caption").placeholder = item.caption;
        document.getElementById("nr-featured-credit").placeholder = item.credit;
        form.dispatchEvent(new Event("input"));
      });
    });
    document.getElementById("nr-featured-remove").addEventListener("click", function () {
      featured.value = "";
      featuredThumb.hidden = true;
      form.dispatchEvent(new Event("input"));
    });
  }

  toolbar.addEventListener("mousedown", function (event) {
    // Keep the selection in the editor.
    if (event.target.closest("button")) event.preventDefault();
  });
  toolbar.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-cmd]");
    if (button) command(button.getAttribute("data-cmd"));
  });
  editor.addEventListener("keydown", function (event) {
    if (!(event.ctrlKey || event.metaKey)) return;
    var key = event.key.toLowerCase();
    if (key === "b") { event.preventDefault(); command("bold"); }
    if (key === "i") { event.preventDefault(); command("italic"); }
    if (key === "k") { event.preventDefault(); command("link"); }
  });

  var ALLOWED = { P: "p", H1: "h2", H2: "h2", H3: "h3", H4: "h3", H5: "h3", H6: "h3", BLOCKQUOTE: "blockquote",
    UL: "ul", OL: "ol", LI: "li", STRONG: "strong", B: "strong", EM: "em", I: "em", A: "a", BR: "br",
    TABLE: "table", THEAD: "thead", TBODY: "tbody", TFOOT: "tbody", TR: "tr", TH: "th", TD: "td" };
  var DROP = { SCRIPT: 1, STYLE: 1, IFRAME: 1, OBJECT: 1, EMBED: 1, NOSCRIPT: 1, TEMPLATE: 1, SVG: 1, MATH: 1,
    META: 1, LINK: 1, TITLE: 1, HEAD: 1, FORM: 1, INPUT: 1, BUTTON: 1, SELECT: 1, TEXTAREA: 1, IMG: 1 };

  // Copies the allowed structure of `node`'s children into `target`.
  function clean(node, target) {
    node.childNodes.forEach(function (child) {
      if (child.nodeType === 3) { target.appendChild(document.createTextNode(child.nodeValue)); return; }
      if (child.nodeType !== 1 || DROP[child.nodeName]) return;
      if (child.nodeName === "FIGURE") {
        // Only our own three shapes survive: a gallery, a library picture and an embed marker.
        var gallery = child.classList.contains("gallery") && window.nrGallery &&
          window.nrGallery.block(child.getAttribute("data-media") || "");
        if (gallery) { target.appendChild(gallery); return; }
        var kind = child.getAttribute("data-embed"), id = child.getAttribute("data-id");
        var image = child.querySelector("img");
        var caption = child.querySelector("figcaption");
        var holder = document.createElement("div");
        if (kind && id) holder.innerHTML = (window.VestnikEmbeds && window.VestnikEmbeds.marker(kind, id)) || "";
        else if (image && /^\/media\/[0-9a-f]{64}\.(jpg|png|webp|gif)$/.test(image.getAttribute("src") || ""))
          holder.innerHTML = figureHTML({ src: image.getAttribute("src"), alt: image.getAttribute("alt") || "",
            width: parseInt(image.getAttribute("width"), 10) || "", height: parseInt(image.getAttribute("height"), 10) || "" },
            caption ? caption.textContent.trim() : "");
        if (holder.firstChild) target.appendChild(holder.firstChild);
        return;
      }
      var style = (child.getAttribute("style") || "").replace(/\s/g, "").toLowerCase();
      var name = ALLOWED[child.nodeName];
      var inner = null;
      // Google Docs wraps a whole paste in <b style="font-weight:normal">, and writes bold and italic as styled spans
      // (a run both bold and italic is one span: <strong><em>).
      if (child.nodeName === "B" && /font-weight:(normal|400)/.test(style)) name = null;
      if (!name && child.nodeName === "SPAN") {
        var bold = /font-weight:(bold|bolder|[6-9]00)/.test(style), italic = /font-style:italic/.test(style);
        if (bold) name = "strong";
        if (bold && italic) inner = "em";
        else if (italic) name = "em";
      }
      if (!name && child.nodeName === "DIV") name = "p";
      if (!name) { clean(child, target); return; }
      var copy = document.createElement(name);
      if (name === "a") {
        var href = (child.getAttribute("href") || "").trim();
        if (!/^(https?:|mailto:|\/)/i.test(href)) { clean(child, target); return; }
        copy.setAttribute("href", href);
      }
      var into = inner ? copy.appendChild(document.createElement(inner)) : copy;
      clean(child, into);
      target.appendChild(copy);
    });
  }

  // A picture dropped or pasted into the body: the editor asks for its alt text, uploads it through the media
  // library's own upload (the server checks it, scrubs its metadata and makes its renditions), and places it where
  // it was dropped. Nothing leaves the browser without its alt text.
  var uploadURL = form.getAttribute("data-upload");
  function pictureFiles(transfer) {
    return Array.prototype.filter.call((transfer && transfer.files) || [], function (file) { return /^image\//.test(file.type); });
  }
  function uploadPictures(files, range) {
    if (!uploadURL) return;
    // Several pictures at once become one gallery (editor-gallery.js) once all are in; one alone, a figure.
    var gallery = files.length > 1 && window.nrGallery ? [] : null;
    var pending = files.length;
    function settled() {
      if (!gallery || --pending > 0) return;
      savedRange = range && editor.contains(range.startContainer) ? range : null;
      window.nrGallery.insert(gallery.filter(Boolean));
    }
    files.forEach(function (file, at) {
      var alt = window.prompt(form.getAttribute("data-drop-alt").replace("{name}", file.name || ""), "");
      if (alt === null) { settled(); return; }
      if (!alt.trim()) { pasteNotice(form.getAttribute("data-drop-no-alt")); settled(); return; }
      var body = new FormData();
      body.set("csrf", form.querySelector('input[name="csrf"]').value);
      body.set("alt", alt.trim());
      body.set("file", file, file.name || "picture");
      pasteNotice(form.getAttribute("data-drop-uploading"));
      fetch(uploadURL, { method: "POST", body: body, credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          return response.json().then(function (data) { return { ok: response.ok, data: data }; });
        })
        .then(function (answer) {
          if (!answer.ok || !answer.data.src) {
            pasteNotice(answer.data.error || form.getAttribute("data-drop-failed"));
            settled();
            return;
          }
          if (gallery) { gallery[at] = answer.data; settled(); return; }
          savedRange = range && editor.contains(range.startContainer) ? range : null;
          insertBlock(figureHTML(answer.data, ""));
          pasteNotice(form.getAttribute("data-drop-done"));
        })
        .catch(function () { pasteNotice(form.getAttribute("data-drop-failed")); settled(); });
    });
  }
  editor.addEventListener("dragover", function (event) {
    if (event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types || [], "Files") >= 0) event.preventDefault();
  });
  editor.addEventListener("drop", function (event) {
    var files = pictureFiles(event.dataTransfer);
    if (!files.length) return;
    event.preventDefault();
    var range = document.caretRangeFromPoint ? document.caretRangeFromPoint(event.clientX, event.clientY) : null;
    uploadPictures(files, range);
  });

  editor.addEventListener("paste", function (event) {
    var data = event.clipboardData;
    if (!data) return;
    event.preventDefault();
    var html = data.getData("text/html");
    var fragment = document.createElement("div");
    var files = pictureFiles(data);
    if (files.length) {
      // A copied picture (a screenshot, an image copied from a page) comes as a file: it is uploaded like a drop.
      saveRange();
      uploadPictures(files, savedRange);
      return;
    }
    var pictures = 0;
    var lost = "";
    if (html) {
      var parsed = new DOMParser().parseFromString(html, "text/html");
      // Word, LibreOffice and Google Docs: lists, tables, and what is lost (editor-paste.js).
      if (window.VestnikPaste) lost = window.VestnikPaste.notice(window.VestnikPaste.prepare(parsed));
      pictures += parsed.body.querySelectorAll("img").length;
      clean(parsed.body, fragment);
      pictures -= fragment.querySelectorAll("img").length;
    } else {
      // Wire copy (БТА and the agencies) comes one paragraph per line: every line is a paragraph, blank lines none.
      data.getData("text/plain").split(/\r?\n/).forEach(function (line) {
        if (!line.trim()) return;
        var p = document.createElement("p");
        p.textContent = line.replace(/\s+/g, " ").trim();
        fragment.appendChild(p);
      });
    }
    if (fragment.innerHTML) document.execCommand("insertHTML", false, fragment.innerHTML);
    // Nothing is dropped without a word: pictures come through the media library.
    if (pictures > 0 || lost) pasteNotice((pictures > 0 ? form.getAttribute("data-paste-pictures") + " " : "") + lost);
  });

  // What editor-gallery.js builds on (it is loaded after this file, by the editor's page).
  window.nrEditor = { openPicker: openPicker, insertBlock: insertBlock, saveRange: saveRange, escapeHTML: escapeHTML,
    notice: pasteNotice, picker: picker };

  function pasteNotice(text) {
    var notice = document.getElementById("nr-paste-notice");
    if (!notice) {
      notice = document.createElement("p");
      notice.id = "nr-paste-notice";
      notice.className = "nr-info";
      notice.setAttribute("role", "status");
      editor.parentNode.insertBefore(notice, editor);
    }
    notice.textContent = text;
  }

  // Autosave: every few seconds while something changed, and when the page is left, the form as typed goes to the
  // server as an unsaved draft of this user; opening the article again brings it back.
  var autosaveURL = form.getAttribute("data-autosave");
  var dirty = false;
  var submitting = false;
  function fields() {
    // Without the embeds' previews (editor-embeds.js): only their markers are the body.
    source.value = window.VestnikEmbeds ? window.VestnikEmbeds.strip(editor.innerHTML) : editor.innerHTML;
    return new URLSearchParams(new FormData(form));
  }
  function autosave(leaving) {
    if (!dirty || submitting || !autosaveURL) return;
    dirty = false;
    var body = fields();
    if (leaving && navigator.sendBeacon) { navigator.sendBeacon(autosaveURL, body); return; }
    fetch(autosaveURL, { method: "POST", body: body, credentials: "same-origin" }).then(function (response) {
      if (!response.ok) dirty = true;
    }, function () { dirty = true; });
  }
  // A copy in this browser too, for when the session has expired and the server refuses the autosave.
  var localKey = "vestnik-draft:" + form.getAttribute("action");
  function keepLocally() {
    try {
      var copy = [];
      fields().forEach(function (value, name) { if (name !== "csrf") copy.push([name, value]); });
      localStorage.setItem(localKey, JSON.stringify(copy));
    } catch (e) { /* storage full or disabled */ }
  }
  function restoreLocally(copy) {
    copy.forEach(function (pair) {
      var name = pair[0], value = pair[1];
      if (name === "body") {
        var fragment = document.createElement("div");
        clean(new DOMParser().parseFromString(value, "text/html").body, fragment);
        editor.innerHTML = fragment.innerHTML;
        return;
      }
      var field = form.elements[name];
      if (!field || field.type === "hidden") return;
      if (field.type === "checkbox") field.checked = true; else field.value = value;
    });
    dirty = true;
  }
  if (/[?&]saved=1/.test(location.search)) {
    // Saved: this article's copy, and the copy of the new-article form it may have started as, are done with.
    try { localStorage.removeItem(localKey); localStorage.removeItem("vestnik-draft:/newsroom/articles/new"); } catch (e) { /* ignore */ }
  } else {
    try {
      var stored = JSON.parse(localStorage.getItem(localKey) || "null");
      var current = [];
      fields().forEach(function (value, name) { if (name !== "csrf") current.push([name, value]); });
      if (stored && JSON.stringify(stored) !== JSON.stringify(current)) {
        var offer = document.createElement("p");
        offer.className = "nr-editing";
        offer.textContent = form.getAttribute("data-local-found") + " ";
        var button = document.createElement("button");
        button.type = "button";
        button.textContent = form.getAttribute("data-local-restore");
        button.addEventListener("click", function () { restoreLocally(stored); offer.remove(); });
        offer.appendChild(button);
        form.parentNode.insertBefore(offer, form);
      }
    } catch (e) { /* nothing kept */ }
  }
  form.addEventListener("input", function () { dirty = true; keepLocally(); });
  editor.addEventListener("input", function () { dirty = true; keepLocally(); });
  setInterval(function () { autosave(false); }, 5000);
  document.addEventListener("visibilitychange", function () { if (document.visibilityState === "hidden") autosave(true); });
  window.addEventListener("pagehide", function () { autosave(true); });

  // While the page is open, say so every 10 s, for the "also open by" notice others see; when it is left, say that
  // too, so the name goes at once (the server forgets a page that stopped saying so after 25 s anyway).
  var presenceURL = form.getAttribute("data-presence");
  if (presenceURL) {
    var presence = function (left) {
      var body = new URLSearchParams();
      body.set("csrf", form.querySelector('input[name="csrf"]').value);
      if (left) {
        body.set("left", "1");
        if (navigator.sendBeacon && navigator.sendBeacon(presenceURL, body)) return;
      }
      fetch(presenceURL, { method: "POST", body: body, credentials: "same-origin", keepalive: left }).catch(function () {});
    };
    setInterval(function () { presence(false); }, 10000);
    window.addEventListener("pagehide", function () { presence(true); });
    window.addEventListener("pageshow", function (event) { if (event.persisted) presence(false); });
  }

  // Words and reading time under the body (about 200 words a minute), as the journalist writes.
  var wordCount = document.getElementById("nr-wordcount");
  function countWords() {
    if (!wordCount) return;
    var words = (editor.innerText.match(/[\p{L}\p{N}]+(?:[-'’][\p{L}\p{N}]+)*/gu) || []).length;
    wordCount.textContent = wordCount.getAttribute("data-format")
      .replace("{words}", words).replace("{minutes}", Math.max(1, Math.round(words / 200)));
    wordCount.hidden = false;
  }
  countWords();
  editor.addEventListener("input", countWords);

  // Ctrl+S (⌘S) saves as the "Save" button does, instead of the browser saving the page as a file.
  document.addEventListener("keydown", function (event) {
    if ((event.ctrlKey || event.metaKey) && !event.altKey && (event.key === "s" || event.key === "S" || event.key === "ы")) {
      event.preventDefault();
      var save = form.querySelector('button[name="action"][value="save"]');
      if (save) save.click();
    }
  });

  // VestnikCore's Slug.make in the browser (the Transliteration Act of 2009): lowercased and NFC, "ия" ending a word
  // is "ia", "България" is "bulgaria", other letters by the table, Latin ones without their marks; every run of
  // anything else one hyphen. The e2e test compares it with the server's slug for the same titles.
  var SLUG_TABLE = { "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ж": "zh", "з": "z", "и": "i", "й": "y",
    "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "h",
    "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sht", "ъ": "a", "ь": "y", "ю": "yu", "я": "ya", "ѝ": "i",
    "ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ð": "d", "ł": "l", "þ": "th", "ı": "i" };
  function slugLetters(word) {
    return Array.from(word).map(function (letter) {
      if (SLUG_TABLE[letter]) return SLUG_TABLE[letter];
      var base = letter.normalize("NFD").replace(/\p{Mn}/gu, "");
      return base || letter;
    }).join("");
  }
  function slugOf(text) {
    var latin = text.normalize("NFC").toLowerCase().replace(/\p{L}+/gu, function (word) {
      if (word === "българия") return "bulgaria";
      if (/ия$/.test(word)) return slugLetters(word.slice(0, -2)) + "ia";
      return slugLetters(word);
    });
    return latin.replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
  }

  form.addEventListener("submit", function (event) {
    // A preview opens in another tab; the editor stays and keeps autosaving.
    if (!(event.submitter && event.submitter.classList.contains("nr-preview"))) submitting = true;
    source.value = window.VestnikEmbeds ? window.VestnikEmbeds.strip(editor.innerHTML) : editor.innerHTML;
  });

  // The slug box follows the title as one types until the article is first published (the server says so with
  // data-follows, and moves the slug with the title on save by the same rule), and stops for good once someone
  // edits the slug by hand (or it already differs from the title's own).
  var title = document.getElementById("nr-title");
  var slug = document.getElementById("nr-slug");
  if (title && slug && slug.hasAttribute("data-follows") && (!slug.value || slug.value === slugOf(title.value))) {
    var following = true;
    title.addEventListener("input", function () { if (following) slug.value = slugOf(title.value); });
    slug.addEventListener("input", function () { following = false; });
  }
})();

// Tag suggestions: while a tags field is typed in, the existing tags that start with the word being typed are
// offered below it (GET /newsroom/api/tags?q=…); a click, Enter or Tab takes one. A name no tag has yet is simply
// typed out and becomes a new tag when the article is saved. In the article's tag list (`data-tag-list`) only the
// part after the last comma is completed.
(function () {
  "use strict";
  document.querySelectorAll("input[data-tag-suggest]").forEach(function (input) {
    var endpoint = input.getAttribute("data-tag-suggest");
    var isList = input.hasAttribute("data-tag-list");
    var wrap = document.createElement("span");
    wrap.className = "nr-suggest";
    input.parentNode.insertBefore(wrap, input);
    wrap.appendChild(input);
    var list = document.createElement("ul");
    list.setAttribute("role", "listbox");
    list.hidden = true;
    wrap.appendChild(list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    var timer = null;
    var asked = "";
    var active = -1;

    function current() {
      if (!isList) return input.value.trim();
      var parts = input.value.split(",");
      return parts[parts.length - 1].trim();
    }

    function close() {
      list.hidden = true;
      list.textContent = "";
      active = -1;
      input.setAttribute("aria-expanded", "false");
    }

    function choose(name) {
      if (isList) {
        var parts = input.value.split(",");
        parts[parts.length - 1] = (parts.length > 1 ? " " : "") + name;
        input.value = parts.join(",") + ", ";
      } else {
        input.value = name;
      }
      close();
      input.focus();
    }

    function show(names) {
      list.textContent = "";
      active = -1;
      names.forEach(function (name) {
        var item = document.createElement("li");
        item.setAttribute("role", "option");
        item.textContent = name;  // text, never HTML
        item.addEventListener("mousedown", function (event) { event.preventDefault(); choose(name); });
        list.appendChild(item);
      });
      list.hidden = names.length === 0;
      input.setAttribute("aria-expanded", names.length ? "true" : "false");
    }

    function highlight(index) {
      var items = list.querySelectorAll("li");
      if (!items.length) return;
      active = (index + items.length) % items.length;
      items.forEach(function (item, i) { item.setAttribute("aria-selected", i === active ? "true" : "false"); });
    }

    function ask() {
      var prefix = current();
      if (!prefix) { close(); return; }
      if (prefix === asked) return;
      asked = prefix;
      fetch(endpoint + "?q=" + encodeURIComponent(prefix), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : []; })
        .then(function (tags) {
          if (prefix !== current()) return;  // the user typed on meanwhile
          var typed = prefix.toLowerCase();
          show(tags.map(function (tag) { return tag.name; }).filter(function (name) { return name.toLowerCase() !== typed; }));
        })
        .catch(function () { close(); });
    }

    input.addEventListener("input", function () {
      asked = "";
      clearTimeout(timer);
      timer = setTimeout(ask, 150);
    });
    input.addEventListener("keydown", function (event) {
      if (list.hidden) return;
      if (event.key === "ArrowDown") { event.preventDefault(); highlight(active + 1); }
      else if (event.key === "ArrowUp") { event.preventDefault(); highlight(active - 1); }
      else if (event.key === "Escape") { close(); }
      else if ((event.key === "Enter" || event.key === "Tab") && active >= 0) {
        event.preventDefault();
        choose(list.querySelectorAll("li")[active].textContent);
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 100); });
  });
})();

// Signing out forgets the drafts this browser kept (the editor's copies in localStorage, `vestnik-draft:<form>`),
// so that the next person at this computer does not find them.
(function () {
  "use strict";
  var logout = document.querySelector("form.nr-logout");
  if (!logout) return;
  logout.addEventListener("submit", function () {
    try {
      for (var i = localStorage.length - 1; i >= 0; i--) {
        var key = localStorage.key(i);
        if (key && key.indexOf("vestnik-draft:") === 0) localStorage.removeItem(key);
      }
    } catch (e) { /* storage disabled */ }
  });
})();

// The focal point: a click on the picture fills the form's two percentages and moves the marker there.
(function () {
  "use strict";
  var form = document.getElementById("nr-focus");
  if (!form) return;
  var picture = form.querySelector(".nr-focus-picture img");
  var mark = form.querySelector(".nr-focus-mark");
  // Placed from its data attributes: the Content-Security-Policy allows no inline style attributes.
  mark.style.left = mark.getAttribute("data-x") + "%";
  mark.style.top = mark.getAttribute("data-y") + "%";
  picture.addEventListener("click", function (event) {
    var box = picture.getBoundingClientRect();
    var x = Math.min(100, Math.max(0, (event.clientX - box.left) / box.width * 100)).toFixed(1);
    var y = Math.min(100, Math.max(0, (event.clientY - box.top) / box.height * 100)).toFixed(1);
    form.elements.focus_x.value = x;
    form.elements.focus_y.value = y;
    mark.style.left = x + "%";
    mark.style.top = y + "%";
  });
})();

// Front-page curation: drag a story (a pinned one, or one from the list of candidates) into a zone's slot. The drop
// fills the page's hidden form and sends it: the same form post as the buttons beside each story (up, down, into a
// zone), which work without JavaScript and from the keyboard.
(function () {
  "use strict";
  var front = document.querySelector(".nr-front");
  var form = document.getElementById("nr-front-drop");
  if (!front || !form) return;
  var dragged = null;
  front.querySelectorAll("[draggable=true]").forEach(function (item) {
    item.addEventListener("dragstart", function (event) {
      dragged = item;
      item.classList.add("nr-dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", item.getAttribute("data-article"));
    });
    item.addEventListener("dragend", function () {
      item.classList.remove("nr-dragging");
      dragged = null;
    });
  });
  // The slot a drop at `y` takes: before the first pin whose middle is below it, else the end.
  function slot(list, y) {
    var pins = Array.prototype.filter.call(list.children, function (child) {
      return child.classList.contains("nr-pin") && child !== dragged;
    });
    for (var i = 0; i < pins.length; i++) {
      var box = pins[i].getBoundingClientRect();
      if (y < box.top + box.height / 2) return i;
    }
    return pins.length;
  }
  front.querySelectorAll(".nr-zone").forEach(function (zone) {
    var list = zone.querySelector(".nr-zone-pins");
    zone.addEventListener("dragover", function (event) {
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
      zone.classList.add("nr-drop-target");
    });
    zone.addEventListener("dragleave", function () {
      zone.classList.remove("nr-drop-target");
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      zone.classList.remove("nr-drop-target");
      var article = event.dataTransfer.getData("text/plain") || (dragged && dragged.getAttribute("data-article"));
      if (!article) return;
      form.elements.article.value = article;
      form.elements.zone.value = zone.getAttribute("data-zone");
      form.elements.index.value = String(slot(list, event.clientY));
      form.submit();
    });
  });
})();
