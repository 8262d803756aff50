"""The reader's side of a talk page, in a real browser (Debian's chromium, Playwright).

The site is the example site (Material, instant navigation, three local recordings with
committed transcripts) plus one YouTube talk whose cache the test writes. The network is
closed: YouTube's IFrame API is a small stand-in served from loopback, which records the
calls the page makes.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from mkdocs_yt2doc.cache.store import MEDIA, TRANSCRIPT, Store
from tests.browser import Seen, needs_chromium, serve
from tests.conftest import build_site
from tests.htmlpage import read_page
from tests.test_thumbnails import png

pytestmark = needs_chromium

EXAMPLE = Path(__file__).parent.parent / "example-site"
ARTIFACTS = Path(__file__).parent.parent / "test-artifacts"
VIDEO_ID = "Yt2DocTest1"
VIMEO_ID = "76979871"
YOUTUBE_API = "https://www.youtube.com/iframe_api"
VIMEO_API = "https://player.vimeo.com/api/player.js"
VIMEO_STAND_IN = """
window.__vimeo = { calls: [], options: null, handlers: {} };
window.Vimeo = { Player: function (element, options) {
  window.__vimeo.options = options;
  element.replaceWith(document.createElement("div"));
  this.on = function (name, handler) { window.__vimeo.handlers[name] = handler; };
  this.ready = function () { return Promise.resolve(); };
  this.setCurrentTime = function (s) { window.__vimeo.calls.push(["setCurrentTime", s]);
                                       return Promise.resolve(s); };
  this.play = function () { window.__vimeo.calls.push(["play"]); return Promise.resolve(); };
} };
"""
STAND_IN = """
window.__yt = { calls: [], time: 0, options: null };
window.YT = { Player: function (element, options) {
  var self = this;
  window.__yt.options = { host: options.host, videoId: options.videoId,
                          playerVars: options.playerVars };
  var frame = document.createElement("div");
  frame.className = "stand-in-player";
  element.replaceWith(frame);
  this.seekTo = function (s, allow) { window.__yt.calls.push(["seekTo", s, allow]);
                                      window.__yt.time = s; };
  this.playVideo = function () { window.__yt.calls.push(["playVideo"]);
    setTimeout(function () { options.events.onStateChange({ data: 1 }); }, 0); };
  this.getCurrentTime = function () { return window.__yt.time; };
  setTimeout(function () { options.events.onReady({ target: self }); }, 0);
} };
setTimeout(function () { window.onYouTubeIframeAPIReady(); }, 0);
"""


def _hosted_talks(project: Path) -> None:
    """A YouTube and a Vimeo talk, cached: their metadata and the transcript of one example
    recording (the pipeline makes paragraphs, chapters and the document in the build)."""
    talks = yaml.safe_load((project / "talks.yml").read_text())
    store = Store(project / ".yt2doc")
    transcript = next((project / ".yt2doc").glob("file-sourdough-*/transcript.json"))
    sources = {}
    for extractor, video_id, url in (
        ("youtube", VIDEO_ID, f"https://www.youtube.com/watch?v={VIDEO_ID}"),
        ("vimeo", VIMEO_ID, f"https://vimeo.com/{VIMEO_ID}"),
    ):
        title = f"Sourdough on {extractor.capitalize()}".replace("Youtube", "YouTube")
        talk: dict[str, Any] = {"url": url, "title": title}
        if extractor == "youtube":
            talk.update(speakers=["Robin Baker"], date="2026-05-01", tags=["food"])
        talks["talks"].append(talk)
        key = f"{extractor}-{video_id}"
        store.write(key, MEDIA, {
            "key": key, "url": url, "webpage_url": url, "extractor": extractor, "id": video_id,
            "title": title, "uploader": "Robin Baker", "duration": 188.0,
            "upload_date": "20260501" if extractor == "youtube" else None,
            "description": None, "chapters": [],
            "thumbnail": f"https://i.ytimg.com/vi/{video_id}/hqdefault.jpg",
        })  # fmt: skip
        shutil.copy(transcript, store.talk_dir(key) / TRANSCRIPT)
        if extractor == "youtube":  # what prefetch keeps of the source's thumbnail
            store.write_bytes(key, "thumbnail.png", png(64, 36))
        sources[url] = {"playlist": False, "entries": [{"url": url, "key": key}]}
    (project / "talks.yml").write_text(yaml.safe_dump(talks, sort_keys=False))
    store.write_sources(sources)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    project = tmp_path_factory.mktemp("player") / "example"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns("site"))
    _hosted_talks(project)
    with serve(project / "site") as local, pytest.MonkeyPatch.context() as env:
        env.setenv("YT2DOC_TRANSCRIBE", "never")  # render what is cached, as CI does
        env.setenv("SITE_URL", f"{local}/")  # Material's instant navigation needs it
        build_site(project / "mkdocs.yml", strict=True)
        (project / "site" / "stand-in-iframe-api.js").write_text(STAND_IN)
        (project / "site" / "stand-in-vimeo-api.js").write_text(VIMEO_STAND_IN)
        yield project / "site", local


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    yield page
    context.close()


def _paragraph_at(page: Any, seconds: float) -> str:
    """The id of the paragraph playing at `seconds`, read from the page's own timestamps."""
    starts = page.eval_on_selector_all(
        "p.yt2doc-p",
        "ps => ps.map(p => [p.querySelector('span[id]').id,"
        " +p.querySelector('[data-t]').dataset.t])",
    )
    return [pid for pid, start in starts if start <= seconds][-1]


def _current(page: Any) -> str | None:
    return page.evaluate("document.querySelector('.yt2doc-current > span[id]')?.id ?? null")


def _wait_metadata(page: Any) -> None:
    page.wait_for_function("document.querySelector('audio').readyState >= 1")


def test_a_timestamp_click_seeks_the_recording(site: tuple[Path, str], page: Any) -> None:
    _, local = site
    seen = Seen(page, local)
    page.goto(f"{local}/talks/small-telescopes/", wait_until="load")
    _wait_metadata(page)
    assert page.locator(".yt2doc-controls").is_visible()  # shown by the script
    link = page.locator("p.yt2doc-p a.yt2doc-t[data-t='39']")
    # works without JS (Material's instant navigation makes hrefs absolute)
    assert link.get_attribute("href").endswith("/small-telescopes/small-telescopes.opus#t=39")
    assert link.get_attribute("aria-label") == "Play from 0:39"
    link.click()
    page.wait_for_function("Math.abs(document.querySelector('audio').currentTime - 39) <= 0.5")
    assert page.url == f"{local}/talks/small-telescopes/"  # seeked, did not navigate
    assert _current(page) == "t39"
    # a chapter's timestamp in the contents list seeks too
    page.locator("nav.yt2doc-contents a.yt2doc-t[data-t='61']").click()
    page.wait_for_function("Math.abs(document.querySelector('audio').currentTime - 61) <= 0.5")
    assert seen.as_dict() == {"dialogs": [], "errors": [], "outside": []}


def test_modifier_and_middle_clicks_keep_the_link(site: tuple[Path, str], page: Any) -> None:
    _, local = site
    page.goto(f"{local}/talks/small-telescopes/", wait_until="load")
    _wait_metadata(page)
    # a listener after ours records whether the click was taken, then keeps the test page
    page.evaluate("""() => { window.__taken = [];
        window.addEventListener('click', e => { window.__taken.push(e.defaultPrevented);
                                                e.preventDefault(); }); }""")
    link = page.locator("p.yt2doc-p a.yt2doc-t[data-t='39']")
    for modifier in ("Control", "Shift", "Meta", "Alt"):
        link.click(modifiers=[modifier])
    link.dispatch_event("auxclick", {"button": 1})
    assert page.evaluate("window.__taken") == [False, False, False, False]
    assert page.evaluate("document.querySelector('audio').currentTime") == 0
    link.click()  # a plain click is ours: it seeks and goes no further
    page.wait_for_function("Math.abs(document.querySelector('audio').currentTime - 39) <= 0.5")
    assert page.evaluate("window.__taken") == [False, False, False, False]


def test_follow_along_highlights_paragraph_and_chapter(site: tuple[Path, str], page: Any) -> None:
    _, local = site
    seen = Seen(page, local)
    page.goto(f"{local}/talks/small-telescopes/", wait_until="load")
    _wait_metadata(page)
    for seconds in (5, 45, 70, 150):
        page.evaluate(f"document.querySelector('audio').currentTime = {seconds}")
        expected = _paragraph_at(page, seconds)
        page.wait_for_function(
            f"document.querySelector('.yt2doc-current > span[id]')?.id === '{expected}'"
        )
        assert page.locator(".yt2doc-current").count() == 1
    # 150 s is in the third chapter: marked in the contents and in Material's TOC
    marked = page.eval_on_selector_all(
        ".yt2doc-current-chapter", "links => links.map(a => a.getAttribute('href'))"
    )
    assert marked and all(href.endswith("#light-upward") for href in marked)
    assert page.locator(".yt2doc-contents .yt2doc-current-chapter").count() == 1
    assert page.locator(".md-nav--secondary .yt2doc-current-chapter").count() >= 1
    assert seen.errors == []


def test_follow_along_scrolls_until_the_reader_scrolls(site: tuple[Path, str], page: Any) -> None:
    _, local = site
    page.goto(f"{local}/talks/small-telescopes/", wait_until="load")
    _wait_metadata(page)
    page.evaluate("""() => { const a = document.querySelector('audio');
        Object.defineProperty(a, 'paused', { get: () => false });  // playing, for the page
        a.currentTime = 150; }""")
    target = _paragraph_at(page, 150)
    page.wait_for_function(
        f"document.querySelector('.yt2doc-current > span[id]')?.id === '{target}'"
    )
    page.wait_for_function(
        f"(() => {{ const p = document.getElementById('{target}').parentElement;"
        " const r = p.getBoundingClientRect();"
        " return r.top >= 0 && r.bottom <= innerHeight; })()"
    )
    page.mouse.wheel(0, -400)  # the reader scrolls by hand: following stops
    page.wait_for_function("!document.querySelector('.yt2doc-follow').checked")
    assert "Follow along is off" in page.locator(".yt2doc-status").inner_text()


@pytest.mark.parametrize("suffix", ["#t=70", "?t=70", "#t=1m10s"])
def test_deep_links_land_on_the_paragraph(site: tuple[Path, str], page: Any, suffix: str) -> None:
    _, local = site
    seen = Seen(page, local)
    page.goto(f"{local}/talks/small-telescopes/{suffix}", wait_until="load")
    expected = _paragraph_at(page, 70)
    page.wait_for_function(
        f"document.querySelector('.yt2doc-current > span[id]')?.id === '{expected}'"
    )
    box = page.evaluate(
        f"document.getElementById('{expected}').parentElement.getBoundingClientRect().top"
    )
    assert 0 <= box < 900  # scrolled into view
    # and the recording starts there when played
    page.wait_for_function("Math.abs(document.querySelector('audio').currentTime - 70) <= 0.5")
    assert seen.errors == []


def test_copy_link_at_this_moment(site: tuple[Path, str], page: Any) -> None:
    _, local = site
    page.goto(f"{local}/talks/small-telescopes/", wait_until="load")
    _wait_metadata(page)
    page.locator("p.yt2doc-p a.yt2doc-t[data-t='61']").click()
    page.wait_for_function("document.querySelector('audio').currentTime >= 61")
    page.evaluate("document.querySelector('audio').pause()")
    page.get_by_role("button", name="Copy link at this moment").click()
    page.wait_for_function("document.querySelector('.yt2doc-status').textContent !== ''")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith(f"{local}/talks/small-telescopes/#t=6")
    # the copied link works: it lands on the paragraph at that second
    page.goto(copied, wait_until="load")
    page.wait_for_function("document.querySelector('.yt2doc-current > span[id]')?.id === 't61'")


def test_youtube_loads_only_when_asked(site: tuple[Path, str], page: Any) -> None:
    root, local = site
    root_url = local  # the site was built with site_url = the loopback server
    seen = Seen(page, local)
    api_requests: list[str] = []

    def stand_in(route: Any) -> None:
        api_requests.append(route.request.url)
        route.fulfill(response=route.fetch(url=f"{local}/stand-in-iframe-api.js"))

    page.route(YOUTUBE_API, stand_in)
    page.goto(f"{local}/talks/sourdough-on-youtube/", wait_until="load")
    page.wait_for_timeout(500)
    name = "Play: Sourdough on YouTube (loads the YouTube player)"
    facade = page.get_by_role("button", name=name)
    assert facade.is_visible()
    # the thumbnail shows, served by the site itself
    image = page.locator(".yt2doc-facade img")
    assert image.get_attribute("src").endswith("/sourdough-on-youtube/thumbnail.png")
    assert page.evaluate("document.querySelector('.yt2doc-facade img').naturalWidth") == 64
    assert seen.outside == [] and api_requests == []  # nothing from YouTube before the click
    # a timestamp loads the player and seeks it
    page.locator("p.yt2doc-p a.yt2doc-t").nth(2).click()
    second = int(page.locator("p.yt2doc-p a.yt2doc-t").nth(2).get_attribute("data-t"))
    page.wait_for_function("window.__yt && window.__yt.calls.length >= 2")
    assert api_requests == [YOUTUBE_API]
    calls = page.evaluate("window.__yt.calls")
    assert calls[:2] == [["seekTo", second, True], ["playVideo"]]
    options = page.evaluate("window.__yt.options")
    assert options["host"] == "https://www.youtube-nocookie.com"
    assert options["videoId"] == VIDEO_ID
    # follow-along polls the player while it plays
    page.evaluate("window.__yt.time = 150")
    expected = _paragraph_at(page, 150)
    page.wait_for_function(
        f"document.querySelector('.yt2doc-current > span[id]')?.id === '{expected}'"
    )
    # the href still opens YouTube at that second for a new tab
    href = page.locator("p.yt2doc-p a.yt2doc-t").nth(2).get_attribute("href")
    assert href == f"https://www.youtube.com/watch?v={VIDEO_ID}&t={second}s"
    assert seen.errors == [] and seen.dialogs == []
    # the page also tells search engines about the video, with its chapters
    html = (root / "talks" / "sourdough-on-youtube" / "index.html").read_text()
    ld_list = json.loads(html.split('<script type="application/ld+json">')[1].split("</script>")[0])
    ld = ld_list[0]  # an array of one (see player.json_ld_html)
    assert ld["@type"] == "VideoObject" and ld["embedUrl"].endswith(f"/embed/{VIDEO_ID}")
    assert ld["uploadDate"] == "2026-05-01" and ld["duration"] == "PT3M8S"
    assert [c["@type"] for c in ld["hasPart"]] == ["Clip"] * len(ld["hasPart"]) != []
    assert ld["hasPart"][0]["url"] == f"https://www.youtube.com/watch?v={VIDEO_ID}&t=0s"
    assert ld["thumbnailUrl"] == f"{root_url}/talks/sourdough-on-youtube/thumbnail.png"


def test_vimeo_loads_only_when_asked(site: tuple[Path, str], page: Any) -> None:
    _, local = site
    seen = Seen(page, local)
    page.route(VIMEO_API, lambda route: route.fulfill(
        response=route.fetch(url=f"{local}/stand-in-vimeo-api.js")))  # fmt: skip
    page.goto(f"{local}/talks/sourdough-on-vimeo/", wait_until="load")
    page.wait_for_timeout(300)
    assert seen.outside == []
    link = page.locator("p.yt2doc-p a.yt2doc-t").nth(1)
    second = int(link.get_attribute("data-t"))
    assert link.get_attribute("href") == f"https://vimeo.com/{VIMEO_ID}#t={second}s"
    link.click()
    page.wait_for_function("window.__vimeo && window.__vimeo.calls.length >= 2")
    assert page.evaluate("window.__vimeo.calls")[:2] == [["setCurrentTime", second], ["play"]]
    options = page.evaluate("window.__vimeo.options")
    assert options == {"id": int(VIMEO_ID), "dnt": True, "autoplay": True}
    page.evaluate("window.__vimeo.handlers.timeupdate({ seconds: 150 })")
    expected = _paragraph_at(page, 150)
    page.wait_for_function(
        f"document.querySelector('.yt2doc-current > span[id]')?.id === '{expected}'"
    )
    assert seen.errors == []


def test_facade_and_timestamps_work_from_the_keyboard(site: tuple[Path, str], page: Any) -> None:
    _, local = site
    page.route(YOUTUBE_API, lambda route: route.fulfill(
        response=route.fetch(url=f"{local}/stand-in-iframe-api.js")))  # fmt: skip
    page.goto(f"{local}/talks/sourdough-on-youtube/", wait_until="load")
    page.locator(".yt2doc-facade").focus()
    page.keyboard.press("Enter")
    page.wait_for_function("window.__yt && window.__yt.calls.length >= 1")
    assert page.evaluate("window.__yt.calls[0]") == ["seekTo", 0, True]
    page.locator("p.yt2doc-p a.yt2doc-t").nth(1).focus()
    page.keyboard.press("Enter")
    second = int(page.locator("p.yt2doc-p a.yt2doc-t").nth(1).get_attribute("data-t"))
    page.wait_for_function(f"window.__yt.calls.some(c => c[0] === 'seekTo' && c[1] === {second})")


def test_instant_navigation_keeps_the_player_working(site: tuple[Path, str], page: Any) -> None:
    _, local = site
    seen = Seen(page, local)
    page.goto(f"{local}/talks/", wait_until="load")
    page.evaluate("window.__sameDocument = true")
    page.locator("article a", has_text="Small telescopes").first.click()
    page.wait_for_url(f"{local}/talks/small-telescopes/")
    page.wait_for_selector("audio")
    assert page.evaluate("window.__sameDocument") is True  # Material swapped the page in
    _wait_metadata(page)
    page.locator("p.yt2doc-p a.yt2doc-t[data-t='39']").click()
    page.wait_for_function("Math.abs(document.querySelector('audio').currentTime - 39) <= 0.5")
    assert seen.errors == []


def test_instant_navigation_brings_each_page_its_scripts(site: tuple[Path, str], page: Any) -> None:
    """An index page loads neither the player's nor the search page's script; a talk page and
    the search page swapped in by instant navigation each get theirs and work."""
    _, local = site
    seen = Seen(page, local)
    scripts: list[str] = []
    page.on(
        "request",
        lambda r: scripts.append(r.url.rsplit("/", 1)[-1]) if r.url.endswith(".js") else None,
    )
    page.goto(f"{local}/talks/", wait_until="load")
    page.evaluate("window.__sameDocument = true")
    assert "yt2doc-site.js" in scripts
    assert "yt2doc.js" not in scripts and "yt2doc-search.js" not in scripts, scripts
    page.locator(".md-nav--primary a", has_text="Search").first.click()
    page.wait_for_url(f"{local}/talks/search/")
    page.fill("#yt2doc-q", "telescope")
    page.wait_for_selector(".yt2doc-result")
    page.locator(".yt2doc-hit a").first.click()
    page.wait_for_selector("audio")
    page.wait_for_function("window.__yt2doc === true")  # the player's script, swapped in too
    assert page.evaluate("window.__sameDocument") is True  # Material swapped both pages in
    assert seen.errors == []


def test_without_javascript_timestamps_are_plain_links(
    site: tuple[Path, str], browser: Any
) -> None:
    _, local = site
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{local}/talks/small-telescopes/", wait_until="load")
    assert not page.locator(".yt2doc-controls").is_visible()  # no dead buttons
    link = page.locator("p.yt2doc-p a.yt2doc-t[data-t='39']")
    link.click()
    page.wait_for_url("**/small-telescopes.opus#t=39")  # the source, at that second
    context.close()


def test_plain_mkdocs_theme(tmp_path: Path, browser: Any) -> None:
    project = tmp_path / "example"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns("site"))
    config = project / "mkdocs.yml"
    # the theme's highlight.js comes from a CDN: off, the network is closed here
    plain = "name: mkdocs\n  highlightjs: false"
    config.write_text(config.read_text().replace("name: material", plain))
    with pytest.MonkeyPatch.context() as env:
        env.setenv("YT2DOC_TRANSCRIBE", "never")
        build_site(config, strict=True)
    page_html = project / "site" / "talks" / "small-telescopes" / "index.html"
    assert read_page(page_html).paragraphs[1].link.href == "small-telescopes.opus#t=39"
    with serve(project / "site") as local:
        page = browser.new_page()
        seen = Seen(page, local)
        page.goto(f"{local}/talks/small-telescopes/", wait_until="load")
        _wait_metadata(page)
        page.locator("a.yt2doc-t[data-t='39']").first.click()
        page.wait_for_function("Math.abs(document.querySelector('audio').currentTime - 39) <= 1")
        assert seen.as_dict() == {"dialogs": [], "errors": [], "outside": []}
        page.close()


def test_screenshots(site: tuple[Path, str], page: Any) -> None:
    """Pictures of a talk page and the index, saved in test-artifacts/ for a person to look at."""
    _, local = site
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(f"{local}/talks/small-telescopes/#t=70", wait_until="load")
    page.wait_for_selector(".yt2doc-current")
    page.evaluate("scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS / "talk-page.png"), full_page=True)
    page.goto(f"{local}/talks/", wait_until="load")
    page.screenshot(path=str(ARTIFACTS / "index-page.png"), full_page=True)
    page.goto(f"{local}/talks/sourdough-on-youtube/", wait_until="load")
    page.screenshot(path=str(ARTIFACTS / "youtube-facade.png"))
    for name in ("talk-page.png", "index-page.png", "youtube-facade.png"):
        assert (ARTIFACTS / name).stat().st_size > 10_000


def test_index_pages_by_event_speaker_and_tag(site: tuple[Path, str]) -> None:
    root, _ = site
    index = read_page(root / "talks" / "index.html")
    titles = [a.text for a in index.links if a.href.endswith("/") and "/" not in a.href[:-1]]
    # newest first: 2026-05-20 (the video), 2026-05-01 (YouTube), 2026-04-09, then the two
    # talks of 2026-03-12
    order = [t for t in titles if t in {"Rain gardens for small yards", "Sourdough on YouTube",
                                         "Small telescopes", "Sourdough at home",
                                         "Bicycles in the city"}]  # fmt: skip
    assert order == ["Rain gardens for small yards", "Sourdough on YouTube", "Small telescopes",
                     "Sourdough at home", "Bicycles in the city"]  # fmt: skip
    speakers = read_page(root / "talks" / "speakers" / "index.html")
    names = [(a.text, a.href) for a in speakers.links if a.href.endswith("/") and "." not in a.href]
    assert names == [("Alex Stargazer", "alex-stargazer/"), ("Jo Fern", "jo-fern/"),
                     ("Robin Baker", "robin-baker/"), ("Sam Rider", "sam-rider/")]  # fmt: skip
    tags = read_page(root / "talks" / "tags" / "index.html")
    assert ("food", "food/") in [(a.text, a.href) for a in tags.links]
    # a talk page's speaker links to that speaker's page
    talk = read_page(root / "talks" / "small-telescopes" / "index.html")
    assert any(a.href == "../speakers/alex-stargazer/" for a in talk.links)
    # search: with Pagefind, the archive's pages (speakers' too) are out of Material's index
    search = json.loads((root / "search" / "search_index.json").read_text())
    assert not [d for d in search["docs"] if d["location"].startswith("talks/")]


def test_downloads(site: tuple[Path, str]) -> None:
    root, _ = site
    folder = root / "talks" / "small-telescopes"
    talk = read_page(folder / "index.html")
    downloads = {a.text: a.href for a in talk.links if a.href.startswith("small-telescopes.")}
    assert {"SRT", "WebVTT", "JSON", "Text"} <= set(downloads)
    data = json.loads((folder / downloads["JSON"]).read_text())
    assert data["title"] == "Small telescopes" and data["speakers"] == ["Alex Stargazer"]
    assert [c["title"] for c in data["chapters"]] == ["Cheap telescope", "Full moon",
                                                      "Light upward"]  # fmt: skip
    vtt = (folder / downloads["WebVTT"]).read_text()
    assert vtt.startswith("WEBVTT\n") and " --> " in vtt
    chapters = (folder / "small-telescopes.chapters.vtt").read_text()
    assert "Full moon" in chapters
    text = (folder / downloads["Text"]).read_text()
    assert "[1:01] Now let us turn to the targets" in text
    srt = (folder / downloads["SRT"]).read_text()
    assert srt.startswith("1\n00:00:00,000 --> ")
    assert os.path.getsize(folder / "small-telescopes.opus") > 0


def test_theme_box_finds_speakers_and_chapters(site: tuple[Path, str], page: Any) -> None:
    """With Pagefind the archive is out of Material's own index: its box's first entry opens
    the archive's search, where a speaker's name finds their talk and a chapter title the
    talk at that chapter."""
    _, local = site
    for query, titles, chapter in (
        ("Robin Baker", {"Sourdough at home", "Sourdough on YouTube"}, ""),  # both theirs
        ("Full moon", {"Small telescopes"}, "Full moon"),
    ):
        page.goto(f"{local}/talks/", wait_until="load")
        page.locator(".md-search__input").click()
        page.keyboard.type(query)
        page.locator("a.yt2doc-fulltext").wait_for(state="visible")
        page.keyboard.press("Enter")
        page.wait_for_url("**/talks/search/?q=*")
        page.wait_for_selector(".yt2doc-result")
        page.wait_for_timeout(300)
        found = page.locator(".yt2doc-result-title").all_inner_texts()
        assert set(found[: len(titles)]) == titles, (query, found)
        first = page.locator(".yt2doc-result").first
        if chapter:
            assert chapter in first.locator(".yt2doc-hit-chapter").all_inner_texts(), query


def test_material_tags_plugin_sees_talk_tags(tmp_path: Path) -> None:
    project = tmp_path / "example"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns("site"))
    config = project / "mkdocs.yml"
    config.write_text(config.read_text().replace("  - search\n", "  - search\n  - tags\n"))
    with pytest.MonkeyPatch.context() as env:
        env.setenv("YT2DOC_TRANSCRIBE", "never")
        build_site(config, strict=True)
    html = (project / "site" / "talks" / "small-telescopes" / "index.html").read_text()
    assert 'class="md-tag' in html and ">astronomy<" in html


def test_reduced_motion_is_respected(site: tuple[Path, str], browser: Any) -> None:
    """Readers who ask for less motion get no fading highlight and no smooth scrolling."""
    _, local = site
    context = browser.new_context(reduced_motion="reduce", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{local}/talks/small-telescopes/", wait_until="load")
    _wait_metadata(page)
    duration = "getComputedStyle(document.querySelector('p.yt2doc-p')).transitionDuration"
    assert page.evaluate(duration) == "0s"
    page.evaluate("""() => { window.__smooth = [];
        const scroll = Element.prototype.scrollIntoView;
        Element.prototype.scrollIntoView = function (options) {
            window.__smooth.push(options && options.behavior); return scroll.call(this, options); };
        const a = document.querySelector('audio');
        Object.defineProperty(a, 'paused', { get: () => false });
        a.currentTime = 150; }""")
    page.wait_for_function("window.__smooth.length > 0")
    assert page.evaluate("window.__smooth") == ["auto"]
    context.close()
    normal = browser.new_page()
    normal.goto(f"{local}/talks/small-telescopes/", wait_until="load")
    assert normal.evaluate(duration) != "0s"
    normal.close()
