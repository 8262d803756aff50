"""`init` and `build` on the command line (cli.py runs the `run` each one sets)."""

from __future__ import annotations

import argparse

from .build import build
from .init import GENERATORS, init


def _add_init(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    command = sub.add_parser(
        "init", help="write a new project that builds at once (like mkdocs new)"
    )
    command.add_argument("folder", nargs="?", default=".", metavar="DIR", help="default: here")
    command.add_argument(
        "--generator", choices=GENERATORS, default="mkdocs",
        help="mkdocs (mkdocs.yml, the plugin) or zensical (zensical.toml and yt2doc.yml, built "
        "by `mkdocs-yt2doc build`)",
    )  # fmt: skip
    command.set_defaults(run=lambda a, out: init(a.folder, a.generator, out))
    command.add_argument("-v", "--verbose", action="store_true", help="log each step")


def _add_build(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    command = sub.add_parser(
        "build", help="Zensical in one command: render, zensical build (with the archive's "
        "navigation), the search index",
    )  # fmt: skip
    command.add_argument(
        "-f", "--config-file", metavar="CONFIG",
        help="zensical.toml or mkdocs.yml (default: the first here); never changed",
    )  # fmt: skip
    command.add_argument(
        "-s", "--strict", action="store_true",
        help="fail on render's warnings (an uncached talk) and on Zensical's",
    )  # fmt: skip
    command.set_defaults(run=lambda a, out: build(a.config_file, a.strict, out))
    command.add_argument("-v", "--verbose", action="store_true", help="log each step")


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    _add_init(sub)
    _add_build(sub)
