/* mkdocs-yt2doc: the archive's search page, on Pagefind's index (`/pagefind/` at the site's
 * root, fetched in fragments: a query loads only what it needs, from the site itself).
 *
 * A hit in a talk links to the paragraph where the words were said (`#t=<second>`, which the
 * player's script scrolls to and starts the recording at), with the chapter and the moment.
 * Pagefind returns a chapter per sub-result; the paragraph is the last paragraph anchor
 * (`<span id="t724">`, empty, at a paragraph's start) before the words. All text from the index is put in as text: only
 * Pagefind's <mark> highlights are rebuilt as elements.
 *
 * Loaded by the search page only (the theme's box on every page is `yt2doc-site.js`'s).
 * Works with Material's and Zensical's instant navigation.
 */
(function () {
  "use strict";
  if (window.__yt2docSearch) return; // named by the page, or loaded by yt2doc-site.js
  window.__yt2docSearch = true;
  var PAGE_SIZE = 10;
  var HITS_PER_TALK = 3;
  var EXCERPT_WORDS = 24;
  var PARAGRAPH = /^t(\d+)(?:-\d+)?$/;
  var script = document.currentScript && document.currentScript.src;
  var loaded = {}; // bundle URL -> Promise of the Pagefind module
  var common = {}; // bundle URL -> the words said so often that a query leaves them out

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function moment(seconds) {
    var s = Math.max(0, Math.floor(seconds));
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return h ? h + ":" + pad(m) + ":" + pad(r) : m + ":" + pad(r);
  }

  /* Pagefind's excerpt as nodes: <mark> kept, everything else text (parsed in an inert
   * document: nothing in it runs or loads). */
  function excerpt(html) {
    var out = el("span", "yt2doc-excerpt");
    var doc = new DOMParser().parseFromString("<body>" + (html || ""), "text/html");
    doc.body.childNodes.forEach(function (node) {
      if (node.nodeType === 1 && node.nodeName === "MARK") out.appendChild(el("mark", "", node.textContent));
      else out.appendChild(document.createTextNode(node.textContent || ""));
    });
    return out;
  }

  function json(url) {
    return fetch(url).then(function (r) { return r.ok ? r.json() : null; }, function () { return null; });
  }

  /* The index, in shards (`yt2doc-shards.json`, search_shards.py): the first is the bundle,
   * the others merged into it, each checked to be of the same build (a partial deploy). */
  function load(bundle) {
    if (!loaded[bundle]) {
      // results' URLs are the site's paths: under a sub-path, the bundle's folder says where
      var base = new URL("..", bundle).pathname;
      loaded[bundle] = json(bundle + "yt2doc-shards.json").then(function (manifest) {
        var shards = manifest && manifest.shards ? manifest.shards : [""];
        common[bundle] = Object.create(null); // (no "constructor" from a prototype)
        (manifest && Array.isArray(manifest.common) ? manifest.common : []).forEach(function (w) {
          if (typeof w === "string") common[bundle][w] = true;
        });
        return Promise.all(shards.map(function (shard) {
          return manifest ? json(bundle + shard + "yt2doc-build.json") : { build: null };
        })).then(function (stamps) {
          var odd = shards.filter(function (shard, i) {
            return manifest && (!stamps[i] || stamps[i].build !== manifest.build);
          });
          if (odd.length) {
            var error = new Error("shards of another build: " + odd.map(function (s) { return s || "pagefind/"; }).join(", "));
            error.yt2docShards = odd;
            throw error;
          }
          return import(bundle + "pagefind.js");
        }).then(function (pagefind) {
          // one shard merged after the other (Pagefind's merges at once can race)
          return shards.slice(1).reduce(function (merged, shard) {
            return merged.then(function () {
              return pagefind.mergeIndex(bundle + shard, { baseUrl: base, excerptLength: EXCERPT_WORDS });
            });
          }, pagefind.options({ baseUrl: base, excerptLength: EXCERPT_WORDS })).then(function () { return pagefind; });
        });
      });
    }
    return loaded[bundle];
  }

  /* Where the words are: the few words in a row (the query's length and two) with the
   * most of the query in them (at most `cap`), the closest together of those: a phrase said
   * together, before its words said apart. One pass over the sorted locations (a talk may
   * say a query's words hundreds of times). */
  var near = 12;
  function cluster(sub, cap) {
    var words = (sub.locations || []).slice().sort(function (a, b) { return a - b; });
    var best = { at: words.length ? words[0] : 0, score: 0, span: 0, words: [] };
    for (var first = 0, end = 0; first < words.length; first++) {
      while (end < words.length && words[end] < words[first] + near) end++;
      var score = Math.min(end - first, cap || Infinity);
      var span = words[first + score - 1] - words[first];
      if (score > best.score || (score === best.score && span < best.span)) {
        best = { at: words[first], score: score, span: span, words: words.slice(first, first + score) };
      }
    }
    return best;
  }

  /* The paragraph most of those words are in (the window may start in the one before). */
  function paragraphOf(anchors, found) {
    var scores = {}, best = null, top = -1;
    (found.words.length ? found.words : [found.at]).forEach(function (location) {
      var para = paragraphAt(anchors, location);
      if (!para) return;
      var key = String(para.location);
      scores[key] = (scores[key] || 0) + 1;
      if (scores[key] > top) { top = scores[key]; best = para; }
    });
    return best;
  }

  /* A talk's sub-results (its chapters) with words in them, those that say most of the
   * query together first (a phrase said in the ninth chapter before a word of it in the
   * first), at most HITS_PER_TALK. */
  function bestSubs(data) {
    var subs = (data.sub_results && data.sub_results.length) ? data.sub_results : [data];
    return subs.filter(function (sub) { return sub.locations && sub.locations.length; })
      .map(function (sub, i) { return { sub: sub, i: i, score: cluster(sub).score }; })
      .sort(function (a, b) { return b.score - a.score || a.i - b.i; })
      .slice(0, HITS_PER_TALK)
      .map(function (x) { return x.sub; });
  }

  function paragraphAt(anchors, location) {
    var found = null;
    (anchors || []).forEach(function (a) {
      if (a.element === "span" && PARAGRAPH.test(a.id) && a.location <= location) found = a;
    });
    return found;
  }

  function firstAfter(anchors, location) {
    return (anchors || []).filter(function (a) {
      return a.element === "span" && PARAGRAPH.test(a.id) && a.location >= location;
    })[0] || null;
  }

  function pageUrl(url) { return url.split("#")[0]; }

  /* The query without its common words (`yt2doc-shards.json`: each fills an index chunk of
   * its own in every shard), when it has others: they find the same talks, and each common
   * word would fetch its chunk from every shard. */
  function withoutCommon(query, words) {
    var terms = query.split(/\s+/).filter(Boolean), left = [];
    var kept = terms.filter(function (term) {
      var parts = term.toLowerCase().match(/[\p{L}\p{N}]+/gu) || [];
      var isCommon = parts.length > 0 && parts.every(function (p) { return words[p]; });
      if (isCommon) left.push(term);
      return !isCommon;
    });
    return kept.length && left.length ? { query: kept.join(" "), left: left } : { query: query, left: [] };
  }

  /* A talk's fragment holds no text (search_fragments.py): its text is in parts of a few
   * paragraphs, in Pagefind's file format (gzip, then a signature), and a hit's excerpt is
   * made from the part it is in, the way Pagefind makes it from a whole text. */
  var SIGNATURE = "pagefind_dcd";
  var parts = {}; // URL -> Promise of the part

  function part(url) {
    if (!parts[url]) {
      parts[url] = fetch(url).then(function (r) {
        if (!r.ok) throw new Error("no part " + url);
        return r.arrayBuffer();
      }).then(function (buffer) {
        var bytes = new Uint8Array(buffer);
        if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return buffer; // a server unzipped it
        var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
        return new Response(stream).arrayBuffer();
      }).then(function (buffer) {
        var text = new TextDecoder().decode(buffer);
        return JSON.parse(text.indexOf(SIGNATURE) === 0 ? text.slice(SIGNATURE.length) : text);
      });
    }
    return parts[url];
  }

  function escaped(word) {
    return word.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  /* Pagefind's excerpt of a sub-result, from the part holding its densest words. */
  function excerptFrom(piece, joiner, sub, length, at, paragraph) {
    var from = piece.from, words = piece.words, marked = {};
    sub.locations.forEach(function (l) { marked[l] = true; });
    // from the paragraph's start at the earliest: the chapter's title is the hit's own line
    var floor = Math.max(from, sub.anchor ? sub.anchor.location : 0, paragraph || 0);
    var start = Math.max(floor, at - Math.floor(length / 4));
    var end = Math.min(from + words.length, start + length);
    start = Math.max(floor, Math.min(start, end - length));
    var out = [];
    for (var at = start; at < end; at++) {
      var word = escaped(words[at - from] || "");
      out.push(marked[at] ? "<mark>" + word + "</mark>" : word);
    }
    return out.join(joiner).trim();
  }

  function withText(data, base) {
    var text = data.yt2doc_text;
    if (!text || !text.parts || !text.parts.length) return Promise.resolve(data);
    return Promise.all(bestSubs(data).map(function (sub) {
      // from the paragraph most of the words are in (its part holds them)
      var found = cluster(sub), para = paragraphOf(data.anchors, found), chosen = text.parts[0];
      var at = Math.max(found.at, para ? para.location : 0);
      text.parts.forEach(function (p) { if (p[0] <= at) chosen = p; });
      return part(new URL(chosen[1], base).href).then(function (piece) {
        sub.excerpt = excerptFrom(piece, text.joiner, sub, EXCERPT_WORDS, at, para && para.location);
      }, function () { sub.excerpt = ""; });
    })).then(function () { return data; });
  }

  /* A talk is one record: Pagefind's sub-results are its chapters (`<h2 id>`), a hit's
   * paragraph the last paragraph anchor before its words. */
  function hits(data) {
    var out = [];
    bestSubs(data).forEach(function (sub) {
      var para = paragraphOf(data.anchors, cluster(sub));
      var chapter = sub.anchor && sub.anchor.element === "h2" ? sub.title : "";
      // words in the chapter's title: its first paragraph (not the last one before it)
      if (chapter && (!para || para.location < sub.anchor.location)) para = firstAfter(data.anchors, sub.anchor.location);
      if (!para && !chapter) return; // the title and names: the result's own heading says them
      out.push({
        href: para ? pageUrl(data.url) + "#t=" + PARAGRAPH.exec(para.id)[1] : sub.url || data.url,
        seconds: para ? +PARAGRAPH.exec(para.id)[1] : null,
        chapter: chapter,
        excerpt: sub.excerpt,
      });
    });
    return out;
  }

  function hitItem(hit) {
    var li = el("li", "yt2doc-hit");
    var link = el("a", "yt2doc-hit-link");
    link.href = hit.href;
    if (hit.seconds !== null) link.appendChild(el("span", "yt2doc-hit-time", moment(hit.seconds)));
    if (hit.chapter) link.appendChild(el("span", "yt2doc-hit-chapter", hit.chapter));
    link.setAttribute("aria-label", [hit.chapter, hit.seconds !== null ? "at " + moment(hit.seconds) : ""]
      .filter(Boolean).join(", ") || "Open");
    li.appendChild(link);
    li.appendChild(excerpt(hit.excerpt));
    return li;
  }

  function renderResult(data) {
    var meta = data.meta || {};
    var item = el("li", "yt2doc-result");
    var title = el("a", "yt2doc-result-title", meta.title || data.url);
    title.href = pageUrl(data.url);
    var heading = el("h2");
    heading.appendChild(title);
    item.appendChild(heading);
    if (!meta.talk) {
      item.appendChild(excerpt(data.excerpt));
      return item;
    }
    var line = [meta.speakers, meta.event, meta.date].filter(Boolean).join(" · ");
    if (line) item.appendChild(el("p", "yt2doc-result-meta", line));
    var list = el("ul", "yt2doc-hits");
    list.hidden = true;
    item.appendChild(list);
    addHits(item, data);
    return item;
  }

  /* More of the same talk's chapters go under its first result. */
  function addHits(item, data) {
    var list = item.querySelector(".yt2doc-hits");
    if (!list) return;
    hits(data).forEach(function (hit) {
      if (list.childNodes.length >= HITS_PER_TALK) return;
      list.appendChild(hitItem(hit));
    });
    list.hidden = !list.childNodes.length;
  }

  function Search(root) {
    this.root = root;
    this.bundle = new URL(root.getAttribute("data-bundle"), window.location.href).href;
    this.input = root.querySelector("input[name=q]");
    this.status = root.querySelector(".yt2doc-search-status");
    this.list = root.querySelector(".yt2doc-results");
    this.more = root.querySelector(".yt2doc-more");
    this.selects = Array.prototype.slice.call(root.querySelectorAll("select[data-filter]"));
    this.serial = 0;
    var self = this;
    var params = new URLSearchParams(window.location.search);
    // `?talks=`: the page's script moved `?q=` there before Material could read it
    this.input.value = params.get("q") || params.get("talks") || "";
    root.querySelector("form").addEventListener("submit", function (event) {
      event.preventDefault();
      self.run();
    });
    this.typed = this.input.value.length;
    this.input.addEventListener("input", function (event) {
      clearTimeout(self.timer);
      var grew = self.input.value.length - self.typed;
      self.typed = self.input.value.length;
      // a pasted (or filled-in) query is whole: searched at once; typing waits for a pause
      if (grew > 1 || event.inputType === "insertFromPaste") return self.run();
      self.timer = setTimeout(function () { self.run(); }, 150);
    });
    this.selects.forEach(function (select) {
      select.addEventListener("change", function () { self.run(); });
    });
    this.more.addEventListener("click", function () { self.page(); });
    // the filters' values are fetched when the reader opens them (or a link names one)
    this.toggle = root.querySelector(".yt2doc-filters-toggle");
    this.toggle.hidden = false;
    this.toggle.addEventListener("click", function () { self.openFilters(params); });
    var named = this.selects.some(function (s) { return params.get(s.getAttribute("data-filter")); });
    load(this.bundle).then(function (pagefind) {
      self.pagefind = pagefind;
      root.setAttribute("data-loaded", "");
      return named ? self.openFilters(params) : null;
    }).then(function () {
      if (self.input.value || named) self.run();
    }, function (error) {
      self.root.setAttribute("data-failed", error && error.yt2docShards ? "shards" : "index");
      self.say(error && error.yt2docShards
        ? "The search index is out of date in part (" + error.message + "): the site was deployed " +
          "only in part. Search is off until it is deployed whole."
        : "The search index could not be loaded (was the site indexed? see the build's log).");
    });
  }
  Search.prototype.openFilters = function (params) {
    var self = this, fieldset = this.root.querySelector(".yt2doc-filters");
    var open = this.toggle.getAttribute("aria-expanded") === "true";
    if (open && this.filtersLoaded) {
      fieldset.hidden = true;
      this.toggle.setAttribute("aria-expanded", "false");
      return Promise.resolve();
    }
    this.toggle.setAttribute("aria-expanded", "true");
    if (this.filtersLoaded) {
      fieldset.hidden = false;
      return Promise.resolve();
    }
    if (!this.pagefind) return Promise.resolve();
    this.filtersLoaded = true;
    return this.pagefind.filters().then(function (filters) {
      self.fillFilters(filters || {}, params);
      self.root.setAttribute("data-filters", "loaded");
    });
  };
  Search.prototype.say = function (text) { this.status.textContent = text; };
  Search.prototype.fillFilters = function (filters, params) {
    var any = false;
    this.selects.forEach(function (select) {
      var key = select.getAttribute("data-filter");
      var values = Object.keys(filters[key] || {}).sort(function (a, b) {
        return key === "year" ? b.localeCompare(a) : a.localeCompare(b);
      });
      values.forEach(function (value) {
        var option = el("option", "", value + " (" + filters[key][value] + ")"); // talks
        option.value = value;
        select.appendChild(option);
      });
      if (params.get(key)) select.value = params.get(key);
      select.closest("label").hidden = !values.length;
      any = any || values.length > 0;
    });
    this.root.querySelector(".yt2doc-filters").hidden = !any;
  };
  Search.prototype.filters = function () {
    var chosen = {};
    this.selects.forEach(function (select) {
      if (select.value) chosen[select.getAttribute("data-filter")] = select.value;
    });
    return chosen;
  };
  Search.prototype.remember = function (query, filters) {
    var url = new URL(window.location.href);
    url.search = "";
    if (query) url.searchParams.set("q", query);
    Object.keys(filters).forEach(function (k) { url.searchParams.set(k, filters[k]); });
    window.history.replaceState(window.history.state, "", url.toString());
  };
  Search.prototype.run = function () {
    if (!this.pagefind) return;
    var self = this, serial = ++this.serial;
    var query = this.input.value.trim(), filters = this.filters();
    near = Math.max(4, query.split(/\s+/).length + 2);
    this.remember(query, filters);
    if (!query && !Object.keys(filters).length) {
      this.list.replaceChildren();
      this.more.hidden = true;
      this.say("");
      return;
    }
    var asked = withoutCommon(query, common[this.bundle] || Object.create(null));
    // a query's words that one talk can say together (repeats count: "netted ... netted")
    var most = asked.query.split(/\s+/).filter(Boolean).length;
    this.pagefind.search(asked.query || null, { filters: filters }).then(function (found) {
      if (serial !== self.serial) return; // a newer query is on its way
      // every result ordered by how much of the query it says together, and how closely,
      // from the word locations Pagefind gives before any fragment is fetched (stable
      // otherwise: shards rank by their own statistics, and Pagefind not by nearness)
      self.results = most < 2 ? found.results : found.results
        .map(function (r, i) { return { r: r, i: i, near: cluster({ locations: r.words }, most) }; })
        .sort(function (a, b) {
          return b.near.score - a.near.score || a.near.span - b.near.span || a.i - b.i;
        })
        .map(function (x) { return x.r; });
      self.shown = 0;
      self.list.replaceChildren();
      var n = found.results.length;
      self.talks = {};
      var left = asked.left.length ? " (left out as too common: " + asked.left.join(", ") + ")" : "";
      self.say((n ? n + (n === 1 ? " talk" : " talks") + " found" : "Nothing found") +
        (query ? " for “" + query + "”" : "") + left);
      return self.page(serial);
    });
  };
  Search.prototype.page = function (serial) {
    var self = this;
    serial = serial || this.serial;
    var batch = this.results.slice(this.shown, this.shown + PAGE_SIZE);
    this.shown += batch.length;
    this.more.hidden = this.shown >= this.results.length;
    var base = new URL("..", this.bundle).href; // the site's root: parts are named from it
    // the results once their small fragments have come, each hit's excerpt once the part
    // of the talk it is in has come
    return Promise.all(batch.map(function (r) { return r.data(); })).then(function (all) {
      if (serial !== self.serial) return;
      var items = all.map(function (data) {
        var key = pageUrl(data.url), shown = self.talks[key];
        if (shown) {
          addHits(shown, data);
          return shown;
        }
        self.talks[key] = renderResult(data);
        self.list.appendChild(self.talks[key]);
        return self.talks[key];
      });
      return Promise.all(all.map(function (data, i) {
        if (!data.yt2doc_text) return null;
        return withText(data, base).then(function () {
          if (serial !== self.serial) return;
          var list = items[i].querySelector(".yt2doc-hits");
          if (list) list.replaceChildren();
          addHits(items[i], data);
        });
      }));
    }).then(function () {
      if (serial === self.serial) self.root.setAttribute("data-ready", String(self.serial));
    });
  };

  function attach() {
    var root = document.querySelector(".yt2doc-search[data-bundle]");
    if (root && !root.__yt2doc) {
      root.__yt2doc = true;
      new Search(root);
    }
  }

  // the theme's box comes from every page's script: loaded here where only this one is named
  // (a zensical.toml of an earlier `init` names this script in extra_javascript)
  if (!window.__yt2docSite && script) {
    var site = document.createElement("script");
    site.src = new URL("yt2doc-site.js", script).href;
    document.head.appendChild(site);
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
