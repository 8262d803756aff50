"""Messages that say what to do: unknown options, YAML indentation (mkdocs.yml, yt2doc.yml,
talks.yml), each triggered on a real build or render and its text checked."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from mkdocs.exceptions import Abort

from mkdocs_yt2doc.cli import main
from tests.conftest import PluginLog, build_site, write_site


def _cli(*args: str) -> int:
    """The command line, in this process; its log handler (on this test's stderr) removed."""
    logger = logging.getLogger("mkdocs")
    handlers, level = list(logger.handlers), logger.level
    try:
        return main(list(args))
    finally:
        logger.setLevel(level)
        for handler in [h for h in logger.handlers if h not in handlers]:
            logger.removeHandler(handler)


def _line(path: Path, text: str) -> int:
    lines = path.read_text().splitlines()
    return next(i for i, line in enumerate(lines, 1) if text in line)


@pytest.mark.parametrize("strict", [False, True])
def test_an_unknown_plugin_option_is_an_error_with_the_closest_name(
    tmp_path: Path, plugin_log: PluginLog, strict: bool
) -> None:
    config = write_site(
        tmp_path / "p", {"talks": []}, transcibe="never", whisper={"langauge": "en"}
    )
    with pytest.raises(Abort):
        build_site(config, strict=strict)
    [error] = plugin_log.errors
    top, nested = _line(config, "transcibe:"), _line(config, "langauge:")
    assert f"mkdocs.yml:{top}: unknown option 'transcibe'; did you mean 'transcribe'?" in error
    assert (
        f"mkdocs.yml:{nested}: unknown option 'whisper.langauge'; did you mean "
        "'whisper.language'?" in error
    )
    assert not any("Unrecognised configuration name" in w for w in plugin_log.warnings)


def test_an_option_like_none_known_points_at_the_options_table(
    tmp_path: Path, plugin_log: PluginLog
) -> None:
    config = write_site(tmp_path / "p", {"talks": []}, zzzz=1)
    with pytest.raises(Abort):
        build_site(config)
    [error] = plugin_log.errors
    line = _line(config, "zzzz:")
    assert f"mkdocs.yml:{line}: unknown option 'zzzz'; see the README's options table" in error


def _render_only(folder: Path, options: str) -> Path:
    """A Zensical-style project: the options in yt2doc.yml, no mkdocs.yml."""
    (folder / "docs").mkdir(parents=True)
    (folder / "talks.yml").write_text("talks: []\n")
    (folder / "yt2doc.yml").write_text(options)
    return folder / "yt2doc.yml"


def test_an_unknown_option_in_yt2doc_yml_is_an_error_with_the_closest_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _render_only(tmp_path, "talks: talks.yml\ntranscibe: never\nllm:\n  modle: x\n")
    assert _cli("render", "-f", str(path)) == 2
    error = capsys.readouterr().err
    assert "yt2doc.yml:2: unknown option 'transcibe'; did you mean 'transcribe'?" in error
    assert "yt2doc.yml:4: unknown option 'llm.modle'; did you mean 'llm.model'?" in error
    assert not (tmp_path / "docs" / "talks").exists()


TALKS_DEEPER = "talks:\n  - url: a.wav\n    title: A\n      speakers: [B]\n"
TALKS_SHALLOWER = "talks:\n  - url: a.wav\n    title: A\n   speakers: [B]\n"
TALKS_TAB = "talks:\n  - url: a.wav\n\ttitle: A\n"
TALKS_COLON = "talks:\n  - url: a.wav\n    title: Bread: a story\n"


@pytest.mark.parametrize(
    ("talks", "message"),
    [
        (
            TALKS_DEEPER,
            "talks.yml:4: bad indentation: line 4 is indented further than line 3, so YAML "
            "reads it as the rest of that line's value; line its key up with the keys above it",
        ),
        (
            TALKS_SHALLOWER,
            "talks.yml:4: bad indentation: line 4 is indented 3 spaces, which lines up with no "
            "line above it (they are indented 0, 2, 4); indent it as the lines it belongs with",
        ),
        (TALKS_TAB, "talks.yml:3: bad indentation: a tab character; YAML indents with spaces"),
        (  # not an indentation mistake, and not called one
            TALKS_COLON,
            "talks.yml:3:17: a ': ' inside a value that has no quotes; put the value in quotes",
        ),
    ],
    ids=["deeper", "shallower", "tab", "colon"],
)
def test_talks_yml_indentation_names_the_line_to_fix(
    tmp_path: Path, plugin_log: PluginLog, talks: str, message: str
) -> None:
    config = write_site(tmp_path / "p", talks, transcribe="never")
    with pytest.raises(Abort):
        build_site(config)
    [error] = plugin_log.errors
    assert message in error
    assert "mapping values are not allowed" not in error


def test_yt2doc_yml_indentation_names_the_line_to_fix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _render_only(tmp_path, "talks: talks.yml\nwhisper:\n  model: tiny\n    language: en\n")
    assert _cli("render", "-f", str(path)) == 2
    error = capsys.readouterr().err
    assert "yt2doc.yml:4: bad indentation: line 4 is indented further than line 3" in error
