"""`PipelineSettings`: everything a run is told, from mkdocs.yml or the command line."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from ..catalog.load import load_catalog
from ..records.settings import LLMSettings, ParagraphSettings, WhisperSettings
from ..records.talk import Catalog
from ..sources.fetch import DEADLINE, Network

Transcribe = Literal["auto", "never"]  # auto: process what is missing; never: render the cache
Refresh = Literal["all", "structure"]  # redo from the audio on, or paragraphs and chapters only


@dataclass(frozen=True)
class PipelineSettings:
    cache_dir: Path
    transcribe: Transcribe = "auto"
    whisper: WhisperSettings = field(default_factory=WhisperSettings)
    paragraphs: ParagraphSettings = field(default_factory=ParagraphSettings)
    llm: LLMSettings = field(default_factory=LLMSettings)
    refresh_playlists: bool = False
    read_only: bool = False  # report only (status): write nothing, fetch nothing
    project: Path | None = None  # the folder of mkdocs.yml: local recordings lie inside it
    allow_outside_files: bool = False  # ... unless this says otherwise
    corrections_dir: Path | None = None  # corrections/<slug>.md files, written by people
    # where a talk's text comes from, tried in order: captions, auto-captions, whisper
    transcript_from: tuple[str, ...] = ("captions", "whisper")
    # the project's own fetches (captions, thumbnails): networks let in besides global ones,
    # and the deadline of each whole fetch
    fetch_allow_networks: tuple[Network, ...] = ()
    fetch_timeout: float = DEADLINE

    may_process: bool = field(init=False, repr=False)  # transcribe: auto, and not read-only

    def __post_init__(self) -> None:
        object.__setattr__(self, "may_process", self.transcribe == "auto" and not self.read_only)

    def load_catalog(self, path: Path, name: str | None = None) -> Catalog:
        """talks.yml, its local recordings held to the project."""
        return load_catalog(
            path, name, project=self.project, allow_outside_files=self.allow_outside_files
        )
