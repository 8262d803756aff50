/* mkdocs-yt2doc: a talk page's player, timestamp seeking, follow-along and deep links.
 *
 * Without this script every timestamp is a plain link to the source at that second. With it,
 * a plain click seeks the page's player instead (a modifier- or middle-click still follows the
 * link). YouTube and Vimeo load only when the reader asks: until then no request leaves the
 * site. Works on any theme; under Material's instant navigation it re-attaches on every page
 * through `document$`.
 *
 * Each talk page names this script itself (and `yt2doc-site.js` loads it for a talk page that
 * instant navigation swapped in); a site may also list it in extra_javascript, and Material's
 * instant navigation runs a swapped-in page's scripts again. So it sets itself up once per
 * document, however often it runs.
 */
(function () {
  "use strict";
  if (window.__yt2doc) return;
  window.__yt2doc = true;

  var YOUTUBE_API = "https://www.youtube.com/iframe_api";
  var VIMEO_API = "https://player.vimeo.com/api/player.js";
  var SCROLL_KEYS = ["PageUp", "PageDown", "ArrowUp", "ArrowDown", "Home", "End", " "];
  var current = null; // the controller of the page on screen
  var apis = {}; // third-party API scripts, each loaded once: name -> Promise

  function reducedMotion() {
    return window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  }

  function addScript(url, onError) {
    var tag = document.createElement("script");
    tag.src = url;
    tag.async = true;
    tag.onerror = onError;
    document.head.appendChild(tag);
  }

  function youtubeApi() {
    if (window.YT && window.YT.Player) return Promise.resolve(window.YT);
    if (!apis.youtube) {
      apis.youtube = new Promise(function (resolve, reject) {
        var previous = window.onYouTubeIframeAPIReady;
        window.onYouTubeIframeAPIReady = function () {
          if (typeof previous === "function") previous();
          resolve(window.YT);
        };
        addScript(YOUTUBE_API, function () {
          delete apis.youtube;
          reject(new Error("the YouTube player could not be loaded"));
        });
      });
    }
    return apis.youtube;
  }

  function vimeoApi() {
    if (window.Vimeo && window.Vimeo.Player) return Promise.resolve(window.Vimeo);
    if (!apis.vimeo) {
      apis.vimeo = new Promise(function (resolve, reject) {
        var tag = document.createElement("script");
        tag.src = VIMEO_API;
        tag.async = true;
        tag.onload = function () { resolve(window.Vimeo); };
        tag.onerror = function () {
          delete apis.vimeo;
          reject(new Error("the Vimeo player could not be loaded"));
        };
        document.head.appendChild(tag);
      });
    }
    return apis.vimeo;
  }

  /* "754", "754s", "12m34s", "1h2m3s", "12:34", "1:02:03" -> seconds, else null. */
  function parseTime(text) {
    if (text === null || text === undefined) return null;
    try { text = decodeURIComponent(String(text)).trim(); } catch (e) { return null; }
    var m = /^(\d+(?:\.\d+)?)s?$/.exec(text);
    if (m) return parseFloat(m[1]);
    m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text);
    if (m && text) return (+m[1] || 0) * 3600 + (+m[2] || 0) * 60 + (+m[3] || 0);
    m = /^(?:(\d+):)?(\d{1,2}):(\d{1,2})$/.exec(text);
    if (m) return (+m[1] || 0) * 3600 + (+m[2]) * 60 + (+m[3]);
    return null;
  }

  function deepLinkTime() {
    var hash = /^#t=([^&]+)/.exec(window.location.hash) || /^#t(\d+)$/.exec(window.location.hash);
    if (hash) return parseTime(hash[1]);
    return parseTime(new URLSearchParams(window.location.search).get("t"));
  }

  /* A short notice next to `anchor` (once per kind), in the page's flow: read out as it
   * appears, and never indexed by a search. */
  function notice(anchor, kind, text) {
    var parent = anchor.parentNode;
    if (!parent || parent.querySelector('.yt2doc-notice[data-kind="' + kind + '"]')) return;
    var element = part("p", "yt2doc-notice");
    element.setAttribute("role", "status");
    element.setAttribute("data-kind", kind);
    element.setAttribute("data-pagefind-ignore", "");
    element.setAttribute("data-search-exclude", "");
    parent.insertBefore(element, anchor.nextSibling);
    // set once in the document: a live region announces the text it is given
    setTimeout(function () { element.textContent = text; }, 0);
  }
  var NO_SEEK = "The server of this recording cannot seek (it answers no byte-range " +
    "requests): a timestamp plays it from the start.";

  /* <audio>/<video>: local recordings and direct media URLs. `onNoSeek`: the server sends
   * whole files only, so the media cannot jump (read from the element's own state, which
   * works whatever the recording's origin: no request of ours reaches its host). */
  function MediaBackend(element, onTime, onNoSeek) {
    this.element = element;
    var report = function () { onTime(element.currentTime, !element.paused); };
    ["timeupdate", "seeked", "play", "pause", "durationchange"].forEach(function (name) {
      element.addEventListener(name, report);
    });
    var self = this;
    this.onNoSeek = onNoSeek;
    element.addEventListener("loadedmetadata", function () { self.checkSeekable(0); });
    if (element.readyState >= 1) this.checkSeekable(0);
  }
  /* Whole-file servers leave a finite recording seekable only at 0 (an endless one, such as
   * a stream, is left alone). */
  MediaBackend.prototype.checkSeekable = function (wanted) {
    var element = this.element, ranges = element.seekable;
    var none = !ranges || ranges.length === 0 || ranges.end(ranges.length - 1) <= 0;
    // asked for a moment (the last asked for), got the start
    var landed = wanted > 1 && wanted === this.wanted && element.currentTime < 0.5;
    if (isFinite(element.duration) && element.duration > 1 && (none || landed)) this.onNoSeek();
  };
  MediaBackend.prototype.seek = function (seconds, play) {
    var element = this.element, self = this;
    function go() {
      element.currentTime = seconds;
      self.wanted = seconds;
      if (seconds > 1) {
        element.addEventListener("seeked", function () { self.checkSeekable(seconds); }, { once: true });
      }
      if (play) {
        var playing = element.play();
        if (playing && playing.catch) playing.catch(function () {}); // blocked autoplay: stay put
      }
    }
    if (element.readyState >= 1) go();
    else element.addEventListener("loadedmetadata", go, { once: true });
  };
  MediaBackend.prototype.cue = function (seconds) { this.seek(seconds, false); };
  MediaBackend.prototype.time = function () { return this.element.currentTime; };
  MediaBackend.prototype.started = function () {
    return this.element.currentTime > 0 || !this.element.paused;
  };
  // the element's own state: a key pressed again before its next time report still pauses
  MediaBackend.prototype.playingNow = function () { return !this.element.paused; };
  MediaBackend.prototype.pause = function () { this.element.pause(); };
  MediaBackend.prototype.play = function () { this.seek(this.element.currentTime, true); };
  MediaBackend.prototype.duration = function () {
    return isFinite(this.element.duration) ? this.element.duration : null;
  };
  MediaBackend.prototype.destroy = function () {};

  /* YouTube (youtube-nocookie.com) and Vimeo: a facade until the reader asks for the video. */
  function EmbedBackend(box, kind, id, onTime, onError) {
    this.box = box;
    this.kind = kind;
    this.id = id;
    this.onTime = onTime;
    this.onError = onError;
    this.player = null;
    this.ready = null;
    this.timer = null;
    this.startAt = 0;
    this.last = 0;
    var self = this;
    var facade = box.querySelector(".yt2doc-facade");
    if (facade) facade.addEventListener("click", function () { self.seek(self.startAt, true); });
  }
  EmbedBackend.prototype.load = function (start) {
    var self = this;
    if (this.ready) return this.ready;
    var slot = document.createElement("div");
    this.ready = (this.kind === "youtube" ? youtubeApi() : vimeoApi()).then(function (api) {
      self.box.replaceChildren(slot);
      if (self.kind === "vimeo") {
        self.player = new api.Player(slot, { id: +self.id, dnt: true, autoplay: true });
        self.player.on("timeupdate", function (data) { self.last = data.seconds; self.onTime(data.seconds, true); });
        self.player.on("pause", function (data) { self.last = data.seconds; self.onTime(data.seconds, false); });
        if (self.player.getDuration) {
          self.player.getDuration().then(function (d) { self.length = d; }, function () {});
        }
        return self.player.ready().then(function () { return self.player; });
      }
      return new Promise(function (resolve) {
        self.player = new api.Player(slot, {
          host: "https://www.youtube-nocookie.com",
          videoId: self.id,
          playerVars: {
            start: Math.floor(start), autoplay: 1, playsinline: 1, rel: 0,
            origin: window.location.origin,
            end: self.end === null ? undefined : Math.ceil(self.end),
          },
          events: {
            onReady: function () { resolve(self.player); },
            onStateChange: function (event) { self.watch(event.data === 1); },
          },
        });
      });
    });
    this.ready.catch(function (error) {
      self.ready = null;
      self.onError(error.message);
    });
    return this.ready;
  };
  EmbedBackend.prototype.watch = function (playing) {
    var self = this;
    clearInterval(this.timer);
    if (playing) this.timer = setInterval(function () { self.onTime(self.time(), true); }, 250);
    this.onTime(this.time(), playing);
  };
  EmbedBackend.prototype.seek = function (seconds, play) {
    this.startAt = seconds;
    this.load(seconds).then(function (player) {
      if (player.seekTo) {
        player.seekTo(seconds, true);
        if (play) player.playVideo();
      } else {
        player.setCurrentTime(seconds).then(function () { if (play) return player.play(); })
          .catch(function () {});
      }
    }, function () {});
  };
  EmbedBackend.prototype.cue = function (seconds) { this.startAt = seconds; };
  EmbedBackend.prototype.time = function () {
    if (this.player && this.player.getCurrentTime && this.kind === "youtube") {
      return this.player.getCurrentTime() || 0;
    }
    return this.player ? this.last : this.startAt;
  };
  EmbedBackend.prototype.started = function () { return this.player !== null; };
  EmbedBackend.prototype.pause = function () {
    if (this.player && this.player.pauseVideo) this.player.pauseVideo();
    else if (this.player && this.player.pause) this.player.pause().catch(function () {});
  };
  EmbedBackend.prototype.play = function () {
    if (!this.player) this.seek(this.startAt, true);
    else if (this.player.playVideo) this.player.playVideo();
    else if (this.player.play) this.player.play().catch(function () {});
  };
  EmbedBackend.prototype.duration = function () {
    if (this.player && this.player.getDuration && this.kind === "youtube") {
      return this.player.getDuration() || null;
    }
    return this.length || null;
  };
  EmbedBackend.prototype.destroy = function () { clearInterval(this.timer); };

  /* One talk page: paragraphs, chapters, the player and the controls. */
  function Controller(root, box) {
    var self = this;
    this.root = root;
    this.items = []; // { t, element, chapter }, in page order
    this.index = -1;
    this.playing = false;
    var chapter = null;
    this.titles = {}; // chapter id -> its heading's text (never markup: see Dock)
    root.querySelectorAll("h2[id], p.yt2doc-p").forEach(function (element) {
      if (element.tagName === "H2") { chapter = element.id; self.titles[chapter] = heading(element); return; }
      var link = element.querySelector(".yt2doc-t[data-t]");
      if (link) self.items.push({ t: +link.getAttribute("data-t"), element: element, chapter: chapter });
    });
    root.querySelectorAll("a.yt2doc-t[data-t]").forEach(function (link) {
      link.setAttribute("aria-label", "Play from " + link.textContent);
    });
    var onTime = function (seconds, playing) { self.update(seconds, playing); };
    var onError = function (message) { self.say(message + "; the timestamps still link to the source."); };
    var kind = box.getAttribute("data-yt2doc-player");
    var ref = box.getAttribute("data-ref");
    if (kind === "youtube" || kind === "vimeo") {
      this.backend = new EmbedBackend(box, kind, ref, onTime, onError);
    } else {
      this.backend = new MediaBackend(box.querySelector("audio, video"), onTime, function () {
        notice(box, "seek", NO_SEEK);
      });
    }
    // a talk cut from a longer recording: start at its start, stop at its end
    this.start = +box.getAttribute("data-start") || 0;
    this.end = box.hasAttribute("data-end") ? +box.getAttribute("data-end") : null;
    this.ended = false;
    this.backend.end = this.end;
    var controls = root.querySelector(".yt2doc-controls");
    this.controls = controls;
    this.follow = controls ? controls.querySelector(".yt2doc-follow") : null;
    this.status = controls ? controls.querySelector(".yt2doc-status") : null;
    if (controls) {
      controls.hidden = false;
      var copy = controls.querySelector(".yt2doc-copy");
      if (copy) copy.addEventListener("click", function () { self.copyLink(); });
    }
    this.dock = new Dock(this, box);
    if (!this.deepLink() && this.start) { this.backend.cue(this.start); this.update(this.start, false); }
  }
  function heading(element) { // the title alone: without the theme's permalink sign
    var copy = element.cloneNode(true);
    copy.querySelectorAll(".headerlink").forEach(function (link) { link.remove(); });
    return copy.textContent.trim();
  }
  function clock(seconds) {
    var total = Math.max(0, Math.floor(seconds)), h = Math.floor(total / 3600);
    var m = Math.floor(total / 60) % 60, s = total % 60;
    return (h ? h + ":" + (m < 10 ? "0" : "") : "") + m + ":" + (s < 10 ? "0" : "") + s;
  }
  Controller.prototype.checkEnd = function (seconds, playing) {
    if (this.end === null) return;
    var past = seconds >= this.end - 0.05, self = this;
    clearTimeout(this.endTimer);
    if (playing && !past && this.end - seconds < 1.5) { // time updates come 4 a second: be on time
      var rate = (this.backend.element && this.backend.element.playbackRate) || 1;
      this.endTimer = setTimeout(function () {
        self.checkEnd(self.backend.time(), self.playing);
      }, (this.end - seconds) * 1000 / rate);
    }
    if (past && playing && !this.ended) {
      this.ended = true;
      this.backend.pause();
      this.say("This talk ends at " + clock(this.end) + "; the recording goes on with another.");
      if (this.controls) this.controls.classList.add("yt2doc-ended");
    } else if (!past && this.ended) {
      this.ended = false;
      if (this.controls) this.controls.classList.remove("yt2doc-ended");
    }
  };
  Controller.prototype.say = function (text) {
    if (this.status) this.status.textContent = text;
  };
  Controller.prototype.following = function () {
    return this.follow ? this.follow.checked : false;
  };
  Controller.prototype.at = function (seconds) {
    var low = 0, high = this.items.length - 1, found = -1;
    while (low <= high) { // the last paragraph that starts at or before `seconds`
      var middle = (low + high) >> 1;
      if (this.items[middle].t <= seconds + 0.25) { found = middle; low = middle + 1; } else high = middle - 1;
    }
    return found;
  };
  Controller.prototype.update = function (seconds, playing) {
    this.playing = playing;
    // while it plays, the chapter playing is the contents' one mark (see yt2doc.css)
    document.documentElement.classList.toggle("yt2doc-playing", playing);
    this.checkEnd(seconds, playing);
    var index = this.at(seconds);
    var playingItem = this.items[index];
    if (this.dock) this.dock.update(seconds, playing, playingItem ? this.titles[playingItem.chapter] : "");
    if (index === this.index) return;
    var before = this.items[this.index];
    if (before) {
      before.element.classList.remove("yt2doc-current");
      before.element.removeAttribute("aria-current");
    }
    this.index = index;
    var item = this.items[index];
    if (!item) return;
    item.element.classList.add("yt2doc-current");
    item.element.setAttribute("aria-current", "true");
    if (!before || before.chapter !== item.chapter) this.markChapter(item.chapter);
    if (playing && this.following()) this.reveal(item.element);
  };
  Controller.prototype.markChapter = function (id) {
    document.querySelectorAll(".yt2doc-current-chapter").forEach(function (element) {
      element.classList.remove("yt2doc-current-chapter");
    });
    if (!id) return;
    // `$=`: Material's instant navigation makes in-page hrefs absolute
    var href = '[href$="#' + (window.CSS && CSS.escape ? CSS.escape(id) : id) + '"]';
    // Our own contents list, and Material's table of contents when there is one.
    document.querySelectorAll(".yt2doc-contents a" + href + ", .md-nav--secondary a" + href)
      .forEach(function (link) { link.classList.add("yt2doc-current-chapter"); });
  };
  Controller.prototype.reveal = function (element) {
    var box = element.getBoundingClientRect();
    if (box.top >= 80 && box.bottom <= window.innerHeight - 40) return;
    element.scrollIntoView({ block: "center", behavior: reducedMotion() ? "auto" : "smooth" });
  };
  Controller.prototype.seek = function (seconds) {
    this.backend.seek(seconds, true);
    this.update(seconds, false);
  };
  Controller.prototype.deepLink = function () {
    var seconds = deepLinkTime();
    if (seconds === null) return false;
    this.backend.cue(seconds);
    this.update(seconds, false);
    var item = this.items[this.index];
    if (item) item.element.scrollIntoView({ block: "start" });
    return true;
  };
  Controller.prototype.copyLink = function () {
    var item = this.items[this.index];
    var seconds = this.backend.started() ? this.backend.time() : item ? item.t : 0;
    var url = new URL(window.location.href);
    url.searchParams.delete("t");
    url.hash = "t=" + Math.floor(seconds);
    var text = url.toString();
    var self = this;
    var done = function () { self.say("Link copied: " + text); };
    var fallback = function () { // no clipboard API (plain http): select it for the reader
      var field = document.createElement("input");
      field.value = text;
      field.setAttribute("aria-label", "Link at this moment");
      field.readOnly = true;
      self.status.replaceChildren(field);
      field.select();
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, fallback);
    } else fallback();
  };
  Controller.prototype.stopFollowing = function () {
    if (this.follow && this.follow.checked && this.playing) {
      this.follow.checked = false;
      this.say("Follow along is off (you scrolled).");
    }
  };
  Controller.prototype.toggle = function () {
    var playing = this.backend.playingNow ? this.backend.playingNow() : this.playing;
    if (playing) this.backend.pause();
    else this.backend.play();
  };
  Controller.prototype.skip = function (delta) {
    var last = this.end !== null ? this.end : this.backend.duration();
    var seconds = Math.max(this.start, this.backend.time() + delta);
    if (last) seconds = Math.min(seconds, last);
    // the media's own state: its pause event may still be queued after a key paused it
    var playing = this.backend.playingNow ? this.backend.playingNow() : this.playing;
    if (this.backend.started()) this.backend.seek(seconds, playing);
    else this.backend.cue(seconds); // an embed not loaded yet: nothing loads before a play
    this.update(seconds, playing);
  };
  Controller.prototype.destroy = function () {
    this.backend.destroy();
    this.dock.destroy();
    document.documentElement.classList.remove("yt2doc-playing");
  };

  /* The compact player: at the bottom of the screen while the page's player is out of view.
   * Nothing in the page moves in the DOM (an embed's iframe would reload): a <video> is shown
   * in a corner by a class while a spacer keeps its place in the page. */
  var SVG = "http://www.w3.org/2000/svg";
  var ICONS = { play: "M8 5v14l11-7z", pause: "M6 5h4v14H6zm8 0h4v14h-4z", back: "M7 14l5-5 5 5z" };
  function icon(name) {
    var svg = document.createElementNS(SVG, "svg"), path = document.createElementNS(SVG, "path");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    path.setAttribute("d", ICONS[name]);
    svg.appendChild(path);
    return svg;
  }
  function part(tag, className, text) {
    var element = document.createElement(tag);
    element.className = className;
    if (text) element.textContent = text;
    return element;
  }
  function Dock(controller, box) {
    var self = this;
    this.controller = controller;
    this.box = box;
    this.video = box.querySelector("video");
    this.spacer = part("div", "yt2doc-spacer");
    box.parentNode.insertBefore(this.spacer, box); // a sibling: the player itself stays put
    var dock = this.element = part("div", "yt2doc-dock");
    dock.setAttribute("role", "region");
    dock.setAttribute("aria-label", "Compact player");
    dock.setAttribute("data-pagefind-ignore", "");
    dock.setAttribute("data-search-exclude", "");
    dock.hidden = true;
    this.play = part("button", "yt2doc-dock-play");
    this.play.type = "button";
    this.time = part("span", "yt2doc-dock-time");
    this.chapter = part("span", "yt2doc-dock-chapter");
    var back = part("button", "yt2doc-dock-back");
    back.type = "button";
    back.setAttribute("aria-label", "Back to the player");
    back.append(icon("back"), part("span", "yt2doc-dock-label", "Player"));
    dock.append(this.play, this.time, this.chapter, back);
    this.play.addEventListener("click", function () { controller.toggle(); });
    back.addEventListener("click", function () { self.back(); });
    document.body.appendChild(dock);
    this.shown = null;
    this.playing = null;
    this.update(controller.start, false, "");
    this.observe();
    window.addEventListener("resize", this.onResize = function () { self.observe(); });
  }
  Dock.prototype.observe = function () { // the part of the screen under the theme's header
    var self = this;
    if (this.observer) this.observer.disconnect();
    this.top = this.headerBottom();
    this.observer = new IntersectionObserver(function () { self.check(); }, {
      rootMargin: -this.top + "px 0px 0px 0px", threshold: [0, 0.25, 0.5, 0.75, 1],
    });
    this.observer.observe(this.box);
    this.observer.observe(this.spacer);
  };
  Dock.prototype.headerBottom = function () {
    var header = document.querySelector(".md-header");
    return header ? Math.max(0, Math.round(header.getBoundingClientRect().bottom)) : 0;
  };
  Dock.prototype.inFlow = function () { return this.pip ? this.spacer : this.box; };
  Dock.prototype.check = function () {
    var top = this.top;
    var rect = this.inFlow().getBoundingClientRect();
    var seen = Math.min(rect.bottom, window.innerHeight) - Math.max(rect.top, top);
    this.show(!(rect.height > 0 && seen >= rect.height / 2)); // half of it or more: in view
  };
  Dock.prototype.show = function (out) {
    var video = this.video;
    // a video that has started goes to the corner, playing on; one never played stays
    var pip = out && video !== null && (video.currentTime > 0 || !video.paused);
    if (pip !== !!this.pip) {
      this.spacer.style.height = pip ? this.box.offsetHeight + "px" : "";
      this.pip = pip;
      this.box.classList.toggle("yt2doc-pip", pip);
    }
    if (out === this.shown) return;
    this.shown = out;
    this.element.hidden = !out;
    document.documentElement.classList.toggle("yt2doc-docked", out);
  };
  Dock.prototype.update = function (seconds, playing, chapter) {
    if (playing !== this.playing) {
      this.playing = playing;
      this.play.replaceChildren(icon(playing ? "pause" : "play"));
      this.play.setAttribute("aria-label", playing ? "Pause" : "Play");
      if (this.video && this.shown) this.show(true); // a video started off screen: to the corner
    }
    var backend = this.controller.backend, end = this.controller.end;
    var length = end !== null ? end : backend.duration() || +this.box.getAttribute("data-duration");
    this.time.textContent = clock(seconds) + (length ? " / " + clock(length) : "");
    this.chapter.textContent = chapter || ""; // text, never markup: titles come from talks.yml
    this.chapter.hidden = !chapter;
  };
  Dock.prototype.back = function () {
    var target = this.inFlow();
    target.scrollIntoView({ block: "center", behavior: reducedMotion() ? "auto" : "smooth" });
    var focus = this.box.querySelector("audio, video, iframe, .yt2doc-facade, [tabindex]");
    if (focus) focus.focus({ preventScroll: true });
  };
  Dock.prototype.destroy = function () {
    this.observer.disconnect();
    window.removeEventListener("resize", this.onResize);
    this.element.remove();
    this.spacer.remove();
    this.box.classList.remove("yt2doc-pip");
    document.documentElement.classList.remove("yt2doc-docked");
  };

  /* Listeners for the whole document, set once: they act on the page on screen. */
  window.addEventListener("click", function (event) {
    if (!current || event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return; // new tab etc.
    var link = event.target.closest ? event.target.closest("a.yt2doc-t[data-t]") : null;
    if (!link || !current.root.contains(link)) return;
    event.preventDefault();
    event.stopPropagation(); // before Material's instant navigation sees the link
    current.seek(+link.getAttribute("data-t"));
  }, true);
  ["wheel", "touchmove"].forEach(function (name) {
    window.addEventListener(name, function () { if (current) current.stopFollowing(); }, { passive: true });
  });
  /* YouTube's keys, on a talk page: space or k plays and pauses, j and l go 10 s back and on.
   * Never while the reader types, nor with a modifier (the themes' own shortcuts use them). */
  var TYPING = "input, textarea, select, [contenteditable]:not([contenteditable=false]), " +
    "[role=textbox], [role=combobox], [role=dialog], dialog, .md-search";
  var PRESSABLE = "button, a[href], summary, label, audio, video, iframe, [role=button]";
  function shortcut(event) {
    // the element itself, also inside a shadow root (Zensical's search dialog is in one)
    var target = event.composedPath ? event.composedPath()[0] : event.target, key = event.key;
    if (!current || event.defaultPrevented || event.isComposing) return false;
    if (event.ctrlKey || event.metaKey || event.altKey || event.shiftKey) return false;
    if (key !== " " && key !== "k" && key !== "j" && key !== "l") return false;
    if (target && target.closest && target.closest(TYPING)) return false;
    var search = document.querySelector("[data-md-toggle=search]");
    if (search && search.checked) return false; // Material's search is open
    // space on a focused button or the media's own controls already does what it says
    if (key === " " && target && target.closest && target.closest(PRESSABLE)) return false;
    event.preventDefault();
    if (key === "j" || key === "l") current.skip(key === "j" ? -10 : 10);
    else current.toggle();
    return true;
  }
  window.addEventListener("keydown", function (event) {
    var target = event.target;
    if (shortcut(event)) return;
    if (!current || SCROLL_KEYS.indexOf(event.key) < 0) return;
    if (target && target.closest && target.closest("input, textarea, select, audio, video, [contenteditable]")) return;
    current.stopFollowing();
  });
  window.addEventListener("hashchange", function () { if (current) current.deepLink(); });

  function attach() {
    if (current) current.destroy();
    current = null;
    var box = document.querySelector("[data-yt2doc-player]");
    if (!box) return;
    current = new Controller(box.closest("article") || document.body, box);
  }

  /* Decided once the page is parsed: a page's own tag (deferred, or early in the body) may run
   * before Material's bundle has defined `document$`. */
  function start() {
    if (window.document$ && typeof window.document$.subscribe === "function") {
      window.document$.subscribe(attach);
    } else {
      attach();
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
