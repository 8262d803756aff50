"""`mkdocs-yt2doc build [-f CONFIG]`: a Zensical site in one command, search included.

It runs `render`, then `zensical build` on a configuration of its own: the user's, plus the
archive's navigation (`nav`, which Zensical otherwise makes from the folder: alphabetical,
slugs for titles, each talk a folder), written to `.yt2doc-build.toml` (or `.yml`) beside
it; then Pagefind's index of the built site. The user's zensical.toml and mkdocs.yml are only
read. (Zensical wants the configuration in the project's folder: docs_dir and site_dir must
lie inside the folder of the file it reads.)
"""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, TextIO

import yaml

from ..archive.search_index import SearchIndexError
from ..archive.search_shards import build_index
from ..config import output_folder
from ..publish import NAV_FILE, OPTIONS_FILE, load_site, render
from ..records.errors import Yt2DocError

log = logging.getLogger("mkdocs.plugins.yt2doc")
BUILD_CONFIG = ".yt2doc-build"  # + the suffix of the user's file; init's .gitignore has it
ZENSICAL_TIMEOUT = 3600.0  # a bound for a hung build, not a budget


def site_config(given: str | None) -> Path:
    """The file Zensical reads: zensical.toml or mkdocs.yml (given, or the first here); for
    a yt2doc.yml, the one beside it."""
    if given is None:
        found = [n for n in ("zensical.toml", "mkdocs.yml") if Path(n).is_file()]
        if not found:
            raise Yt2DocError("no zensical.toml or mkdocs.yml here: name one with -f")
        return Path(found[0])
    path = Path(given)
    if path.name == OPTIONS_FILE:
        for name in ("zensical.toml", "mkdocs.yml"):
            if (path.parent / name).is_file():
                return path.parent / name
        raise Yt2DocError(f"no zensical.toml or mkdocs.yml beside {given}")
    if not path.is_file():
        raise Yt2DocError(f"{given} does not exist")
    return path


def _toml_value(value: Any, where: str) -> str:
    """TOML for a value read from TOML or YAML: JSON's strings and numbers are TOML's."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v, where) for v in value) + "]"
    if isinstance(value, dict):
        pairs = (f"{json.dumps(str(k))} = {_toml_value(v, where)}" for k, v in value.items())
        return "{" + ", ".join(pairs) + "}"
    raise Yt2DocError(f"{where}: cannot carry a {type(value).__name__} value over ({value!r})")


def _mentions(nav: Any, folder: str) -> bool:
    """The nav already lists a page of the archive (the user pasted .yt2doc-nav.yml)."""
    if isinstance(nav, str):
        return nav.replace("\\", "/").lstrip("./").startswith(folder + "/")
    if isinstance(nav, dict):
        return any(_mentions(v, folder) for v in nav.values())
    if isinstance(nav, list):
        return any(_mentions(v, folder) for v in nav)
    return False


def _pages(docs: Path, top: Path, skip: Path) -> list[Any]:
    """The site's own pages in `docs` as Zensical's automatic navigation lists them (index
    first, then by name; a folder as a section), without the archive's folder."""
    entries: list[Any] = []
    names = sorted(os.listdir(docs), key=lambda n: (n not in ("index.md", "README.md"), n))
    for name in names:
        path = docs / name
        if name.startswith(".") or path == skip:
            continue
        if path.is_dir() and not path.is_symlink():
            inner = _pages(path, top, skip)
            if inner:
                entries.append({name.replace("-", " ").replace("_", " ").capitalize(): inner})
        elif name.endswith(".md"):
            entries.append(path.relative_to(top).as_posix())
    return entries


def full_nav(user_nav: Any, docs: Path, folder: str) -> list[Any]:
    """The user's nav (or their pages, as Zensical would list them) and the archive's."""
    text = (docs / folder / NAV_FILE).read_text(encoding="utf-8")
    archive = yaml.safe_load(text)
    if isinstance(user_nav, list) and user_nav:
        return user_nav if _mentions(user_nav, folder) else [*user_nav, *archive]
    return [*_pages(docs, docs, docs / folder), *archive]


def write_config(config: Path, nav: list[Any]) -> Path:
    """The configuration Zensical builds: the user's and the nav, beside theirs."""
    target = config.parent / (BUILD_CONFIG + config.suffix)
    if config.suffix == ".toml":
        project = _read_toml(config)
        lines = [
            f"# Written by `mkdocs-yt2doc build` from {config.name}; edit that one.",
            "[project]",
        ]
        for key, value in {**project, "nav": nav}.items():
            lines.append(f"{json.dumps(str(key))} = {_toml_value(value, str(config))}")
        text = "\n".join(lines) + "\n"
    else:  # Zensical reads INHERIT as MkDocs does: the user's file, with the nav replaced
        text = (
            f"# Written by `mkdocs-yt2doc build` from {config.name}; edit that one.\n"
            f"INHERIT: {json.dumps(config.name)}\nnav: {json.dumps(nav, ensure_ascii=False)}\n"
        )
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise Yt2DocError(f"cannot write {target}: {exc.strerror or exc}") from None
    return target


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise Yt2DocError(f"cannot read {path}: {exc}") from None
    return dict(data.get("project", data))


def _user_nav(config: Path) -> Any:
    if config.suffix == ".toml":
        return _read_toml(config).get("nav")
    from mkdocs.utils.yaml import yaml_load

    try:
        with open(config, encoding="utf-8") as handle:
            data = yaml_load(handle)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise Yt2DocError(f"cannot read {config}: {exc}") from None
    return data.get("nav") if isinstance(data, dict) else None


def _ignored(path: Path) -> bool | None:
    """Whether git ignores `path` (None: not in a git work tree, or no git)."""
    try:
        done = subprocess.run(
            ["git", "check-ignore", "-q", path.name],
            cwd=path.parent, capture_output=True, timeout=30, check=False,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return None
    return {0: True, 1: False}.get(done.returncode)


class _Count(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


def build(config_file: str | None, strict: bool, out: TextIO) -> int:
    config = site_config(config_file)
    if importlib.util.find_spec("zensical") is None:  # before render writes anything
        raise Yt2DocError("build runs Zensical, which is not installed: pip install zensical")
    counted = _Count()
    log.addHandler(counted)
    try:
        render(str(config), None, out)
    finally:
        log.removeHandler(counted)
    if strict and counted.count:
        raise Yt2DocError(f"render warned {counted.count} time(s) (--strict): see above")
    site = load_site(str(config))
    nav = full_nav(_user_nav(config), site.docs_dir, output_folder(site.options.output_dir))
    own = write_config(config, nav)
    if _ignored(own) is False:
        log.warning("yt2doc: %s is not git-ignored: add `%s.*` to .gitignore", own, BUILD_CONFIG)
    command = [
        sys.executable,
        "-m",
        "zensical",
        "build",
        "-f",
        own.name,
        *(["-s"] if strict else []),
    ]
    try:
        done = subprocess.run(command, cwd=config.parent, timeout=ZENSICAL_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        raise Yt2DocError(
            f"zensical build ran over {ZENSICAL_TIMEOUT:g} s and was stopped"
        ) from None
    if done.returncode != 0:
        raise Yt2DocError(
            f"zensical build -f {own.name} failed (exit status {done.returncode}; its "
            "messages are above)"
        )
    if site.options.search != "pagefind":
        return 0
    try:
        shard_talks = int(site.options.search_shard_talks)
        index = build_index(site.site_dir, float(site.options.search_timeout), shard_talks)
    except SearchIndexError as exc:
        raise Yt2DocError(f"the search index was not built: {exc}") from None
    out.write(f"Zensical built {site.site_dir}; Pagefind indexed {index.pages} pages\n")
    return 0
