"""The words a talk is spelled with: a glossary that real Whisper hears (espeak-ng speech with
names), and replacements that fix a cached talk at once, with no model, on the page, in the
captions and in the downloads."""

from __future__ import annotations

import html
import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from mkdocs_yt2doc.catalog.load import load_catalog
from mkdocs_yt2doc.util.glossary import HOTWORD_TOKENS, Replacer, hotwords
from tests.conftest import PluginLog, build_site, fragments, write_site
from tests.htmlpage import read_page
from tests.test_cli import cli, status_table

EXAMPLE = Path(__file__).parent.parent / "example-site"
NAMES = "I want to thank my collaborators, Oriol Vinyals and Quoc Le, and Ilya Sutskever."
GLOSSARY = ["Oriol Vinyals", "Quoc Le", "Ilya Sutskever"]


def test_replacements_keep_the_case_that_says_something() -> None:
    replacer = Replacer((("oriel vinyals", "Oriol Vinyals"), ("gpu", "GPU"), ("colour", "color"),
                         ("pie torch", "PyTorch"), ("pie", "cake")))  # fmt: skip
    assert replacer.text("thanks to oriel\nvinyals on the gpu") == (
        "thanks to Oriol Vinyals on the GPU"  # a phrase across a line break
    )
    assert replacer.text("Colour, COLOUR, colour; colours") == "Color, COLOR, color; colours"
    assert replacer.text("Pie torch beats pie.") == "PyTorch beats cake."  # the longest first
    assert replacer.text("pies and apple pie") == "pies and apple cake"  # whole words only


@pytest.mark.reliability("input", 6)
def test_bad_glossary_and_replace_entries_warn_with_their_line(
    tmp_path: Path, plugin_log: PluginLog
) -> None:
    (tmp_path / "talks.yml").write_text(
        "defaults:\n  glossary: PyTorch\n"  # not a list
        "talks:\n"
        "  - url: https://example.org/a\n"
        "    glossary: [Quoc Le, [nested], '']\n"
        "    replace:\n"
        "      '': nothing\n"
        "      kwok lee: Quoc Le\n"
        "      evil: <b>bold</b>\n"
        "      link: '[x](javascript:1)'\n"
    )
    [talk] = load_catalog(tmp_path / "talks.yml").talks
    assert talk.glossary == ("Quoc Le",)
    assert talk.replace == (("kwok lee", "Quoc Le"),)
    said = "\n".join(plugin_log.warnings)
    assert "talks.yml:2: 'glossary' must be a list of terms" in said
    assert "talks.yml:5: glossary term ['nested'] is left out" in said
    assert "talks.yml:5: glossary term '' is left out" in said
    assert "talks.yml:7: replace '' -> 'nothing' has an empty key" in said
    assert "talks.yml:9: replace 'evil' -> '<b>bold</b>' contains HTML or Markdown" in said
    assert "talks.yml:10: replace 'link' -> '[x](javascript:1)' contains HTML or Markdown" in said


def test_defaults_and_talks_merge(tmp_path: Path) -> None:
    (tmp_path / "talks.yml").write_text(
        "defaults:\n  glossary: [PyTorch, CUDA]\n  replace: {pie torch: PyTorch, cooda: CUDA}\n"
        "talks:\n  - url: https://example.org/a\n    glossary: [Quoc Le, CUDA]\n"
        "    replace: {Cooda: CUDA toolkit}\n  - https://example.org/b\n"
    )
    first, second = load_catalog(tmp_path / "talks.yml").talks
    assert first.glossary == ("PyTorch", "CUDA", "Quoc Le")
    assert dict(first.replace) == {"pie torch": "PyTorch", "Cooda": "CUDA toolkit"}
    assert second.glossary == ("PyTorch", "CUDA") and len(second.replace) == 2


def test_hotwords_are_whole_terms_within_the_window() -> None:
    terms = [f"Term{n} Name{n}" for n in range(200)]
    sent, left_out = hotwords(terms, lambda text: len(text.split()))  # a word a token
    assert len(sent.split()) <= HOTWORD_TOKENS
    assert sent.split(", ") + left_out == terms  # in order, none cut in half


def test_replacements_fix_a_cached_talk_without_a_model(tmp_path: Path) -> None:
    project = tmp_path / "example"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns("site"))
    talks = yaml.safe_load((project / "talks.yml").read_text())
    bicycles = next(t for t in talks["talks"] if t["title"] == "Bicycles in the city")
    bicycles["replace"] = {"painted light": "painted line", "bike lanes": "cycle lanes"}
    (project / "talks.yml").write_text(yaml.safe_dump(talks, sort_keys=False))

    def cached() -> dict[Path, bytes]:  # what the repository holds (not the lock file)
        return {p: p.read_bytes() for p in (project / ".yt2doc").rglob("*.*")
                if p.is_file() and not p.name.startswith(".")}  # fmt: skip

    cache = cached()
    config = project / "mkdocs.yml"
    config.write_text(config.read_text().replace("site_url: !ENV SITE_URL\n", ""))
    with pytest.MonkeyPatch.context() as env:
        env.setenv("YT2DOC_TRANSCRIBE", "never")  # no model: the cache as committed
        build_site(config, strict=True)
    folder = project / "site" / "talks" / "bicycles-in-the-city"
    page = read_page(folder / "index.html")
    text = " ".join(p.text for p in page.paragraphs)
    assert "A painted line on the road" in text and "painted light" not in text
    assert "cycle lanes" in text and "bike lanes" not in text
    assert "painted line" in (folder / "bicycles-in-the-city.vtt").read_text()
    assert "painted light" not in (folder / "bicycles-in-the-city.srt").read_text()
    exported = json.loads((folder / "bicycles-in-the-city.json").read_text())
    assert "painted line" in json.dumps(exported)
    search: dict[str, str] = {}  # Pagefind's records, joined per page
    for record in fragments(project / "site"):
        page = record["url"].split("#")[0]
        search[page] = search.get(page, "") + " " + record["content"]
    assert "painted line" in search["/talks/bicycles-in-the-city/"]
    assert "painted light" not in search["/talks/bicycles-in-the-city/"]
    other = read_page(project / "site" / "talks" / "small-telescopes" / "index.html")
    assert other.paragraphs  # other talks are as they were
    assert cached() == cache


@pytest.fixture(scope="module")
def spoken_names(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (make test installs it)")
    wav = tmp_path_factory.mktemp("names") / "names.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(wav), NAMES], check=True)
    return wav


def test_whisper_hears_the_glossary(spoken_names: Path, tmp_path: Path, whisper_model: str) -> None:
    project = tmp_path / "p"
    (project / "media").mkdir(parents=True)
    shutil.copy(spoken_names, project / "media" / "names.wav")
    talks: dict[str, object] = {"talks": [{"url": "media/names.wav", "title": "Thanks"}]}
    whisper = {"model": whisper_model, "beam_size": 1}

    def page_text() -> str:
        page = read_page(project / "site" / "talks" / "thanks" / "index.html")
        return html.unescape(" ".join(p.text for p in page.paragraphs))

    build_site(write_site(project, talks, whisper=whisper))
    without = page_text()
    assert not any(name in without for name in GLOSSARY)  # tiny.en mishears every name
    talks["defaults"] = {"glossary": GLOSSARY}
    write_site(project, talks, whisper=whisper)
    status = cli("status", cwd=project)
    assert status_table(status.stdout) == {"thanks": "other settings"}
    assert "transcribed without the current glossary" in status.stdout
    assert cli("prefetch", "--refresh", cwd=project).returncode == 0
    build_site(project / "mkdocs.yml")
    heard = page_text()
    assert all(name in heard for name in GLOSSARY), heard
    transcript = json.loads(next((project / ".yt2doc").glob("file-*/transcript.json")).read_text())
    assert transcript["settings"]["glossary"] == GLOSSARY  # part of what produced it
    assert status_table(cli("status", cwd=project).stdout) == {"thanks": "cached"}
