// The newsroom's rich-text editor over contenteditable: bold, italic, link, H2/H3, quote, lists, and pastes
// cleaned to the same allowlist the server enforces (the server sanitises again: never trust the browser).
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
      case "link":
        var button = toolbar.querySelector('[data-cmd="link"]');
        var url = window.prompt(button.getAttribute("data-prompt") || "URL", "https://");
        if (url && /^(https?:|mailto:|\/)/i.test(url.trim())) document.execCommand("createLink", false, url.trim());
        break;
    }
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
    UL: "ul", OL: "ol", LI: "li", STRONG: "strong", B: "strong", EM: "em", I: "em", A: "a", BR: "br" };
  var DROP = { SCRIPT: 1, STYLE: 1, IFRAME: 1, OBJECT: 1, EMBED: 1, NOSCRIPT: 1, TEMPLATE: 1, SVG: 1, MATH: 1,
    META: 1, LINK: 1, TITLE: 1, HEAD: 1, FORM: 1, INPUT: 1, BUTTON: 1, SELECT: 1, TEXTAREA: 1, IMG: 1 };

  // Copies the allowed structure of `node`'s children into `target`.
  function clean(node, target) {
    node.childNodes.forEach(function (child) {
      if (child.nodeType === 3) { target.appendChild(document.createTextNode(child.nodeValue)); return; }
      if (child.nodeType !== 1 || DROP[child.nodeName]) return;
      var style = (child.getAttribute("style") || "").replace(/\s/g, "").toLowerCase();
      var name = ALLOWED[child.nodeName];
      if (child.nodeName === "B" && /font-weight:(normal|400)/.test(style)) name = null;
      if (!name && child.nodeName === "SPAN") {
        if (/font-weight:(bold|700|600)/.test(style)) name = "strong";
        else if (/font-style:italic/.test(style)) name = "em";
      }
      if (!name && child.nodeName === "DIV") name = "p";
      if (!name) { clean(child, target); return; }
      var copy = document.createElement(name);
      if (name === "a") {
        var href = (child.getAttribute("href") || "").trim();
        if (!/^(https?:|mailto:|\/)/i.test(href)) { clean(child, target); return; }
        copy.setAttribute("href", href);
      }
      clean(child, copy);
      target.appendChild(copy);
    });
  }

  editor.addEventListener("paste", function (event) {
    var data = event.clipboardData;
    if (!data) return;
    event.preventDefault();
    var html = data.getData("text/html");
    var fragment = document.createElement("div");
    if (html) {
      var parsed = new DOMParser().parseFromString(html, "text/html");
      clean(parsed.body, fragment);
    } else {
      data.getData("text/plain").split(/\n\s*\n/).forEach(function (paragraph) {
        if (!paragraph.trim()) return;
        var p = document.createElement("p");
        p.textContent = paragraph.replace(/\s+/g, " ").trim();
        fragment.appendChild(p);
      });
    }
    document.execCommand("insertHTML", false, fragment.innerHTML);
  });

  // Autosave: every few seconds while something changed, and when the page is left, the form as typed goes to the
  // server as an unsaved draft of this user; opening the article again brings it back.
  var autosaveURL = form.getAttribute("data-autosave");
  var dirty = false;
  var submitting = false;
  function fields() {
    source.value = editor.innerHTML;
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

  // While the page is open, say so, for the "X is editing" notice others see.
  var presenceURL = form.getAttribute("data-presence");
  if (presenceURL) {
    setInterval(function () {
      var body = new URLSearchParams();
      body.set("csrf", form.querySelector('input[name="csrf"]').value);
      fetch(presenceURL, { method: "POST", body: body, credentials: "same-origin" }).catch(function () {});
    }, 30000);
  }

  form.addEventListener("submit", function (event) {
    // A preview opens in another tab; the editor stays and keeps autosaving.
    if (!(event.submitter && event.submitter.classList.contains("nr-preview"))) submitting = true;
    source.value = editor.innerHTML;
  });

  // The slug follows the title until someone edits it.
  var title = document.getElementById("nr-title");
  var slug = document.getElementById("nr-slug");
  if (title && slug && !slug.value) {
    slug.addEventListener("input", function () { slug.dataset.touched = "1"; });
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
