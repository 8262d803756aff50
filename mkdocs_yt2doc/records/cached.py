"""`Cached`: what the cache holds for one talk, each stage file read once, and why a stage is
or is not reused. The pipeline reads it in one go and hands it down the stages, which no
longer reach back into the store file by file."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Cached:
    """A talk's stage files as read (checked against their schemas; None: absent, or set
    aside as invalid). `media.json` and `transcript.json` are the recording's."""

    key: str  # the talk's folder
    recording: str  # the recording's folder (the talk's own unless it shares one)
    files: dict[str, dict[str, Any] | None] = field(default_factory=dict)  # name -> content
    stale: dict[str, str] = field(default_factory=dict)  # name -> why it is not reused

    def drop(self, name: str, why: str) -> None:
        """The file is not reused (it is redone): say why."""
        self.files[name] = None
        self.stale[name] = why
