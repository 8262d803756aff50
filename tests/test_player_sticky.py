"""The compact player that stays in view, in Debian's chromium: a long audio talk, a long video
talk and the YouTube talk of tests/test_player.py, built by MkDocs + Material (light and slate),
ProperDocs and Zensical (render output). The long recordings are silence the test encodes with
PyAV; their transcript is the example's, three times over, under hostile chapter titles."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import yaml
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from mkdocs_yt2doc.cache.store import MEDIA, TRANSCRIPT, Store
from mkdocs_yt2doc.sources.ytdlp import media_key
from tests.browser import Seen, _Quiet, needs_chromium, serve
from tests.conftest import build_site
from tests.test_generators import _zensical_toml
from tests.test_player import YOUTUBE_API
from tests.test_render import _project

pytestmark = needs_chromium

SHOTS = Path("/tmp/shots-player")
COPIES = 3  # the example transcript, three times: a page several screens long
HOSTILE = [
    '<img src=x onerror="window.__xss=1">Opening',
    "Moons & <b>planets</b> {{ page }}",
    '</script><script>window.__xss=2</script> "Light" pollution',
]
GENERATORS = ["material", "slate", "properdocs", "zensical"]
# YouTube's API, standing in: it makes a real <iframe> (a loopback page) as the real one does
FRAME_STAND_IN = """
window.__yt = { calls: [], time: 0, state: 2 };
window.YT = { Player: function (element, options) {
  var self = this, frame = document.createElement("iframe");
  frame.src = location.origin + "/stand-in-frame.html";
  frame.title = "Stand-in player";
  element.replaceWith(frame);
  function state(s) { window.__yt.state = s; options.events.onStateChange({ data: s }); }
  this.seekTo = function (s) { window.__yt.calls.push(["seekTo", s]); window.__yt.time = s; };
  this.playVideo = function () { window.__yt.calls.push(["playVideo"]); setTimeout(state, 0, 1); };
  this.pauseVideo = function () { window.__yt.calls.push(["pauseVideo"]);
                                  setTimeout(state, 0, 2); };
  this.getCurrentTime = function () { return window.__yt.time; };
  this.getDuration = function () { return 188; };
  setTimeout(function () { options.events.onReady({ target: self }); }, 0);
} };
setTimeout(function () { window.onYouTubeIframeAPIReady(); }, 0);
"""


class _Ranges(_Quiet):
    """tests/browser.py's handler, answering range requests as web servers do: Chromium seeks a
    WebM only when the server can send a part of it."""

    def send_head(self) -> Any:
        match = re.fullmatch(r"bytes=(\d+)-(\d*)", self.headers.get("Range", ""))
        path = Path(self.translate_path(self.path))
        if not match or not path.is_file():
            return super().send_head()
        size = path.stat().st_size
        first, last = int(match[1]), min(int(match[2] or size - 1), size - 1)
        if first >= size:
            self.send_error(416)
            return None
        self.send_response(206)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Range", f"bytes {first}-{last}/{size}")
        self.send_header("Content-Length", str(last - first + 1))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        with path.open("rb") as file:
            file.seek(first)
            return io.BytesIO(file.read(last - first + 1))


def _silence(path: Path, seconds: int, video: bool) -> None:
    """A long recording of silence (Opus), or a tiny dark video of it (VP8), with PyAV."""
    av = pytest.importorskip("av")
    with av.open(str(path), "w", format="webm" if video else "ogg") as out:
        if video:
            stream = out.add_stream("libvpx", rate=1)
            stream.width, stream.height, stream.pix_fmt = 64, 36, "yuv420p"
            frame = av.VideoFrame(64, 36, "yuv420p")
            for plane, value in zip(frame.planes, (16, 128, 128), strict=True):  # black
                plane.update(bytes([value]) * plane.buffer_size)
            for second in range(seconds):
                frame.pts, frame.time_base = second, Fraction(1)
                out.mux(stream.encode(frame))
            out.mux(stream.encode(None))
            return
        stream = out.add_stream("libopus", rate=48000, layout="mono")
        for second in range(seconds):
            chunk = av.AudioFrame(format="s16", layout="mono", samples=48000)
            chunk.planes[0].update(bytes(96000))
            chunk.sample_rate, chunk.pts, chunk.time_base = (
                48000,
                second * 48000,
                Fraction(1, 48000),
            )
            out.mux(stream.encode(chunk))
        out.mux(stream.encode(None))


def _long_talks(project: Path) -> None:
    """Two long talks on local files (audio, video), cached: the example's transcript three times
    over, and chapters from talks.yml whose titles are markup."""
    source = json.loads(next((project / ".yt2doc").glob("file-small-telescopes-*/" + TRANSCRIPT))
                        .read_text())  # fmt: skip
    span = source["duration"]
    segments = []
    for copy in range(COPIES):
        for segment in source["segments"]:
            shifted = dict(segment, start=segment["start"] + copy * span,
                           end=segment["end"] + copy * span)  # fmt: skip
            shifted["words"] = [dict(w, start=w["start"] + copy * span, end=w["end"] + copy * span)
                                for w in segment["words"]]  # fmt: skip
            segments.append(shifted)
    seconds = int(span * COPIES) + 2
    talks = yaml.safe_load((project / "talks.yml").read_text())
    store = Store(project / ".yt2doc")
    for stem, video in (("long-talk", False), ("long-video", True)):
        url = f"media/{stem}.{'webm' if video else 'opus'}"
        _silence(project / url, seconds, video)
        talks["talks"].append({
            "url": url, "title": stem.replace("-", " ").capitalize(),
            "speakers": ["Alex Stargazer"], "date": "2026-04-10",
            "chapters": [{"start": f"{int(copy * span) // 60}:{int(copy * span) % 60:02d}",
                          "title": title} for copy, title in enumerate(HOSTILE)],
        })  # fmt: skip
        key = media_key("file", stem, url)
        store.write(key, MEDIA, {
            "key": key, "url": url, "webpage_url": url, "extractor": "file", "id": Path(url).name,
            "title": stem, "uploader": None, "duration": float(seconds), "upload_date": None,
            "description": None, "chapters": [], "thumbnail": None,
        })  # fmt: skip
        store.write(key, TRANSCRIPT, {**source, "duration": span * COPIES, "segments": segments})
    (project / "talks.yml").write_text(yaml.safe_dump(talks, sort_keys=False))


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """generator -> the base URL of the site it built, all served by one loopback server."""
    project = _project(tmp_path_factory.mktemp("sticky"))
    _long_talks(project)
    with serve(project, _Ranges) as local, pytest.MonkeyPatch.context() as env:
        env.setenv("YT2DOC_TRANSCRIBE", "never")
        env.setenv("NO_MKDOCS_2_WARNING", "1")
        env.setenv("SITE_URL", f"{local}/site-plugin/")  # instant navigation needs it
        build_site(project / "plugin.yml", strict=True)
        plugin = (project / "plugin.yml").read_text()
        (project / "slate.yml").write_text(  # Material's dark scheme
            plugin.replace("site-plugin", "site-slate").replace(
                "  name: material\n", "  name: material\n  palette:\n    scheme: slate\n"
            )
        )
        env.setenv("SITE_URL", f"{local}/site-slate/")
        build_site(project / "slate.yml", strict=True)
        bases = {"material": f"{local}/site-plugin", "slate": f"{local}/site-slate"}
        if shutil.which("properdocs") or _importable("properdocs"):
            (project / "properdocs.yml").write_text(
                plugin.replace("site-plugin", "site-properdocs").replace(
                    "site_url: !ENV SITE_URL", f"site_url: {local}/site-properdocs/"
                )
            )
            _run(project, "-m", "properdocs", "build", "-f", "properdocs.yml")
            bases["properdocs"] = f"{local}/site-properdocs"
        if _importable("zensical"):
            _zensical_toml(project, f"{local}/site-zensical/")
            _run(project, "-m", "mkdocs_yt2doc.cli", "render", "-f", "zensical.toml")
            _run(project, "-m", "zensical", "build", "-f", "zensical.toml")
            bases["zensical"] = f"{local}/site-zensical"
        for base in bases.values():
            folder = project / base.rsplit("/", 1)[1]
            (folder / "stand-in-iframe-api.js").write_text(FRAME_STAND_IN)
        (project / "stand-in-frame.html").write_text("<!doctype html><title>frame</title>")
        yield bases


def _importable(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


def _run(project: Path, *command: str) -> None:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "YT2DOC_TRANSCRIBE": "never"}
    result = subprocess.run([sys.executable, *command], cwd=project, capture_output=True,
                            text=True, env=env, timeout=300)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def _open(browser: Any, sites: dict[str, str], generator: str, path: str, *,
          mobile: bool = False, reduced: bool = False) -> tuple[Any, Seen]:  # fmt: skip
    if generator not in sites:
        pytest.skip(f"{generator} is not installed")
    size = {"width": 390, "height": 844} if mobile else {"width": 1280, "height": 900}
    context = browser.new_context(viewport=size, reduced_motion="reduce" if reduced else None)
    page = context.new_page()
    seen = Seen(page, sites[generator].rsplit("/", 1)[0])
    page.route(YOUTUBE_API, lambda route: route.fulfill(
        body=FRAME_STAND_IN, content_type="text/javascript"))  # fmt: skip
    page.goto(f"{sites[generator]}/{path}", wait_until="load")
    return page, seen


def _in_view(page: Any, selector: str, wait: float = 2000) -> bool:
    """Inside the viewport, and on top there (nothing covers its middle), within `wait` ms
    (the dock slides in)."""
    try:
        page.wait_for_function(IN_VIEW, arg=selector, timeout=wait)
    except PlaywrightTimeout:
        return False
    return True


IN_VIEW = """s => { const e = document.querySelector(s);
        if (!e) return false; const r = e.getBoundingClientRect();
        if (!(r.width > 0 && r.top >= 0 && r.bottom <= innerHeight && r.left >= 0
              && r.right <= innerWidth)) return false;
        const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
        return hit !== null && (hit === e || e.contains(hit)); }"""


# the element with the focus, also inside a shadow root (Zensical's search dialog)
DEEP_FOCUS = ("(() => { let a = document.activeElement;"
              " while (a && a.shadowRoot && a.shadowRoot.activeElement)"
              " a = a.shadowRoot.activeElement; return a; })()")  # fmt: skip
MEDIA_TIME = "document.querySelector('audio, video').currentTime"


@pytest.mark.parametrize("generator", GENERATORS)
def test_a_timestamp_at_the_end_keeps_a_play_control_in_view(
    sites: dict[str, str], browser: Any, generator: str
) -> None:
    page, seen = _open(browser, sites, generator, "talks/long-talk/")
    page.wait_for_function("document.querySelector('audio').readyState >= 1")
    assert page.locator(".yt2doc-dock").is_hidden()  # the full player is in view
    page.evaluate("scrollTo(0, document.documentElement.scrollHeight)")
    link = page.locator("p.yt2doc-p a.yt2doc-t").last
    second = int(link.get_attribute("data-t"))
    assert second > 2 * 188  # the last copy of the transcript
    link.click()
    page.wait_for_function(f"Math.abs({MEDIA_TIME} - {second}) <= 1")
    page.wait_for_selector(".yt2doc-dock:not([hidden])")
    assert _in_view(page, ".yt2doc-dock-play")
    page.wait_for_function("!document.querySelector('audio').paused")
    play = page.locator(".yt2doc-dock-play")
    assert play.get_attribute("aria-label") == "Pause"
    # the chapter playing, by its title as text
    assert page.locator(".yt2doc-dock-chapter").text_content() == HOSTILE[2]
    assert re.fullmatch(r"\d+:\d\d / 9:2\d", page.locator(".yt2doc-dock-time").inner_text())
    play.click()
    page.wait_for_function("document.querySelector('audio').paused")
    # (the label follows the media's own pause event, a moment after `paused`)
    page.wait_for_function(
        "document.querySelector('.yt2doc-dock-play').getAttribute('aria-label') === 'Play'"
    )
    # back to the full player: the dock goes, the player is in view and has the focus
    page.get_by_role("button", name="Back to the player").click()
    page.wait_for_selector(".yt2doc-dock", state="hidden")
    assert _in_view(page, "audio")
    assert page.evaluate("document.activeElement.tagName") == "AUDIO"
    assert seen.as_dict() == {"dialogs": [], "errors": [], "outside": []}
    page.context.close()


# every form on Material, one form on each other generator
DEEP_LINKS = [("material", s) for s in ("#t=300", "#t300", "?t=300")] + [
    (g, "#t=300") for g in GENERATORS if g != "material"
]


@pytest.mark.parametrize(("generator", "suffix"), DEEP_LINKS)
def test_a_deep_link_lands_with_a_visible_play_control(
    sites: dict[str, str], browser: Any, generator: str, suffix: str
) -> None:
    page, seen = _open(browser, sites, generator, f"talks/long-talk/{suffix}")
    page.wait_for_function(f"Math.abs({MEDIA_TIME} - 300) <= 1")
    page.wait_for_selector(".yt2doc-dock:not([hidden])")
    assert _in_view(page, ".yt2doc-dock-play")
    assert page.locator(".yt2doc-dock-time").inner_text().startswith("5:00")
    page.locator(".yt2doc-dock-play").click()  # plays from there
    page.wait_for_function("!document.querySelector('audio').paused")
    assert abs(page.evaluate(MEDIA_TIME) - 300) <= 1.5
    assert seen.errors == [] and seen.dialogs == []
    page.context.close()


def test_a_paragraph_anchor_cues_its_second(sites: dict[str, str], browser: Any) -> None:
    page, _ = _open(browser, sites, "material", "talks/long-talk/")
    second = int(page.locator("p.yt2doc-p a.yt2doc-t").nth(8).get_attribute("data-t"))
    page.goto(f"{sites['material']}/talks/long-talk/#t{second}", wait_until="load")
    page.wait_for_function(f"Math.abs({MEDIA_TIME} - {second}) <= 1")
    assert _in_view(page, ".yt2doc-dock-play")
    page.context.close()


@pytest.mark.parametrize("generator", ["material", "zensical"])
def test_keyboard_shortcuts(sites: dict[str, str], browser: Any, generator: str) -> None:
    page, seen = _open(browser, sites, generator, "talks/long-talk/#t=100")
    page.wait_for_function(f"Math.abs({MEDIA_TIME} - 100) <= 1")
    page.locator("h1").click()  # focus in the page, on no control
    page.keyboard.press("k")
    page.wait_for_function("!document.querySelector('audio').paused")
    page.keyboard.press("k")
    page.wait_for_function("document.querySelector('audio').paused")
    start = page.evaluate(MEDIA_TIME)
    page.keyboard.press("l")
    page.wait_for_function(f"Math.abs({MEDIA_TIME} - {start + 10}) <= 0.5")
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.wait_for_function(f"Math.abs({MEDIA_TIME} - {start - 10}) <= 0.5")
    scroll = page.evaluate("scrollY")
    page.keyboard.press(" ")
    page.wait_for_function("!document.querySelector('audio').paused")
    assert page.evaluate("scrollY") == scroll  # the space bar played, did not scroll
    page.keyboard.press(" ")
    page.wait_for_function("document.querySelector('audio').paused")
    # the themes' own key still opens their search, and typing there is typing
    page.keyboard.press("/" if generator == "material" else "Control+k")
    box = ".md-search__input" if generator == "material" else "dialog input, .md-search input"
    page.wait_for_selector(box, state="visible")
    page.wait_for_function(DEEP_FOCUS + ".tagName === 'INPUT'")
    before = page.evaluate(MEDIA_TIME)
    page.keyboard.type("jkl l")
    assert page.evaluate(DEEP_FOCUS + ".value") == "jkl l"
    page.wait_for_timeout(300)
    assert page.evaluate("document.querySelector('audio').paused") is True
    assert abs(page.evaluate(MEDIA_TIME) - before) < 0.01
    assert seen.errors == []
    page.context.close()


def test_keys_stay_with_the_theme_off_talk_pages_and_in_fields(
    sites: dict[str, str], browser: Any
) -> None:
    page, _ = _open(browser, sites, "material", "talks/")
    page.keyboard.press("s")  # Material's shortcut, on a page with no player
    page.wait_for_function("document.querySelector('[data-md-toggle=search]').checked")
    page.goto(f"{sites['material']}/talks/long-talk/", wait_until="load")
    page.keyboard.press("f")  # and on a talk page
    page.wait_for_function("document.querySelector('[data-md-toggle=search]').checked")
    page.keyboard.press("Escape")
    page.locator(".yt2doc-follow").focus()
    page.keyboard.press(" ")  # a focused checkbox toggles; the recording stays put
    assert page.evaluate("document.querySelector('.yt2doc-follow').checked") is False
    assert page.evaluate("document.querySelector('audio').paused") is True
    page.context.close()


@pytest.mark.parametrize("generator", ["material", "zensical"])
def test_a_video_plays_on_in_a_corner(sites: dict[str, str], browser: Any, generator: str) -> None:
    page, seen = _open(browser, sites, generator, "talks/long-video/")
    page.wait_for_function("document.querySelector('video').readyState >= 1")
    page.evaluate("window.__video = document.querySelector('video')")
    height = page.evaluate("document.documentElement.scrollHeight")
    link = page.locator("p.yt2doc-p a.yt2doc-t").nth(3)
    link.click()
    page.wait_for_function(f"Math.abs({MEDIA_TIME} - {link.get_attribute('data-t')}) <= 1")
    page.wait_for_function("!document.querySelector('video').paused")
    page.evaluate("scrollTo(0, document.documentElement.scrollHeight / 2)")
    page.wait_for_selector(".yt2doc-player.yt2doc-pip")
    assert _in_view(page, "video") and _in_view(page, ".yt2doc-dock-play")
    assert page.evaluate("window.__video === document.querySelector('.yt2doc-player video')")
    assert page.evaluate("!document.querySelector('video').paused")  # playback went on
    # the page keeps its length: a spacer holds the player's place
    assert abs(page.evaluate("document.documentElement.scrollHeight") - height) < 80
    page.get_by_role("button", name="Back to the player").click()
    page.wait_for_selector(".yt2doc-player.yt2doc-pip", state="detached")
    page.wait_for_selector(".yt2doc-dock", state="hidden")
    assert page.evaluate("window.__video === document.querySelector('.yt2doc-player video')")
    assert seen.errors == []
    page.context.close()


@pytest.mark.parametrize("generator", ["material", "properdocs"])
def test_an_embed_is_driven_and_never_moved(
    sites: dict[str, str], browser: Any, generator: str
) -> None:
    page, seen = _open(browser, sites, generator, "talks/sourdough-on-youtube/")
    page.locator(".yt2doc-facade").click()
    page.wait_for_selector(".yt2doc-player iframe")
    page.wait_for_function("window.__yt.state === 1")
    page.evaluate("""() => { const f = document.querySelector('.yt2doc-player iframe');
        window.__frame = f; window.__src = f.src; window.__parent = f.parentElement; }""")
    page.evaluate("window.__yt.time = 150")
    page.evaluate("scrollTo(0, document.documentElement.scrollHeight)")
    page.wait_for_selector(".yt2doc-dock:not([hidden])")
    assert _in_view(page, ".yt2doc-dock-play")
    page.wait_for_function(
        "document.querySelector('.yt2doc-dock-time').textContent.startsWith('2:30 / 3:0')"
    )
    page.locator(".yt2doc-dock-play").click()
    page.wait_for_function("window.__yt.state === 2")
    page.keyboard.press("l")
    page.wait_for_function("window.__yt.calls.some(c => c[0] === 'seekTo' && c[1] === 160)")
    page.locator(".yt2doc-dock-play").click()
    page.wait_for_function("window.__yt.state === 1")
    assert page.evaluate("""() => { const f = document.querySelector('.yt2doc-player iframe');
        return f === window.__frame && f.src === window.__src && f.isConnected
               && f.parentElement === window.__parent; }""")
    assert page.evaluate("window.__yt.calls.filter(c => c[0] === 'pauseVideo').length") == 1
    assert seen.errors == [] and [url for url in seen.outside if url != YOUTUBE_API] == []
    page.context.close()


def test_an_embed_loads_nothing_before_a_play(sites: dict[str, str], browser: Any) -> None:
    page, seen = _open(browser, sites, "material", "talks/sourdough-on-youtube/#t=60")
    page.wait_for_selector(".yt2doc-dock:not([hidden])")
    page.keyboard.press("l")  # cues 70 s, loads nothing
    page.wait_for_function("document.querySelector('.yt2doc-dock-time').textContent"
                           ".startsWith('1:10')")  # fmt: skip
    assert page.locator(".yt2doc-player iframe").count() == 0 and seen.outside == []  # no API
    page.locator(".yt2doc-dock-play").click()
    page.wait_for_function("window.__yt && window.__yt.calls.length >= 2")
    assert page.evaluate("window.__yt.calls[0]") == ["seekTo", 70]
    page.context.close()


@pytest.mark.parametrize("generator", GENERATORS)
def test_hostile_chapter_titles_stay_inert(
    sites: dict[str, str], browser: Any, generator: str
) -> None:
    page, seen = _open(browser, sites, generator, "talks/long-talk/#t=200")
    page.wait_for_selector(".yt2doc-dock:not([hidden])")
    for copy, title in enumerate(HOSTILE):
        page.evaluate(f"document.querySelector('audio').currentTime = {copy * 188 + 30}")
        page.wait_for_function(
            f"document.querySelector('.yt2doc-dock-chapter').textContent === {json.dumps(title)}"
        )
    assert (
        page.evaluate(
            "[...document.querySelectorAll('.yt2doc-dock *')].map(e => e.tagName.toLowerCase())"
            ".filter(t => !['button', 'span', 'svg', 'path'].includes(t))"
        )
        == []
    )
    assert page.evaluate("window.__xss") is None and seen.dialogs == [] and seen.errors == []
    page.context.close()


# the links of the theme's contents on screen marked as where you are: in the link colour or
# the accent colour, on a background, or bold (a link above the place is grey: not a mark)
MARKED = """() => { const nav = document.querySelector('.md-sidebar--secondary .md-nav--secondary')
    || document.querySelector('.md-nav--secondary');
  const probe = v => { const s = document.createElement('span'); s.style.color = v;
    nav.appendChild(s); const c = getComputedStyle(s).color; s.remove(); return c; };
  const marks = [probe('var(--md-typeset-a-color)'), probe('var(--md-accent-fg-color)')];
  return [...nav.querySelectorAll('a')].filter(a => a.checkVisibility()).filter(a => {
    const s = getComputedStyle(a);
    return marks.includes(s.color) || s.backgroundColor !== 'rgba(0, 0, 0, 0)'
      || +s.fontWeight >= 500; }).map(a => a.getAttribute('href')); }"""


@pytest.mark.parametrize("generator", ["material", "zensical"])
def test_one_mark_of_where_you_are_in_the_contents(
    sites: dict[str, str], browser: Any, generator: str
) -> None:
    page, _ = _open(browser, sites, generator, "talks/long-talk/")
    page.wait_for_function("document.querySelector('audio').readyState >= 1")
    page.mouse.move(640, 5)  # no hover on the contents
    headings = page.eval_on_selector_all("article h2[id]", "hs => hs.map(h => h.id)")
    assert len(headings) == 3
    page.evaluate(f"document.getElementById('{headings[2]}').scrollIntoView()")
    page.wait_for_timeout(400)  # the theme's scroll spy
    marked = page.evaluate(MARKED)
    assert len(marked) == 1 and marked[0].endswith(f"#{headings[2]}")  # the theme's
    # playing in the first chapter while the page shows the third: one mark, the chapter playing
    page.evaluate("document.querySelector('audio').currentTime = 20")
    page.evaluate("document.querySelector('audio').play()")
    page.wait_for_function("!document.querySelector('audio').paused")
    page.wait_for_timeout(300)
    marked = page.evaluate(MARKED)
    assert len(marked) == 1 and marked[0].endswith(f"#{headings[0]}"), marked
    page.evaluate("document.querySelector('audio').pause()")
    page.wait_for_timeout(300)
    marked = page.evaluate(MARKED)
    assert len(marked) == 1 and marked[0].endswith(f"#{headings[2]}"), marked
    page.context.close()


def _luminance(rgb: tuple[float, ...]) -> float:
    channels = [c / 255 for c in rgb[:3]]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def _rgba(text: str) -> tuple[float, ...]:
    values = [float(v) for v in re.findall(r"[\d.]+", text)]
    return (*values[:3], values[3] if len(values) > 3 else 1.0)


def _contrast(fg: str, bg: str) -> float:
    front, back = _rgba(fg), _rgba(bg)
    alpha = front[3]
    mixed = tuple(front[i] * alpha + back[i] * (1 - alpha) for i in range(3))
    lighter, darker = sorted((_luminance(mixed), _luminance(back)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@pytest.mark.parametrize("generator", GENERATORS)
def test_the_dock_reads_well_and_stays_out_of_the_way(
    sites: dict[str, str], browser: Any, generator: str
) -> None:
    page, _ = _open(browser, sites, generator, "talks/long-talk/#t=200", mobile=True,
                    reduced=True)  # fmt: skip
    page.wait_for_selector(".yt2doc-dock:not([hidden])")
    styles = page.evaluate("""() => [...document.querySelectorAll(
        '.yt2doc-dock, .yt2doc-dock-time, .yt2doc-dock-chapter, .yt2doc-dock button')].map(e => {
        const s = getComputedStyle(e), own = s.backgroundColor;
        const back = own !== 'rgba(0, 0, 0, 0)' ? own
            : getComputedStyle(document.querySelector('.yt2doc-dock')).backgroundColor;
        return [e.className, s.color, back]; })""")
    for name, fg, bg in styles:
        assert _contrast(fg, bg) >= 4.5, (generator, name, fg, bg)
    assert page.evaluate("getComputedStyle(document.querySelector('.yt2doc-dock'))"
                         ".animationName") == "none"  # fmt: skip
    # the footer scrolls clear of the dock
    page.evaluate("scrollTo(0, document.documentElement.scrollHeight)")
    page.wait_for_timeout(200)
    footer = page.evaluate("document.querySelector('.md-footer, footer').getBoundingClientRect()"
                           ".bottom")  # fmt: skip
    dock = page.evaluate("document.querySelector('.yt2doc-dock').getBoundingClientRect().top")
    assert footer <= dock + 1
    # the mobile drawer opens over it
    page.locator("label.md-header__button[for='__drawer']").click()
    page.wait_for_timeout(400)
    assert not _in_view(page, ".yt2doc-dock-play", wait=300)
    page.context.close()


@pytest.mark.parametrize("generator", ["material", "slate", "zensical"])
def test_screenshots(sites: dict[str, str], browser: Any, generator: str) -> None:
    """A talk page mid-scroll with the compact player, desktop and mobile, for a person."""
    SHOTS.mkdir(exist_ok=True)
    for mobile in (False, True):
        talk = "long-video" if mobile else "long-talk"
        page, _ = _open(browser, sites, generator, f"talks/{talk}/", mobile=mobile)
        page.wait_for_function("document.querySelector('audio, video').readyState >= 1")
        link = page.locator("p.yt2doc-p a.yt2doc-t").nth(2)
        link.click()
        page.wait_for_function(f"{MEDIA_TIME} >= {link.get_attribute('data-t')}")
        page.evaluate("document.querySelector('audio, video').pause()")
        page.evaluate("scrollTo(0, document.documentElement.scrollHeight * 0.45)")
        page.wait_for_selector(".yt2doc-dock:not([hidden])")
        page.wait_for_timeout(400)
        path = SHOTS / f"{generator}-{'mobile' if mobile else 'desktop'}.png"
        page.screenshot(path=str(path))
        assert path.stat().st_size > 10_000
        page.context.close()


@pytest.mark.parametrize("generator", ["material", "slate", "zensical"])
def test_axe_finds_nothing_serious_in_the_dock(
    sites: dict[str, str], browser: Any, generator: str
) -> None:
    axe = pytest.importorskip("axe_playwright_python.sync_playwright")
    page, _ = _open(browser, sites, generator, "talks/long-talk/#t=200", reduced=True)
    page.wait_for_selector(".yt2doc-dock:not([hidden])")
    found = axe.Axe().run(page, context={"include": [[".yt2doc-dock"]]}).response
    serious = [(v["id"], [n["target"] for n in v["nodes"]]) for v in found["violations"]
               if v["impact"] in ("serious", "critical")]  # fmt: skip
    assert serious == []
    assert found["passes"]  # axe did look at the dock
    page.context.close()


def test_instant_navigation_takes_the_dock_away(sites: dict[str, str], browser: Any) -> None:
    page, seen = _open(browser, sites, "material", "talks/long-talk/#t=200")
    page.wait_for_selector(".yt2doc-dock:not([hidden])")
    page.evaluate("window.__sameDocument = true")
    page.locator(".md-nav--primary a", has_text="By speaker").first.click()
    page.wait_for_url("**/talks/speakers/")
    page.wait_for_selector('article [id="alex-stargazer"]', state="attached")
    assert page.evaluate("window.__sameDocument") is True  # swapped in by Material
    page.wait_for_selector(".yt2doc-dock", state="detached", timeout=3000)
    assert page.evaluate("document.documentElement.className").count("yt2doc-") == 0
    page.go_back()
    page.wait_for_selector(".yt2doc-player audio")
    page.evaluate("scrollTo(0, document.documentElement.scrollHeight)")
    page.wait_for_selector(".yt2doc-dock:not([hidden])")
    assert page.locator(".yt2doc-dock").count() == 1
    assert seen.errors == []
    page.context.close()
