// The editor's "Още:" panel: the blocks of related links the page will show between paragraphs, as a plan the form
// saves with the article (the hidden field `more`, `MoreLinks` on the server). The journalist places a block at the
// cursor with an article chosen in the picker (the site's search: any form of a word, newest first), pins an automatic link (it stays
// whatever the ranking does later), replaces one or removes one (it never comes back on this article); every place
// left automatic is filled by the ranking. For a saved article the panel asks the server which article each place
// will hold (`GET …/more?plan=`), so the page's links are known before publishing. An empty field is the site's
// automatic layout.
(function () {
  "use strict";
  var panel = document.getElementById("nr-more");
  var form = document.getElementById("nr-article-form");
  var editor = document.getElementById("nr-editor");
  var field = document.getElementById("nr-more-plan");
  var picker = document.getElementById("nr-more-picker");
  if (!panel || !form || !editor || !field || !picker) return;
  panel.hidden = false;
  var list = document.getElementById("nr-more-blocks");
  var query = document.getElementById("nr-more-q");
  var results = document.getElementById("nr-more-results");
  var action = form.getAttribute("action") || "";
  var previewURL = /\/articles\/\d+$/.test(action) ? action + "/more" : null;
  var automaticPlan = JSON.parse(panel.getAttribute("data-automatic") || '{"blocks":[],"excluded":[]}');
  var plan = null;
  try { plan = field.value ? JSON.parse(field.value) : null; } catch (error) { plan = null; }
  var titles = {};  // article id → title, from the picker and the previews
  var places = null;  // the last preview: per block, per link, {id, title, automatic} or null

  function word(name) { return panel.getAttribute("data-" + name) || name; }
  function copy(value) { return JSON.parse(JSON.stringify(value)); }
  function current() { return copy(plan || automaticPlan); }
  function paragraphs() {
    return Array.prototype.filter.call(editor.children, function (child) { return child.nodeName === "P"; });
  }

  // Each placed block follows its paragraph as the text changes: the <p> it stands after is remembered, and a
  // paragraph written or deleted above it moves the block's number with it.
  var anchors = [];
  function anchor() {
    var all = paragraphs();
    anchors = plan ? plan.blocks.map(function (block) { return all[block.after - 1] || null; }) : [];
  }
  function follow() {
    if (!plan) return;
    var all = paragraphs();
    var moved = false;
    plan.blocks.forEach(function (block, b) {
      var node = anchors[b];
      var at = node && node.parentNode === editor ? all.indexOf(node) + 1 : 0;
      if (at > 0 && at !== block.after) {
        block.after = at;
        moved = true;
      }
    });
    if (!moved) return;
    field.value = JSON.stringify(plan);
    render();
  }
  editor.addEventListener("input", follow);

  function commit(next) {
    next.blocks = next.blocks.filter(function (block) { return block.links.length > 0; });
    next.blocks.sort(function (a, b) { return a.after - b.after; });
    plan = next;
    anchor();
    field.value = JSON.stringify(next);
    form.dispatchEvent(new Event("input", { bubbles: true }));  // autosave and the local copy see it
    refresh();
  }

  function button(label, onClick) {
    var element = document.createElement("button");
    element.type = "button";
    element.textContent = label;
    element.addEventListener("click", onClick);
    return element;
  }

  function render() {
    var shown = current();
    list.textContent = "";
    shown.blocks.forEach(function (block, b) {
      var item = document.createElement("li");
      item.className = "nr-more-block";
      item.setAttribute("data-after", block.after);
      var heading = document.createElement("p");
      var paragraph = paragraphs()[block.after - 1];
      var opening = paragraph ? paragraph.textContent.trim().slice(0, 60) : "";
      heading.textContent = word("after").replace("{n}", block.after) + (opening ? " — „" + opening + "…“" : "");
      item.appendChild(heading);
      var links = document.createElement("ul");
      block.links.forEach(function (id, i) {
        var place = places && places[b] && places[b][i];
        var link = document.createElement("li");
        link.className = "nr-more-link";
        var automatic = id === 0;
        link.setAttribute("data-automatic", automatic ? "1" : "0");
        var shownID = automatic ? (place ? place.id : 0) : id;
        if (shownID) link.setAttribute("data-id", shownID);
        if (place && place.url) link.setAttribute("data-url", place.url);
        var title = document.createElement("span");
        title.className = "nr-more-title";
        title.textContent = (automatic ? (place ? place.title : (previewURL ? word("empty") : word("unsaved"))) : (titles[id] || (place && place.title) || "#" + id)) +
          " (" + word(automatic ? "automatic-word" : "chosen-word") + ")";
        link.appendChild(title);
        if (automatic && place) {
          link.appendChild(document.createTextNode(" "));
          link.appendChild(button(word("pin"), function () {
            var next = current();
            next.blocks[b].links[i] = place.id;
            titles[place.id] = place.title;
            commit(next);
          }));
        }
        link.appendChild(document.createTextNode(" "));
        link.appendChild(button(word("replace"), function () {
          choose(function (article) {
            var next = current();
            next.blocks[b].links[i] = article.id;
            commit(next);
          });
        }));
        link.appendChild(document.createTextNode(" "));
        link.appendChild(button(word("remove"), function () {
          var next = current();
          next.blocks[b].links.splice(i, 1);
          // A removed automatic link never comes back on this article.
          if (automatic && place && next.excluded.indexOf(place.id) < 0) next.excluded.push(place.id);
          commit(next);
        }));
        links.appendChild(link);
      });
      item.appendChild(links);
      var tools = document.createElement("p");
      if (block.links.length < 3) {
        tools.appendChild(button(word("add"), function () {
          choose(function (article) {
            var next = current();
            next.blocks[b].links.push(article.id);
            commit(next);
          });
        }));
        tools.appendChild(document.createTextNode(" "));
      }
      tools.appendChild(button(word("remove-block"), function () {
        var next = current();
        next.blocks.splice(b, 1);
        commit(next);
      }));
      item.appendChild(tools);
      list.appendChild(item);
    });
  }

  var asked = 0;
  function refresh() {
    render();
    if (!previewURL) return;
    var mine = ++asked;
    var url = previewURL + (plan ? "?plan=" + encodeURIComponent(JSON.stringify(plan)) : "");
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (answer) {
        if (!answer || mine !== asked) return;
        places = answer.blocks.map(function (block) {
          return block.links.map(function (link) {
            if (link) titles[link.id] = link.title;
            return link;
          });
        });
        render();
        panel.setAttribute("data-ready", String(mine));
      })
      .catch(function () {});
  }

  // The picker: the published articles the words find (the public search's analyser), newest first.
  var onChoose = null;
  var searchTimer = null;
  function search() {
    fetch(picker.getAttribute("data-url") + "?q=" + encodeURIComponent(query.value.trim()), {
      credentials: "same-origin", headers: { Accept: "application/json" },
    })
      .then(function (response) { return response.ok ? response.json() : []; })
      .then(function (found) {
        results.textContent = "";
        found.forEach(function (article) {
          var item = document.createElement("li");
          var choice = button(article.title, function () {
            titles[article.id] = article.title;
            picker.close();
            if (onChoose) onChoose(article);
          });
          choice.setAttribute("data-id", article.id);
          choice.setAttribute("data-url", article.url);
          item.appendChild(choice);
          var detail = document.createElement("small");
          detail.textContent = " " + article.section + " · " + article.date;
          item.appendChild(detail);
          results.appendChild(item);
        });
      })
      .catch(function () {});
  }
  function choose(callback) {
    onChoose = callback;
    query.value = "";
    results.textContent = "";
    picker.showModal();
    query.focus();
    search();
  }
  query.addEventListener("input", function () {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(search, 250);
  });
  query.addEventListener("keydown", function (event) {
    if (event.key === "Enter") { event.preventDefault(); search(); }
  });

  // The paragraph the caret is in (or the last paragraph before the block it is in), kept while the caret is in the
  // editor: the button takes the focus away.
  var caretParagraph = 0;
  document.addEventListener("selectionchange", function () {
    var selection = window.getSelection();
    if (!selection.rangeCount || !editor.contains(selection.anchorNode)) return;
    var node = selection.anchorNode;
    while (node && node.parentNode !== editor) node = node.parentNode;
    if (!node) return;
    var count = 0;
    for (var child = editor.firstElementChild; child; child = child.nextElementSibling) {
      if (child.nodeName === "P") count += 1;
      if (child === node) break;
    }
    caretParagraph = Math.max(1, count);
  });
  document.getElementById("nr-more-place").addEventListener("click", function () {
    var after = caretParagraph || Math.max(1, paragraphs().length - 1);
    choose(function (article) {
      var next = current();
      var same = next.blocks.filter(function (block) { return block.after === after; })[0];
      if (same && same.links.length < 3) same.links.unshift(article.id);
      else next.blocks.push({ after: after, links: [article.id] });
      commit(next);
    });
  });
  document.getElementById("nr-more-reset").addEventListener("click", function () {
    plan = null;
    anchors = [];
    field.value = "";
    form.dispatchEvent(new Event("input", { bubbles: true }));
    refresh();
  });

  anchor();
  refresh();
})();
