"""What `render` wrote into an output folder, kept where no pull request can forge it.

The manifest in the output folder is committed with the pages, so anyone can write one that
lists a user's own file with its checksum. Only this record makes a file render's to replace
or remove: it lives in the cache folder, in a file the cache's `.gitignore` excludes, and it
names the inode of the folder it was written for, so a record committed anyway (`git add -f`)
means nothing in a fresh clone. A missing, stale or unreadable record is no record: render
then removes nothing and replaces only files that already hold what it would write.
"""

from __future__ import annotations

import errno
import hashlib
import json
import logging
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from ..cache.store import write_bytes
from ..util.json_bounds import check_depth

log = logging.getLogger("mkdocs.plugins.yt2doc")

FORMAT = 1
PATTERN = "/rendered-*.json"  # the cache's .gitignore line for records
_SHA256 = re.compile(r"[0-9a-f]{64}")
_MOST = 64 << 20


@dataclass(frozen=True)
class Record:
    """path -> sha256 of what render wrote; `pending`: what a render was writing when it
    stopped (either version of such a file is render's)."""

    files: dict[str, str] = field(default_factory=dict)
    pending: dict[str, str] = field(default_factory=dict)

    def accepts(self, path: str, digest: str) -> bool:
        return digest in (self.files.get(path), self.pending.get(path))

    def owns(self, path: str) -> bool:
        return path in self.files or path in self.pending


def record_path(cache_dir: Path, folder: str) -> Path:
    """The record of output folder `folder` (relative to the project)."""
    name = hashlib.sha256(folder.encode("utf-8")).hexdigest()[:16]
    return cache_dir / f"rendered-{name}.json"


def read_record(path: Path, folder: str, inode: int) -> Record | None:
    """The record for `folder`, or None: absent, written for another folder or another copy
    of it (a clone, a forged one), or unreadable (said in a warning naming the file)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError:
        return None
    except OSError as exc:
        why = "is a symlink" if exc.errno == errno.ELOOP else f"cannot be read ({exc.strerror})"
        _unusable(path, why)
        return None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            _unusable(path, "is not a plain file")
            return None
        raw = handle.read(_MOST + 1)
    try:
        if len(raw) > _MOST:
            raise ValueError(f"larger than {_MOST >> 20} MiB")
        text = raw.decode("utf-8")
        check_depth(text, 8)
        value = json.loads(text)
        if not isinstance(value, dict) or value.get("format") != FORMAT:
            raise ValueError(f"not a record of format {FORMAT}")
        if value.get("folder") != folder or value.get("inode") != inode:
            log.info("yt2doc: %s was written for another copy of %s; not used", path, folder)
            return None
        return Record(_table(value, "files"), _table(value, "pending"))
    except ValueError as exc:
        _unusable(path, f"is invalid: {exc}")
        return None


def _table(value: dict[str, object], key: str) -> dict[str, str]:
    entries = value.get(key, {})
    if not isinstance(entries, dict):
        raise ValueError(f"'{key}' must be a mapping")
    for path, digest in entries.items():
        if not isinstance(digest, str) or not _SHA256.fullmatch(digest):
            raise ValueError(f"'{key}': {path!r} has no valid sha256")
    return dict(entries)


def _unusable(path: Path, why: str) -> None:
    log.warning(
        "yt2doc: %s %s: render removes nothing this time, and replaces only files that hold "
        "what it would write",
        path,
        why,
    )


def write_record(path: Path, folder: str, inode: int, record: Record) -> None:
    """Atomically (OSError if it cannot be written); the cache's .gitignore excludes it."""
    value = {"format": FORMAT, "folder": folder, "inode": inode}
    value.update({"files": dict(sorted(record.files.items()))})
    if record.pending:
        value["pending"] = dict(sorted(record.pending.items()))
    _ignored(path.parent)
    write_bytes(path, (json.dumps(value, indent=1) + "\n").encode("utf-8"))


def _ignored(cache_dir: Path) -> None:
    """The record's line in the cache's .gitignore (a cache made before records had none):
    appended, never through a symlink nor into a FIFO; a warning when that cannot be done."""
    path = cache_dir / ".gitignore"
    flags = os.O_RDWR | os.O_CREAT | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags | getattr(os, "O_NONBLOCK", 0), 0o644)
    except OSError as exc:
        log.warning("yt2doc: cannot add %s to %s (%s): keep it out of commits", PATTERN, path, exc)
        return
    with os.fdopen(fd, "r+b") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            log.warning("yt2doc: %s is not a plain file: add %s to it by hand", path, PATTERN)
            return
        text = handle.read(1 << 20)
        if PATTERN.encode() in text.splitlines():
            return
        head = b"" if text.endswith(b"\n") else b"\n" if text else b"# written by mkdocs-yt2doc\n"
        handle.write(head + f"{PATTERN}\n".encode())
