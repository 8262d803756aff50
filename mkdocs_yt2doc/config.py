"""The plugin's options, typed and documented (see the README for the full reference), and
the stages' settings made from them (the plugin and the command line read the same)."""

from __future__ import annotations

import dataclasses
import difflib
import posixpath
import re
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.base import ValidationError

from .archive.files import ArchiveOptions
from .archive.recordings import FILE_MIB, TOTAL_MIB
from .archive.search import SEARCHES
from .archive.search_index import TIMEOUT
from .archive.search_shards import SHARD_TALKS
from .cache.store import StoreError, check_cache_dir
from .pipeline.settings import PipelineSettings
from .records.errors import Yt2DocError
from .records.settings import LLMSettings, ParagraphSettings, WhisperSettings
from .sources.fetch import DEADLINE, networks
from .util.timecode import MAX_SECONDS


class _Count(c.Type[int]):
    """A whole number of at least one."""

    def __init__(self, default: int) -> None:
        super().__init__(int, default=default)

    def run_validation(self, value: object) -> int:
        number = super().run_validation(value)
        if isinstance(number, bool) or number < 1:
            raise ValidationError(f"expected a whole number of 1 or more, got {value!r}")
        return number


class Seconds(c.Type[float]):
    """A number of seconds above 0 and at most a week (an int or a float in mkdocs.yml): an
    infinite or huge timeout overflows the timers that enforce it."""

    def __init__(self, default: float) -> None:
        super().__init__((int, float), default=default)

    def run_validation(self, value: object) -> float:
        number = super().run_validation(value)
        if isinstance(number, bool) or not 0 < number <= MAX_SECONDS:
            raise ValidationError(
                f"Expected a number of seconds above 0 and at most {MAX_SECONDS} (7 days), "
                f"not {value!r}"
            )
        return float(number)


class _Networks(c.ListOfItems[str]):
    """A list of networks in CIDR form (an address alone is a network of one)."""

    def __init__(self) -> None:
        super().__init__(c.Type(str), default=[])

    def run_validation(self, value: object) -> list[str]:
        items = super().run_validation(value)
        try:
            networks(items)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None
        return items


class _BaseUrl(c.Optional[str]):
    """An http(s) URL of a folder: no query or fragment (file names are appended to it)."""

    def __init__(self) -> None:
        super().__init__(c.Type(str))

    def run_validation(self, value: object) -> str | None:
        text = super().run_validation(value)
        if text is None:
            return None
        parts, text = urlsplit(text.strip()), text.strip()
        if parts.scheme not in ("http", "https") or not parts.netloc or "?" in text or "#" in text:
            raise ValidationError(
                f"expected an http(s) URL of a folder, without ?query or #fragment, not {text!r}"
            )
        return text


class WhisperConfig(base.Config):
    backend = c.Choice(("faster-whisper", "whisper.cpp"), default="faster-whisper")
    """faster-whisper (CTranslate2: CUDA or CPU) or whisper.cpp (pywhispercpp: Metal on a Mac,
    or CPU); the README's table of backends says when to choose which."""
    model = c.Type(str, default="large-v3-turbo")
    """faster-whisper: a model name, or the path of a local CTranslate2 model folder;
    whisper.cpp: the path of a ggml model file, or a model name pywhispercpp fetches."""
    device = c.Choice(("auto", "cuda", "cpu"), default="auto")
    """auto: CUDA when CTranslate2 sees a GPU, else CPU."""
    compute_type = c.Type(str, default="auto")
    """auto: float16 on GPU, int8 on CPU; any CTranslate2 compute type can be forced."""
    language = c.Optional(c.Type(str))
    """Language of every talk (a talk's `language:` beats it); unset: detected per talk."""
    beam_size = c.Type(int, default=5)
    """Beam search width; 1 is greedy and faster."""
    vad = c.Type(bool, default=True)
    """Skip silence with Silero VAD before decoding (fewer hallucinations in pauses)."""
    prompt = c.Type(bool, default=False)
    """Prompt Whisper with the talk's title, chapter titles and description, so names are
    spelled right. Off by default: with tiny and base models it made Whisper skip sentences."""
    cpu_threads = c.Type(int, default=0)
    """CPU threads; 0: CTranslate2's default (faster-whisper), the CPU count (whisper.cpp)."""
    batch_size = c.Optional(c.Type(int))
    """Batched inference (faster-whisper's BatchedInferencePipeline); unset: 16 on GPU, 8 on
    CPU; 0 or 1: sequential decoding."""


class _SaTModel(c.Type[Any]):
    """A SaT model name or folder, or false; null is false too (not the default)."""

    def __init__(self) -> None:
        super().__init__((str, bool), default="sat-3l-sm")

    def validate(self, value: object, /) -> Any:
        # an explicit `null` reaches here as None; an absent option holds the default
        return False if value is None else self.run_validation(value)


class ParagraphsConfig(base.Config):
    sat_model = _SaTModel()
    """A wtpsplit SaT model name (sat-3l-sm, sat-12l-sm, ...) or a local model folder;
    false or null: the fallback paragrapher (sentence ends, pauses, a target length)."""
    sat_tokenizer = c.Optional(c.Type(str))
    """Tokenizer folder for a local SaT model (default: SaT's xlm-roberta-base)."""
    paragraph_threshold = c.Type(float, default=0.5)
    """SaT's newline probability above which a paragraph ends."""
    target_words = c.Type(int, default=90)
    """Fallback: a paragraph ends at the first sentence end after this many words."""


class LLMConfig(base.Config):
    model = c.Optional(c.Type(str))
    """An Ollama (or OpenAI-compatible) model name for chapters, titles and summaries;
    unset: no LLM (the offline segmenter finds chapters)."""
    host = c.Type(str, default="http://localhost:11434")
    """Where the server listens."""
    api = c.Choice(("ollama", "openai"), default="ollama")
    """ollama: the Ollama API; openai: an OpenAI-compatible chat API (vLLM, llama.cpp, ...)."""
    timeout = Seconds(default=120)
    """Seconds to wait for one reply."""
    retries = c.Type(int, default=2)
    """Attempts after the first, with backoff, before falling back to the offline segmenter."""
    context = c.Type(int, default=16384)
    """Most tokens of context to ask for (num_ctx); longer talks go in overlapping windows."""
    min_chapter_seconds = c.Type((int, float), default=60)
    """Shortest chapter the LLM or the offline segmenter may make."""
    max_chapters_per_hour = c.Type(int, default=12)
    """Most chapters per hour of talk."""


class Yt2DocConfig(base.Config):
    talks = c.Type(str)
    """Path of talks.yml, relative to mkdocs.yml (required)."""
    output_dir = c.Type(str, default="talks")
    """URL folder of the generated pages."""
    cache_dir = c.Type(str, default=".yt2doc")
    """Cache folder, relative to mkdocs.yml; meant to be committed. A folder of its own inside
    the project: not the project itself, nor the docs or site folder."""
    corrections_dir = c.Type(str, default="corrections")
    """Folder of the corrections files (`mkdocs-yt2doc correct SLUG` writes one), relative to
    mkdocs.yml; meant to be committed."""
    allow_outside_files = c.Type(bool, default=False)
    """Let talks.yml name local recordings outside the project (the folder of mkdocs.yml).
    Off: such a path is an error, since the file would be copied into the published site."""
    media_base_url = _BaseUrl()
    """Where the local recordings are published instead (a bucket, a release's assets): each
    page plays `<media_base_url>/<file name>` and no recording is copied into the site."""
    media_warn_file_mib = _Count(default=FILE_MIB)
    """A copied recording over this many MiB is named in a warning (GitHub refuses a pushed
    file over 100 MiB)."""
    media_warn_total_mib = _Count(default=TOTAL_MIB)
    """The copied recordings over this many MiB in all: a warning (Pages: 1 GB a site)."""
    transcribe = c.Choice(("auto", "never"), default="auto")
    """auto: process uncached talks during the build; never: render cached talks only (CI)."""
    refresh_playlists = c.Type(bool, default=False)
    """Re-read playlists and feeds on `auto` builds (a network request per playlist)."""
    search = c.Choice(SEARCHES, default="pagefind")
    """pagefind: a Pagefind index over the finished site (the transcripts, at the paragraph);
    material: Material's search indexes the transcripts too (its whole index in the browser)."""
    search_timeout = Seconds(default=TIMEOUT)
    """Seconds Pagefind may take to index the finished site; then it is stopped, with a
    warning naming the cause (the site is still written, without search). A healthy run over
    10,000 talk pages takes a few minutes: this bounds a hung binary."""
    search_shard_talks = c.Type(int, default=SHARD_TALKS)
    """Talks per shard of the Pagefind index: each shard is indexed alone, one after the
    other, so the build's memory is one shard's (about 1 MiB a talk); the search page merges
    them. 0: one index, however large the archive."""
    search_words_per_chapter = c.Type(int, default=0)
    """Index only about this many words of each chapter for search (Material loads the whole
    index in the browser: cap it for archives of many hundred talks); 0: all text."""
    nav_title = c.Type(str, default="Talks")
    """Title of the nav section and of the index page."""
    nav_group_size = _Count(default=50)
    """Talks listed together. With more, the navigation groups them by year (a crowded year
    by event, a crowded group in parts of this many), each year gets a page, and the index
    shows the newest this many and links every year: a page's size stops growing with the
    archive, and every talk is two clicks from the index."""
    player = c.Type(bool, default=True)
    """A player on each talk page (media element, or YouTube/Vimeo behind a click-to-load
    facade) that timestamps seek; false: timestamps only link to the source."""
    exports = c.ListOfItems(
        c.Choice(("srt", "vtt", "json", "txt")), default=["srt", "vtt", "json", "txt"]
    )
    """Transcript downloads generated next to each talk page."""
    fetch_allow_networks = _Networks()
    """Networks the project's own fetches (a `captions:` URL, the source's caption tracks,
    thumbnails) may reach besides public addresses, in CIDR form (`10.0.0.0/8`). Empty:
    loopback, private, link-local and other non-global addresses are refused, since a
    `captions:` URL in a pull request could otherwise publish what a server inside the build's
    network answers. yt-dlp's downloads and `llm.host` are not held to this."""
    fetch_timeout = Seconds(default=DEADLINE)
    """Seconds each of those fetches may take in all (redirects included), not per read."""
    transcript_from = c.ListOfItems(
        c.Choice(("captions", "auto-captions", "whisper")), default=["captions", "whisper"]
    )
    """Where a talk's text comes from, tried in order: a caption file named in talks.yml or
    the uploader's captions, the platform's automatic captions, Whisper."""
    whisper = c.SubConfig(WhisperConfig)
    paragraphs = c.SubConfig(ParagraphsConfig)
    llm = c.SubConfig(LLMConfig)


def unknown_options(
    data: Any, schema: type[base.Config] = Yt2DocConfig, prefix: str = ""
) -> list[tuple[str, str | None]]:
    """Every option `data` names that `schema` does not know, with the closest known name
    (dotted for the sections: `whisper.langauge`, `whisper.language`)."""
    known = dict(schema._schema)
    found: list[tuple[str, str | None]] = []
    for key, value in data.items() if isinstance(data, dict) else ():
        option = known.get(str(key))
        if option is None:
            close = difflib.get_close_matches(str(key), list(known), n=1, cutoff=0.6)
            found.append((prefix + str(key), prefix + close[0] if close else None))
        elif isinstance(option, c.SubConfig) and isinstance(value, dict):
            found += unknown_options(value, option.config_class, f"{prefix}{key}.")
    return found


def unknown_option_message(
    found: list[tuple[str, str | None]], where: str, text: str | None, after: str = ""
) -> str:
    """One error for the unknown options, naming the file (and line, when `text` has it:
    the first setting of the name after a line holding `after`)."""
    lines = []
    for name, close in found:
        line = _line_of(text, name.rsplit(".", 1)[-1], after) if text is not None else None
        hint = f"; did you mean '{close}'?" if close else "; see the README's options table"
        lines.append(f"{where}{f':{line}' if line else ''}: unknown option '{name}'{hint}")
    return "\n".join(lines)


def _line_of(text: str, key: str, after: str) -> int | None:
    pattern = re.compile(rf"^\s*(?:-\s+)?['\"]?{re.escape(key)}['\"]?\s*:")
    seen_plugin = False
    for number, line in enumerate(text.splitlines(), 1):
        seen_plugin = seen_plugin or after in line
        if seen_plugin and pattern.match(line):
            return number
    return None


T = TypeVar("T")
_FOLDER_NAME = re.compile(r"\w[\w.-]*")


def _settings(kind: type[T], options: Any, **overrides: Any) -> T:
    """A stage's settings from its config section: the option names are the field names."""
    names = {f.name for f in dataclasses.fields(kind)}  # type: ignore[arg-type]
    return kind(**{**{n: options[n] for n in names if n in options}, **overrides})


def settings_from_config(
    options: Yt2DocConfig, config_file: str | None, folders: dict[str, str] | None = None
) -> PipelineSettings:
    """The pipeline's settings; `folders`: the site's docs_dir and site_dir, which the cache
    must stay out of (`StoreError` if it does not)."""
    base = Path(config_file).parent if config_file else Path.cwd()
    paragraphs, llm = options.paragraphs, options.llm
    cache_dir = base / options.cache_dir
    others = {name: Path(folder) for name, folder in (folders or {}).items()}
    check_cache_dir(cache_dir, base, given=options.cache_dir, others=others)
    return PipelineSettings(
        cache_dir=cache_dir.resolve(),
        project=base.resolve(),
        allow_outside_files=options.allow_outside_files,
        corrections_dir=_corrections_dir(base, options.corrections_dir),
        transcribe="never" if options.transcribe == "never" else "auto",
        refresh_playlists=options.refresh_playlists,
        transcript_from=tuple(dict.fromkeys(options.transcript_from)),
        fetch_allow_networks=networks(options.fetch_allow_networks),
        fetch_timeout=float(options.fetch_timeout),
        whisper=_settings(WhisperSettings, options.whisper),
        # `sat_model: false` in mkdocs.yml turns SaT off
        paragraphs=_settings(ParagraphSettings, paragraphs, sat_model=paragraphs.sat_model or None),
        llm=_settings(
            LLMSettings,
            llm,
            timeout=float(llm.timeout),
            min_chapter_seconds=float(llm.min_chapter_seconds),
        ),
    )


def _corrections_dir(base: Path, given: str) -> Path:
    """Inside the project after symlinks are resolved: its files are shown on the pages."""
    folder = (base / given).resolve()
    if not folder.is_relative_to(base.resolve()):
        raise StoreError(
            f"corrections_dir {given!r} must be a folder inside the project ({base.resolve()})"
        )
    return folder


def output_folder(value: str) -> str:
    """`output_dir` as a clean relative folder; it must be a sub-folder of docs_dir. It is
    part of every URL and script path of the archive: names only, nothing a page or a theme
    could read as markup."""
    folder = posixpath.normpath(value.strip().replace("\\", "/").strip("/"))
    if folder in (".", "") or folder.startswith(".."):
        raise Yt2DocError(f"output_dir {value!r} must be a sub-folder")
    if not all(_FOLDER_NAME.fullmatch(part) for part in folder.split("/")):
        raise Yt2DocError(
            f"output_dir {value!r} must be folder names of letters, digits, '_', '-' and '.' "
            "(not first), separated by '/'"
        )
    return folder


def archive_options(
    options: Yt2DocConfig,
    *,
    output_dir: str,
    site_url: str | None,
    use_directory_urls: bool,
    attr_list: bool,
) -> ArchiveOptions:
    return ArchiveOptions(
        output_dir=output_dir,
        player=options.player,
        exports=tuple(options.exports),
        search_words_per_chapter=options.search_words_per_chapter,
        nav_title=options.nav_title,
        nav_group_size=options.nav_group_size,
        site_url=site_url or None,
        use_directory_urls=use_directory_urls,
        attr_list=attr_list,
        search=options.search,
        media_base_url=options.media_base_url,
        media_warn_mib=(options.media_warn_file_mib, options.media_warn_total_mib),
    )
