"""The archive's files written into a folder of the site, with a manifest of what was written.

The folder lives in the user's docs_dir, beside their own files. The manifest in it
(`.yt2doc-manifest.json`: each file's path and sha256) says the folder is render output, for
the plugin and for readers; it is committed, so it makes no file render's. That is the record
in the cache (`render_record.py`): a re-render adds, updates and removes the files it holds,
and stops before writing anything when a file it would replace or remove is not what it
wrote. Without a record, nothing is removed or replaced, and each file left is named. An
unchanged archive changes no byte. The manifest is read as untrusted input: a path in it never
reaches outside the folder, and no symlink is followed.
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
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ..cache.store import write_bytes
from ..records.errors import Yt2DocError
from ..util.json_bounds import check_depth
from .files import ArchiveFile, file_sha256
from .render_record import Record

MANIFEST = ".yt2doc-manifest.json"
FORMAT = 1  # of the manifest; another one is refused, never guessed at
_SHA256 = re.compile(r"[0-9a-f]{64}")


class OutputError(Yt2DocError):
    """The archive cannot be written there; nothing was written."""


@dataclass(frozen=True)
class Manifest:
    """What the folder's manifest lists: path -> sha256 (`pending`: written by an earlier
    version while a render ran). Read to check it, and to name what it lists; never trusted."""

    files: dict[str, str] = field(default_factory=dict)
    pending: dict[str, str] = field(default_factory=dict)


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
        text = raw.decode("utf-8")
        check_depth(text)  # before json.loads, which recurses once per level
        value = json.loads(text)
    except (UnicodeDecodeError, ValueError) as exc:
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
    digests: dict[str, str]  # render's files in the folder once it is done: the new record
    left: list[str] = field(default_factory=list)  # not render's to replace or remove


def plan(
    folder: Path, files: Sequence[ArchiveFile], record: Record | None, listed: Manifest
) -> Plan:
    """What to write and remove. Only `record` (None: there is none) makes a file render's:
    with one, `OutputError` names the first file in the way that is not; without one, such
    files are left (`Plan.left`), and so is every file `listed` (the manifest) names."""
    wanted: dict[str, ArchiveFile] = {}
    for file in files:
        if safe_path(file.path) != file.path or file.path in wanted:
            raise OutputError(f"the archive has an unsafe or repeated path {file.path!r}")
        wanted[file.path] = file
    result = Plan([], [], 0, {})
    for path, file in wanted.items():
        digest = file.sha256()
        current = _current(folder, path)
        if current == digest:  # what render would write: nothing is lost in claiming it
            result.unchanged += 1
            result.digests[path] = digest
        elif current is None or (record is not None and record.accepts(path, current)):
            result.write.append(file)
            result.digests[path] = digest
        elif record is not None:
            raise _not_ours(folder, path, record.owns(path))
        else:
            result.left.append(path)
    owned = set(record.files) | set(record.pending) if record is not None else set()
    owned = {path for path in owned if safe_path(path) == path}  # never outside the folder
    for path in sorted((owned | set(listed.files) | set(listed.pending)) - set(wanted)):
        if path in owned:
            current = _current(folder, path)
            if current is None:
                continue  # already gone
            assert record is not None
            if not record.accepts(path, current):
                raise _not_ours(folder, path, True)
            result.remove.append(path)
            continue
        try:  # named in the manifest only: never read, never removed
            there = _current(folder, path, read=False) is not None
        except OutputError:
            there = True
        if there:
            result.left.append(path)
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


def _current(folder: Path, path: str, read: bool = True) -> str | None:
    """The sha256 of the file at `path` under `folder` (without `read`: "" for a file), None
    when there is none; `OutputError` if the way there or the file is a symlink or not a
    plain file/folder (never followed)."""
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
    return file_sha256(here) if read else ""


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


def apply(
    folder: Path,
    work: Plan,
    generator: str,
    record: Record | None,
    save: Callable[[Record], None],
) -> bool:
    """Write and remove as planned; False when there was nothing to do. `save` keeps the
    record (OutputError when it cannot): first with the files being written as pending, so
    a render stopped halfway leaves only files the next one knows as its own."""
    final = manifest_bytes(generator, work.digests, {})
    manifest_path = folder / MANIFEST
    done = Record(dict(work.digests))
    with contextlib.suppress(OSError):
        if (
            not (work.write or work.remove)
            and record == done
            and manifest_path.read_bytes() == final
        ):
            return False
    pending = {f.path: work.digests[f.path] for f in work.write}
    kept = {p: d for p, d in work.digests.items() if p not in pending}
    save(Record({**(record.files if record else {}), **kept}, pending))
    try:
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
        with contextlib.suppress(OSError):
            if manifest_path.read_bytes() == final:
                final = b""
        if final:
            write_bytes(manifest_path, final)
    except OSError as exc:
        raise OutputError(
            f"cannot write in {shown(folder)}: {exc.strerror or exc}; render's record in the "
            "cache lists what was written: render again when it can be written"
        ) from None
    save(done)
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
