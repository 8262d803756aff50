/* mkdocs-yt2doc: the script of every page (the archive's, and with Material or Zensical the
 * site's own through extra_javascript). Small, so that a page that shows no player and no
 * search costs little:
 *
 * - the theme's search box gains "Search the talks for ..." (Enter opens the archive's
 *   search page): Material's box, and Zensical's (its dialog, in a shadow root);
 * - a page opened from the disk (file://) says it needs a web server;
 * - a page that instant navigation swapped in gets the player's script (`yt2doc.js`) or the
 *   search page's (`yt2doc-search.js`) when it needs one and it is not loaded yet.
 */
(function () {
  "use strict";
  if (window.__yt2docSite) return; // named by the page and by extra_javascript
  window.__yt2docSite = true;
  var script = document.currentScript && document.currentScript.src;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  /* Material's search box: a link to the full-text search, first in its results. */
  function searchPageUrl(query) {
    var base = script ? new URL("../search/", script) : null;
    if (!base) return null;
    if (/\.html$/.test(window.location.pathname)) base = new URL("index.html", base);
    base.searchParams.set("q", query);
    return base.toString();
  }
  /* The entry's look, from the script (the site's other pages have no yt2doc.css): the
   * header's white text would be white on white in the results. */
  var MATERIAL_CSS = ".md-search .yt2doc-fulltext{display:block;padding:.6rem 1.2rem .6rem 1rem;" +
    "font-size:.75rem;font-weight:700;color:var(--md-default-fg-color);" +
    "background:var(--md-default-bg-color);border-left:.2rem solid var(--md-accent-fg-color);" +
    "border-bottom:.05rem solid var(--md-default-fg-color--lightest)}" +
    ".md-search .yt2doc-fulltext:hover,.md-search .yt2doc-fulltext:focus-visible{" +
    "background:var(--md-accent-fg-color--transparent);outline:none}" +
    // the theme's footer line is under 4.5:1 (axe); as overrides/main.html does
    ".md-copyright{color:var(--md-footer-fg-color--light)}";
  function materialBox() {
    var input = document.querySelector(".md-search__input");
    var output = document.querySelector(".md-search__scrollwrap");
    if (!input || !output || input.__yt2doc) return;
    input.__yt2doc = true;
    document.head.appendChild(el("style", "", MATERIAL_CSS));
    var dialog = document.querySelector(".md-search[role=dialog]");
    if (dialog && !dialog.hasAttribute("aria-label")) dialog.setAttribute("aria-label", "Search"); // (axe: aria-dialog-name)
    var link = el("a", "yt2doc-fulltext");
    link.hidden = true;
    output.insertBefore(link, output.firstChild);
    var update = function () {
      var query = input.value.trim();
      link.hidden = !query;
      if (!query) return;
      link.textContent = "Search the talks for “" + query + "” (Enter)";
      link.href = searchPageUrl(query);
    };
    input.addEventListener("input", update);
    window.addEventListener("keydown", function (event) {
      if (event.target !== input || event.key !== "Enter" || !input.value.trim()) return;
      if (document.querySelector(".md-search-result__link:focus, .md-search-result__item--active")) return;
      event.preventDefault();
      event.stopImmediatePropagation(); // Material would open its first result
      window.location.href = searchPageUrl(input.value.trim());
    }, true);
  }

  /* Zensical's search box: a modal dialog in an open shadow root, on its own index (titles,
   * chapters, the site's pages; not the transcripts). The link goes first in its results
   * area (found by role: its class names are minified); Enter opens it where Zensical has
   * no result to open (with results Enter keeps opening the highlighted one, and Tab, past
   * the filters button, reaches the link). Listeners sit on the shadow root, which stays
   * while Zensical re-renders what is inside. */
  var ZENSICAL_CSS = ".yt2doc-fulltext{display:block;margin:var(--space-2,8px);margin-bottom:0;" +
    "padding:8px 10px;border-radius:var(--space-2,8px);font-size:14px;font-weight:700;" +
    "color:inherit;border-left:3px solid var(--color-highlight,#526cfe);text-decoration:none}" +
    ".yt2doc-fulltext:hover,.yt2doc-fulltext:focus-visible{background:rgb(var(--color-background-subtle,238 238 238))}" +
    ".yt2doc-fulltext:focus-visible{outline:2px solid var(--color-highlight,#526cfe);outline-offset:2px}";
  function zensicalBox(host) {
    var root = host.shadowRoot; // the dialog is rendered into it later
    if (!root || root.__yt2doc) return;
    root.__yt2doc = true;
    var link = el("a", "yt2doc-fulltext");
    link.hidden = true;
    var query = function () {
      var input = root.querySelector("dialog input[role=combobox]");
      return input ? input.value.trim() : "";
    };
    var update = function () {
      var results = root.querySelector("dialog ol[role=listbox]");
      if (!results || !root.querySelector("dialog input[role=combobox]")) return;
      if (link.parentNode !== results.parentNode) {
        if (!link.parentNode) root.appendChild(el("style", "", ZENSICAL_CSS));
        results.parentNode.insertBefore(link, results.parentNode.firstChild);
      }
      var q = query(), none = !root.querySelector("dialog [role=option]");
      link.hidden = !q;
      if (!q) return;
      var text = "Search the talks for “" + q + "”" + (none ? " (Enter)" : "");
      if (link.textContent !== text) link.textContent = text; // (a change is a mutation)
      link.href = searchPageUrl(q);
    };
    new MutationObserver(update).observe(root, { childList: true, subtree: true });
    root.addEventListener("input", update);
    root.addEventListener("focusin", update);
    root.addEventListener("keydown", function (event) {
      // after Zensical's own handler, which takes Enter when it has a result to open
      if (event.key !== "Enter" || event.defaultPrevented || event.isComposing) return;
      if (!event.target.matches || !event.target.matches("input[role=combobox]") || !query()) return;
      event.preventDefault();
      window.location.href = searchPageUrl(query());
    });
    update();
  }
  var zensicalWatch = null;
  function zensicalBoxes() {
    Array.prototype.forEach.call(document.body.children, zensicalBox);
  }
  function watchZensical() {
    if (zensicalWatch || !script || document.querySelector(".md-search__input")) return; // Material
    if (!document.querySelector("[data-md-component=search]")) return;
    zensicalBoxes();
    zensicalWatch = new MutationObserver(zensicalBoxes); // the dialog's host, once mounted
    zensicalWatch.observe(document.body, { childList: true });
  }

  /* Opened from the disk: browsers refuse a file:// page the caption tracks, Pagefind's
   * index and the embeds' messages. Said under the page's title, once. */
  var FROM_FILE = "This page is opened from a file (file://): its player and search need a " +
    "web server. Serve the site folder over HTTP, for example with `python3 -m http.server` " +
    "in it, or with `mkdocs serve`.";
  function fromFile() {
    if (window.location.protocol !== "file:") return;
    var top = document.querySelector("article h1, main h1, h1");
    if (!top || !top.parentNode || top.parentNode.querySelector('.yt2doc-notice[data-kind="file"]')) return;
    var notice = el("p", "yt2doc-notice");
    notice.setAttribute("role", "status");
    notice.setAttribute("data-kind", "file");
    notice.setAttribute("data-pagefind-ignore", "");
    notice.setAttribute("data-search-exclude", "");
    top.parentNode.insertBefore(notice, top.nextSibling);
    // set once in the document: a live region announces the text it is given
    setTimeout(function () { notice.textContent = FROM_FILE; }, 0);
  }

  /* The page's own scripts, where instant navigation brought a page without loading them
   * (each sets its flag when it runs; a tag the page names itself ran first). */
  var requested = {};
  function need(name, flag) {
    if (window[flag] || requested[name] || !script) return;
    requested[name] = true;
    var tag = document.createElement("script");
    tag.src = new URL(name, script).href;
    document.head.appendChild(tag);
  }

  function attach() {
    fromFile();
    materialBox();
    watchZensical();
    if (document.querySelector("[data-yt2doc-player]")) need("yt2doc.js", "__yt2doc");
    if (document.querySelector(".yt2doc-search[data-bundle]")) need("yt2doc-search.js", "__yt2docSearch");
  }

  function start() {
    if (window.document$ && typeof window.document$.subscribe === "function") {
      window.document$.subscribe(attach);
    } else {
      attach();
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
