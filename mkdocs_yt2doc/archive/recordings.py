"""Local recordings: copied next to their talk pages, or linked where `media_base_url` says
they are published (a bucket, a release asset), and the copies' sizes against GitHub Pages'
limits (a file over 100 MB is refused by a push, a site over 1 GB by Pages)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

if TYPE_CHECKING:
    from .views import TalkView

log = logging.getLogger("mkdocs.plugins.yt2doc")

MiB = 2**20
FILE_MIB = 100  # GitHub refuses a pushed file over 100 MiB
TOTAL_MIB = 1024  # ... and Pages a published site over 1 GB


def check_recordings(
    views: Sequence[TalkView], base_url: str | None, limits: tuple[int, int]
) -> None:
    """The local recordings of the talk pages (placeholders link none): their names under
    `base_url`, or the sizes of their copies."""
    recordings = [(f"'{v.title}' ({v.slug})", v.local_path) for v in views
                  if v.local_path is not None and v.document is not None]  # fmt: skip
    if base_url:
        check_hosted(recordings, base_url)
    else:
        check_sizes(recordings, *limits)


def hosted_href(base: str, path: Path) -> str:
    """The recording's URL under `media_base_url`: the base, then its file name (encoded)."""
    return f"{base.rstrip('/')}/{quote(path.name)}"


def check_hosted(recordings: Sequence[tuple[str, Path]], base: str) -> None:
    """Two different files of one name would be one URL under `media_base_url`."""
    named: dict[str, Path] = {}
    for label, path in recordings:
        other = named.setdefault(path.name, path)
        if other.resolve() != path.resolve():
            log.warning(
                "yt2doc: %s: %s and %s are both published as %s; give one another name",
                label, other, path, hosted_href(base, path),
            )  # fmt: skip


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:  # a missing recording is said where it is read
        return 0


def check_sizes(copies: Sequence[tuple[str, Path]], file_mib: int, total_mib: int) -> None:
    """A warning for each copied recording over `file_mib`, and one when the copies come to
    more than `total_mib` (each talk's copy counts: the site holds them all)."""
    total = 0
    for label, path in copies:
        size = _size(path)
        total += size
        if size > file_mib * MiB:
            log.warning(
                "yt2doc: %s: the recording %s is %.0f MiB, over %d MiB: GitHub refuses such a "
                "file in a push (Pages). Publish the recordings elsewhere and set "
                "`media_base_url`, or raise `media_warn_file_mib`",
                label, path.name, size / MiB, file_mib,
            )  # fmt: skip
    if total > total_mib * MiB:
        log.warning(
            "yt2doc: the site holds %d local recordings, %.0f MiB in all, over %d MiB: GitHub "
            "Pages refuses a site over 1 GB. Publish the recordings elsewhere and set "
            "`media_base_url`, or raise `media_warn_total_mib`",
            len(copies), total / MiB, total_mib,
        )  # fmt: skip
