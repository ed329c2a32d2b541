// The editor's "SEO и социални мрежи" panel: a counter under each title and description (red past what search
// results and share cards show), a live preview of the search result and of the share card with the same fallbacks
// the public page uses (the page's title: the SEO title, else "headline | site"; its description: the SEO
// description, else the lead; the card's: the social title and description, else those; its picture: the social
// one, else the featured), and the social picture chosen from the media library like the featured one. Without
// JavaScript the fields are plain fields and the server applies the same rules.
(function () {
  "use strict";
  var panel = document.getElementById("nr-seo");
  if (!panel) return;
  var site = panel.getAttribute("data-site");
  function field(id) { return document.getElementById(id); }
  function value(id) {
    var element = field(id);
    return element ? element.value.replace(/\s+/g, " ").trim() : "";
  }
  function words(template, values) {
    return (template || "").replace(/\{(\w+)\}/g, function (all, key) { return key in values ? values[key] : all; });
  }
  // Characters as people count them (a Cyrillic letter is one), not UTF-16 units.
  function length(text) { return Array.from(text).length; }

  var counted = ["nr-seo-title", "nr-seo-description", "nr-social-title", "nr-social-description"];
  function count(id) {
    var input = field(id);
    var counter = field(id + "-count");
    if (!input || !counter) return;
    var limit = Number(input.getAttribute("data-limit"));
    var n = length(value(id));
    var over = n > limit;
    counter.textContent = words(panel.getAttribute(over ? "data-over" : "data-count"), { count: n, limit: limit });
    counter.classList.toggle("nr-over", over);
  }

  function headline() {
    var kicker = value("nr-kicker");
    var title = value("nr-title");
    return kicker ? kicker + ": " + title : title;
  }
  function preview() {
    var pageTitle = value("nr-seo-title") || (headline() ? headline() + " | " + site : site);
    var description = value("nr-seo-description") || value("nr-lead");
    field("nr-serp-title").textContent = pageTitle;
    field("nr-serp-description").textContent = description;
    field("nr-card-title").textContent = value("nr-social-title") || (headline() ? headline() + " | " + site : site);
    field("nr-card-description").textContent = value("nr-social-description") || description;
    var picture = field("nr-card-picture");
    var social = field("nr-social-thumb");
    var featured = field("nr-featured-thumb");
    var source = social && !social.hidden && value("nr-social-image") ? social : featured && !featured.hidden ? featured : null;
    if (source && source.getAttribute("src")) {
      picture.src = source.getAttribute("src");
      picture.hidden = false;
    } else {
      picture.removeAttribute("src");
      picture.hidden = true;
    }
    counted.forEach(count);
  }

  field("nr-serp").hidden = false;
  field("nr-share-card").hidden = false;
  var form = document.getElementById("nr-article-form");
  if (form) form.addEventListener("input", preview);

  // The social picture: the media library's dialog (newsroom.js), as for the featured picture.
  var input = field("nr-social-image");
  var thumb = field("nr-social-thumb");
  var api = window.nrEditor;
  if (input && api && api.picker) {
    panel.querySelector(".nr-social-tools").hidden = false;
    field("nr-social-choose").addEventListener("click", function () {
      api.openPicker(function (item) {
        input.value = item.src;
        thumb.src = item.src;
        thumb.alt = item.alt;
        thumb.hidden = false;
        form.dispatchEvent(new Event("input"));
      });
    });
    field("nr-social-remove").addEventListener("click", function () {
      input.value = "";
      thumb.removeAttribute("src");
      thumb.hidden = true;
      form.dispatchEvent(new Event("input"));
    });
  }
  preview();
})();
