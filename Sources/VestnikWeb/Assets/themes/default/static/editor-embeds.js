// The editor's embedded posts: YouTube, Vimeo, X, Facebook, Instagram, TikTok and Spotify. An address pasted alone on
// a line becomes the post's marker (as the server does for any body: `BodySanitizer`), and every marker in the editor
// shows the provider's own frame as a preview. The preview is never saved: `strip` takes it out of what the form sends,
// and the server keeps only `<figure class="embed" data-embed data-id>` anyway, checking the id again, strictly.
(function () {
  "use strict";
  var patterns = {
    youtube: /^[A-Za-z0-9_-]{11}$/, x: /^[0-9]{1,20}$/,
    facebook: /^(share\/[pvr]\/[A-Za-z0-9]{1,80}|[A-Za-z0-9.]{1,80}\/(posts|videos)\/[A-Za-z0-9]{1,80})$/,
    vimeo: /^[0-9]{1,12}$/, instagram: /^(p|reel)\/[A-Za-z0-9_-]{5,40}$/, tiktok: /^[A-Za-z0-9._]{1,40}\/[0-9]{1,20}$/,
    spotify: /^(track|album|playlist|episode|show|artist)\/[A-Za-z0-9]{22}$/
  };
  var names = { youtube: "YouTube", x: "X", facebook: "Facebook", vimeo: "Vimeo", instagram: "Instagram", tiktok: "TikTok",
    spotify: "Spotify" };

  // A post's address → its provider and id, as `Embed(url:)` reads it; null for anything else.
  function parse(text) {
    var m;
    try { m = new URL(String(text).trim()); } catch (e) { return null; }
    if (!/^https?:$/.test(m.protocol)) return null;
    var host = m.hostname.replace(/^(www|m|mobile)\./, "");
    var path = m.pathname.split("/").filter(Boolean);
    var kind = null, id = null;
    if (host === "youtube.com" || host === "youtube-nocookie.com") {
      kind = "youtube";
      id = path[0] === "watch" && path.length === 1 ? m.searchParams.get("v")
        : (path.length === 2 && /^(shorts|embed|live)$/.test(path[0]) ? path[1] : null);
    } else if (host === "youtu.be") {
      kind = "youtube"; id = path.length === 1 ? path[0] : null;
    } else if (host === "x.com" || host === "twitter.com") {
      kind = "x"; id = path.length >= 3 && path[1] === "status" ? path[2] : null;
    } else if (host === "facebook.com" && path.length === 3 && (path[0] === "share" || /^(posts|videos)$/.test(path[1]))) {
      kind = "facebook"; id = path.join("/");
    } else if (host === "vimeo.com" && (path.length === 1 || (path.length === 3 && path[0] === "channels"))) {
      kind = "vimeo"; id = path[path.length - 1];
    } else if (host === "player.vimeo.com" && path.length === 2 && path[0] === "video") {
      kind = "vimeo"; id = path[1];
    } else if (host === "instagram.com") {
      var tail = path.length === 3 ? path.slice(1) : path;
      if (tail.length === 2 && /^(p|reel|tv)$/.test(tail[0])) { kind = "instagram"; id = (tail[0] === "tv" ? "p" : tail[0]) + "/" + tail[1]; }
    } else if (host === "tiktok.com" && path.length === 3 && path[0].charAt(0) === "@" && path[1] === "video") {
      kind = "tiktok"; id = path[0].slice(1) + "/" + path[2];
    } else if (host === "open.spotify.com") {
      var rest = path.length && /^intl-/.test(path[0]) ? path.slice(1) : path;
      if (rest.length === 2) { kind = "spotify"; id = rest.join("/"); }
    }
    return kind && id && patterns[kind].test(id) ? { kind: kind, id: id } : null;
  }

  function escapeHTML(text) {
    return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  }
  // The marker the server keeps, for a provider and id it would accept; null otherwise.
  function marker(kind, id) {
    if (!patterns.hasOwnProperty(kind) || !patterns[kind].test(id || "")) return null;
    return '<figure class="embed" data-embed="' + kind + '" data-id="' + escapeHTML(id) + '"></figure>';
  }
  function fromURL(url) {
    var post = parse(url);
    return post ? marker(post.kind, post.id) : null;
  }

  // The provider's frame for the preview (as `Embed.frameURL` writes it for readers, without autoplay).
  function frameURL(kind, id) {
    switch (kind) {
      case "youtube": return "https://www.youtube-nocookie.com/embed/" + id;
      case "x": return "https://platform.twitter.com/embed/Tweet.html?id=" + id + "&dnt=true";
      case "facebook":
        return "https://www.facebook.com/plugins/" + (/(\/videos\/|^share\/v\/)/.test(id) ? "video" : "post") + ".php?href=" +
          encodeURIComponent("https://www.facebook.com/" + id);
      case "vimeo": return "https://player.vimeo.com/video/" + id + "?dnt=1";
      case "instagram": return "https://www.instagram.com/" + id + "/embed/";
      case "tiktok": return "https://www.tiktok.com/embed/v2/" + id.split("/")[1];
      case "spotify": return "https://open.spotify.com/embed/" + id;
    }
    return null;
  }

  var editor = document.getElementById("nr-editor");
  var button = document.querySelector('.nr-toolbar [data-cmd="embed"]');
  var label = (button && button.getAttribute("data-preview")) || "{provider}";

  // Gives a marker in the editor its preview: a label and the provider's frame.
  function decorate(figure) {
    var kind = figure.getAttribute("data-embed"), id = figure.getAttribute("data-id");
    if (figure.querySelector(".nr-embed-preview") || !patterns.hasOwnProperty(kind) || !patterns[kind].test(id || "")) return;
    figure.setAttribute("contenteditable", "false");
    var preview = document.createElement("div");
    preview.className = "nr-embed-preview";
    var caption = document.createElement("span");
    caption.className = "nr-embed-label";
    caption.textContent = label.replace("{provider}", names[kind]) + " · " + id;
    var frame = document.createElement("iframe");
    frame.className = "nr-embed-frame nr-embed-" + kind;
    frame.src = frameURL(kind, id);
    frame.title = caption.textContent;
    frame.setAttribute("loading", "lazy");
    frame.setAttribute("referrerpolicy", "strict-origin-when-cross-origin");
    preview.appendChild(caption);
    preview.appendChild(frame);
    figure.appendChild(preview);
  }

  // Every paragraph of the editor that is only a post's address becomes the post.
  function upgrade() {
    if (!editor) return;
    Array.prototype.forEach.call(editor.children, function (block) {
      if (block.nodeName !== "P" || block.querySelector("img, figure")) return;
      var text = block.textContent.trim();
      if (!/^https?:\/\/\S+$/.test(text)) return;
      var html = fromURL(text);
      if (!html) return;
      var holder = document.createElement("div");
      holder.innerHTML = html;
      var figure = holder.firstChild;
      block.parentNode.replaceChild(figure, block);
      decorate(figure);
    });
  }

  // What the form sends: the editor's HTML without the previews.
  function strip(html) {
    var copy = document.createElement("div");
    copy.innerHTML = html;
    copy.querySelectorAll(".nr-embed-preview").forEach(function (preview) { preview.remove(); });
    return copy.innerHTML;
  }

  window.VestnikEmbeds = { parse: parse, marker: marker, fromURL: fromURL, strip: strip };

  if (!editor) return;
  editor.querySelectorAll("figure.embed").forEach(decorate);
  // Markers placed later (the toolbar's button, a paste, a restored draft) get theirs too.
  new MutationObserver(function () {
    editor.querySelectorAll("figure.embed").forEach(decorate);
  }).observe(editor, { childList: true, subtree: true });
  // A paste is put in place by the editor's own handler first; then its lone addresses become posts.
  editor.addEventListener("paste", function () {
    setTimeout(function () {
      upgrade();
      editor.dispatchEvent(new Event("input"));
    }, 0);
  });
})();
