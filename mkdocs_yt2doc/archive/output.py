"""The archive's files written into a folder of the site, with a manifest of what was written.

The folder lives in the user's docs_dir, beside their own files, so the manifest
(`.yt2doc-manifest.json`: each file's path and sha256) is what makes a file ours: a re-render
adds, updates and removes exactly those, and stops before writing anything when a file it
would replace or remove is not what it wrote. An unchanged archive changes no byte. The
manifest is read as untrusted input: a path in it never reaches outside the folder, and no
symlink is followed.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ..cache.store import write_bytes
from ..records.errors import Yt2DocError
from .files import ArchiveFile, file_sha256

MANIFEST = ".yt2doc-manifest.json"
FORMAT = 1  # of the manifest; another one is refused, never guessed at
_SHA256 = re.compile(r"[0-9a-f]{64}")


class OutputError(Yt2DocError):
    """The archive cannot be written there; nothing was written."""


@dataclass(frozen=True)
class Manifest:
    """What a render wrote: path -> sha256. `pending`: what a render was writing when it
    stopped (its files are ours in either version)."""

    files: dict[str, str] = field(default_factory=dict)
    pending: dict[str, str] = field(default_factory=dict)

    def accepts(self, path: str, digest: str) -> bool:
        return digest in (self.files.get(path), self.pending.get(path))

    def owns(self, path: str) -> bool:
        return path in self.files or path in self.pending


def manifest_bytes(generator: str, files: dict[str, str], pending: dict[str, str]) -> bytes:
    """Stable: sorted, one file a line, no timestamps."""
    value: dict[str, object] = {"format": FORMAT, "generator": generator}
    value["files"] = [{"path": p, "sha256": files[p]} for p in sorted(files)]
    if pending:
        value["pending"] = [{"path": p, "sha256": pending[p]} for p in sorted(pending)]
    lines = json.dumps(value, indent=1, sort_keys=True, ensure_ascii=False)
    return (lines + "\n").encode("utf-8")


def safe_path(path: object) -> str | None:
    """A relative posix path inside the folder, or None: no `..`, `.`, empty part, absolute
    path, backslash, control character, or the manifest itself."""
    if not isinstance(path, str) or not path or len(path) > 1024 or "\\" in path:
        return None
    if any(ord(ch) < 32 for ch in path) or path.startswith("/"):
        return None
    parts = path.split("/")
    if any(part in ("", ".", "..") for part in parts) or path == MANIFEST:
        return None
    return path


def read_manifest(folder: Path) -> Manifest:
    """The folder's manifest; empty when there is none. `OutputError` for anything else than
    a manifest of this format (hand-edited, older, a symlink)."""
    path = folder / MANIFEST
    name = shown(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError:
        return Manifest()
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise OutputError(f"{name} is a symlink; render follows none") from None
        raise OutputError(f"cannot read {name}: {exc.strerror or exc}") from None
    with os.fdopen(fd, "rb") as handle:
        raw = handle.read(64 << 20)
    advice = "move it away (and the files it lists), then render again"
    try:
        value = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise OutputError(f"{name} is not valid JSON ({exc}); {advice}") from None
    if not isinstance(value, dict) or value.get("format") != FORMAT:
        found = value.get("format") if isinstance(value, dict) else None
        raise OutputError(
            f"{name} has format {found!r}, this version of mkdocs-yt2doc writes {FORMAT}; {advice}"
        )
    tables = []
    for key in ("files", "pending"):
        entries = value.get(key, [])
        if not isinstance(entries, list):
            raise OutputError(f"{name}: '{key}' must be a list; {advice}")
        table: dict[str, str] = {}
        for number, entry in enumerate(entries, 1):
            where = f"{name}: {key} entry {number}"
            if not isinstance(entry, dict) or set(entry) != {"path", "sha256"}:
                raise OutputError(f"{where} must have just a path and a sha256; {advice}")
            path_value, digest = safe_path(entry["path"]), entry["sha256"]
            if path_value is None:
                raise OutputError(f"{where} has an unsafe path {entry['path']!r}; {advice}")
            if not isinstance(digest, str) or not _SHA256.fullmatch(digest):
                raise OutputError(f"{where} has no valid sha256; {advice}")
            if path_value in table:
                raise OutputError(f"{where} lists {path_value} twice; {advice}")
            table[path_value] = digest
        tables.append(table)
    return Manifest(*tables)


def shown(path: Path) -> str:
    """A path as messages show it: relative to the working folder when inside it."""
    with contextlib.suppress(ValueError):
        return str(path.relative_to(Path.cwd()))
    return str(path)


@dataclass
class Plan:
    write: list[ArchiveFile]
    remove: list[str]
    unchanged: int
    digests: dict[str, str]  # every file of the new archive


def plan(folder: Path, files: Sequence[ArchiveFile], manifest: Manifest) -> Plan:
    """What to write and remove; `OutputError` naming the first file that is not ours."""
    wanted: dict[str, ArchiveFile] = {}
    for file in files:
        if safe_path(file.path) != file.path or file.path in wanted:
            raise OutputError(f"the archive has an unsafe or repeated path {file.path!r}")
        wanted[file.path] = file
    result = Plan([], [], 0, {})
    for path, file in wanted.items():
        digest = file.sha256()
        result.digests[path] = digest
        current = _current(folder, path)
        if current == digest:
            if not manifest.owns(path):
                raise _not_ours(folder, path)
            result.unchanged += 1
            continue
        if current is not None and not manifest.accepts(path, current):
            raise _not_ours(folder, path, manifest.owns(path))
        result.write.append(file)
    for path in sorted(set(manifest.files) | set(manifest.pending)):
        if path in wanted:
            continue
        current = _current(folder, path)
        if current is None:
            continue  # already gone
        if not manifest.accepts(path, current):
            raise _not_ours(folder, path, True)
        result.remove.append(path)
    return result


def _not_ours(folder: Path, path: str, listed: bool = False) -> OutputError:
    where = shown(folder / path)
    if listed:
        why = "was changed after render wrote it"
    else:
        why = f"is not a file render wrote (not in {MANIFEST})"
    return OutputError(
        f"{where} {why}: render replaces or removes only its own files; move it away "
        "or choose another output folder (nothing was written)"
    )


def _current(folder: Path, path: str) -> str | None:
    """The sha256 of the file at `path` under `folder`, None when there is none; `OutputError`
    if the way there or the file is a symlink or not a plain file/folder (never followed)."""
    here = folder
    parts = PurePosixPath(path).parts
    for index, part in enumerate(parts):
        here = here / part
        try:
            info = here.lstat()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise OutputError(f"cannot read {shown(here)}: {exc.strerror or exc}") from None
        last = index == len(parts) - 1
        if stat.S_ISLNK(info.st_mode):
            raise OutputError(f"{shown(here)} is a symlink; render follows none (move it away)")
        if not last and not stat.S_ISDIR(info.st_mode):
            raise _not_ours(folder, "/".join(parts[: index + 1]))
        if last and not stat.S_ISREG(info.st_mode):
            raise _not_ours(folder, path)
    return file_sha256(here)


@contextlib.contextmanager
def locked(folder: Path) -> Iterator[None]:
    """Hold the output folder for this render (an advisory lock on the folder itself: no
    lock file among the user's files); a second render stops at once with a message."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError as exc:
        raise OutputError(f"cannot open {shown(folder)}: {exc.strerror or exc}") from None
    try:
        lock_now(fd, f"another render is writing {shown(folder)}; wait for it to finish")
        yield
    finally:
        os.close(fd)


def lock_now(fd: int, busy: str) -> None:
    """An exclusive advisory lock on `fd` at once, else OutputError(busy). Windows has no
    flock: nothing is serialised there."""
    try:
        import fcntl
    except ImportError:
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise OutputError(busy) from None


def check_writable(folder: Path) -> None:
    """Fail early (before any transcription) when the folder cannot be written. access(2)
    answers for root too on a read-only mount, and writes nothing (a re-render that has
    nothing to do touches nothing, not even the folder's modification time)."""
    if os.access(folder, os.W_OK | os.X_OK):
        return
    read_only = bool(os.statvfs(folder).f_flag & getattr(os, "ST_RDONLY", 1))
    why = "it is on a read-only file system" if read_only else "permission denied"
    raise OutputError(
        f"cannot write in {shown(folder)}: {why}; make it writable (nothing was written)"
    )


def apply(folder: Path, work: Plan, generator: str, manifest: Manifest) -> bool:
    """Write and remove as planned; False when there was nothing to do. The manifest first
    lists the files being written as pending, so a render stopped halfway leaves only files
    the next one knows as its own."""
    final = manifest_bytes(generator, work.digests, {})
    manifest_path = folder / MANIFEST
    with contextlib.suppress(OSError):
        if not work.write and not work.remove and manifest_path.read_bytes() == final:
            return False
    pending = {f.path: work.digests[f.path] for f in work.write}
    try:
        if work.write:
            write_bytes(manifest_path, manifest_bytes(generator, manifest.files, pending))
        for file in work.write:
            target = folder / file.path
            if file.content is not None:
                write_bytes(target, file.data())
            else:
                assert file.source is not None
                _copy(file.source, target)
        for path in work.remove:
            (folder / path).unlink(missing_ok=True)
            _prune(folder, (folder / path).parent)
        write_bytes(manifest_path, final)
    except OSError as exc:
        raise OutputError(
            f"cannot write in {shown(folder)}: {exc.strerror or exc}; what was written is "
            f"listed in {MANIFEST}, render again when it can be written"
        ) from None
    return True


def _copy(source: Path, target: Path) -> None:
    """Copy atomically without reading a long recording into memory (as store.write_bytes)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        os.chmod(tmp, 0o644)
        with os.fdopen(fd, "wb") as out, open(source, "rb") as data:
            shutil.copyfileobj(data, out, 1 << 20)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _prune(folder: Path, here: Path) -> None:
    """Remove folders left empty inside the output folder (rmdir removes nothing else)."""
    while here != folder and folder in here.parents:
        try:
            here.rmdir()
        except OSError:
            return
        here = here.parent
