// Pastes from Word, LibreOffice and Google Docs into the article editor (newsroom.js calls `VestnikPaste.prepare` on
// the pasted document before its allowlist cleaner runs):
// - Word's list paragraphs (`mso-list:l0 level1 lfo1` with a marker in a `mso-list:Ignore` span) become <ul>/<ol>;
// - a list item's paragraphs (Google Docs, LibreOffice) become the item's text, and a table cell's become lines;
// - a table without header cells whose first row is all in bold gets that row as its header (<thead><th>);
// - what cannot be kept is counted, so the editor names it in its notice instead of dropping it silently.
// Headings, lists and tables survive the cleaner; the server sanitises again (BodySanitizer): never trust the browser.
(function () {
  "use strict";
  // The notice's words come with the script's own tag (nr-editor.mustache): data-removed ("… {list}") and one
  // data-<kind> per kind of loss.
  var words = document.currentScript;

  function styleOf(element) {
    return (element.getAttribute("style") || "").replace(/\s/g, "").toLowerCase();
  }
  function textOf(node) {
    return (node.textContent || "").replace(/[\s\u00a0]+/g, " ").trim();
  }
  function each(root, selector, callback) {
    Array.prototype.slice.call(root.querySelectorAll(selector)).forEach(callback);
  }
  function unwrap(element) {
    while (element.firstChild) element.parentNode.insertBefore(element.firstChild, element);
    element.remove();
  }

  // Word writes every list item as a paragraph of its own; the marker ("·", "1.", "a)") sits in a span Word itself
  // ignores. Consecutive paragraphs of one list (`mso-list:l0`) become one list; deeper levels stay items of it, as
  // the body keeps one level.
  function wordLists(doc) {
    var list = null;
    var previous = null;
    var previousId = null;
    each(doc.body, "p, h1, h2, h3, h4, h5, h6, div", function (paragraph) {
      var found = styleOf(paragraph).match(/mso-list:(l\d+)/);
      if (!found) return;
      var marker = "";
      each(paragraph, "span", function (span) {
        if (/mso-list:ignore/.test(styleOf(span)) && span.isConnected) {
          marker = marker || textOf(span);
          span.remove();
        }
      });
      var ordered = /^(\d+|[a-z]|[ivxlc]+)[.)]$/i.test(marker);
      var next = previous && previous.nextElementSibling;
      if (!list || next !== paragraph || previousId !== found[1]) {
        list = doc.createElement(ordered ? "ol" : "ul");
        paragraph.parentNode.insertBefore(list, paragraph);
      }
      var item = doc.createElement("li");
      while (paragraph.firstChild) item.appendChild(paragraph.firstChild);
      list.appendChild(item);
      // The list now stands where the paragraph stood: the next paragraph of the list follows it.
      paragraph.remove();
      previous = list;
      previousId = found[1];
    });
  }

  // Paragraphs inside a list item or a table cell: their text, one line each.
  function flattenBlocks(container) {
    var blocks = Array.prototype.filter.call(container.children, function (child) {
      return /^(P|DIV|H[1-6])$/.test(child.nodeName);
    });
    blocks.forEach(function (block, index) {
      if (index > 0 && textOf(block)) block.parentNode.insertBefore(container.ownerDocument.createElement("br"), block);
      unwrap(block);
    });
  }

  function isBold(element, stop) {
    for (var node = element; node && node !== stop; node = node.parentElement) {
      if (node.nodeName === "B" && !/font-weight:(normal|400)/.test(styleOf(node))) return true;
      if (node.nodeName === "STRONG" || node.nodeName === "TH") return true;
      if (/font-weight:(bold|600|700|800|900)/.test(styleOf(node))) return true;
      if (/font-weight:(normal|400)/.test(styleOf(node))) return false;
    }
    return false;
  }
  function allBold(cell) {
    var walker = cell.ownerDocument.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    var any = false;
    for (var node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.nodeValue.trim()) continue;
      if (!isBold(node.parentElement, cell.parentElement)) return false;
      any = true;
    }
    return any;
  }

  function tables(doc, removed) {
    // A table inside a cell keeps its text, one line per cell.
    each(doc.body, "td table, th table", function (inner) {
      var lines = [];
      each(inner, "td, th", function (cell) { if (textOf(cell)) lines.push(textOf(cell)); });
      var holder = doc.createElement("p");
      holder.textContent = lines.join(" · ");
      inner.replaceWith(holder);
    });
    each(doc.body, "table", function (table) {
      each(table, "caption", function (caption) {
        var paragraph = doc.createElement("p");
        while (caption.firstChild) paragraph.appendChild(caption.firstChild);
        table.parentNode.insertBefore(paragraph, table);
        caption.remove();
      });
      each(table, "td, th", function (cell) {
        if ((parseInt(cell.getAttribute("colspan"), 10) || 1) > 1 || (parseInt(cell.getAttribute("rowspan"), 10) || 1) > 1)
          removed.merged = true;
        flattenBlocks(cell);
      });
      // The cells of a header row are header cells (LibreOffice writes <td> in its <thead>).
      each(table, "thead td", function (cell) {
        var th = doc.createElement("th");
        while (cell.firstChild) th.appendChild(cell.firstChild);
        cell.replaceWith(th);
      });
      if (table.querySelector("thead, th") || table.rows.length < 2) return;
      var first = table.rows[0];
      var cells = Array.prototype.slice.call(first.cells);
      if (!cells.some(function (cell) { return textOf(cell); })) return;
      if (!cells.every(function (cell) { return !textOf(cell) || allBold(cell); })) return;
      var head = doc.createElement("thead");
      var row = doc.createElement("tr");
      cells.forEach(function (cell) {
        var th = doc.createElement("th");
        while (cell.firstChild) th.appendChild(cell.firstChild);
        // A header cell is bold already: the bold that made it one is not kept twice.
        each(th, "b, strong", unwrap);
        each(th, "[style]", function (element) { element.removeAttribute("style"); });
        row.appendChild(th);
      });
      head.appendChild(row);
      first.remove();
      table.insertBefore(head, table.firstChild);
    });
  }

  // What the cleaner would drop without a word: named in the notice.
  function losses(doc, removed) {
    if (doc.body.querySelector("iframe, object, embed, video, audio, canvas, svg")) removed.objects = true;
    if (doc.body.querySelector("math") || /<m:omath/i.test(doc.body.innerHTML)) removed.formulas = true;
    if (doc.body.querySelector("input, select, textarea, button")) removed.fields = true;
    // Word's comments and their marks; hidden text.
    each(doc.body, "[style]", function (element) {
      var style = styleOf(element);
      if (/mso-element:comment|mso-comment/.test(style) || /display:none|mso-hide:all/.test(style)) {
        if (textOf(element)) removed[/comment/.test(style) ? "comments" : "hidden"] = true;
        element.remove();
      }
    });
    each(doc.body, ".MsoCommentReference, .msocomtxt, [class^=msocom]", function (element) {
      removed.comments = true;
      element.remove();
    });
    each(doc.body, "u, s, strike, del, sub, sup, [style]", function (element) {
      if (element.closest("a") || !textOf(element)) return;
      var style = styleOf(element);
      if (/^(U|S|STRIKE|DEL|SUB|SUP)$/.test(element.nodeName) || /text-decoration:[a-z-]*(underline|line-through)/.test(style) ||
        /vertical-align:(super|sub)/.test(style))
        removed.formatting = true;
    });
  }

  window.VestnikPaste = {
    // Rewrites the pasted document `doc` in place and returns what will be lost: { objects, formulas, fields,
    // comments, hidden, formatting, merged } (each true when some of it was in the paste).
    prepare: function (doc) {
      var removed = {};
      // Chromium's mark that the copy ended at a line's end (after Google Docs' wrapper): no line of the text.
      each(doc.body, "br.Apple-interchange-newline", function (br) { br.remove(); });
      losses(doc, removed);
      wordLists(doc);
      each(doc.body, "li", flattenBlocks);
      // Google Docs wraps a table in <div dir="ltr">: the table stands as a block of its own.
      each(doc.body, "div", function (div) { if (div.querySelector("table")) unwrap(div); });
      tables(doc, removed);
      // Word's and LibreOffice's empty paragraphs (&nbsp; only) make no paragraph.
      each(doc.body, "p", function (paragraph) {
        if (!textOf(paragraph) && !paragraph.querySelector("img")) paragraph.remove();
      });
      return removed;
    },
    // The notice's words for `removed` ("" when nothing is lost).
    notice: function (removed) {
      var names = Object.keys(removed).filter(function (kind) { return removed[kind]; }).map(function (kind) {
        return (words && words.getAttribute("data-" + kind)) || kind;
      });
      if (!names.length) return "";
      return ((words && words.getAttribute("data-removed")) || "{list}").replace("{list}", names.join(", "));
    },
  };
})();
