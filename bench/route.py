"""One talk's route through the package: how many modules it passes through and how many times
it comes back to a module it had left (goal: at most 30 returns).

    python bench/route.py [--talk bicycles] [--show]

Builds the example site with only that talk (cached, `transcribe: never`) and traces
`Pipeline.run` with `sys.setprofile`: each call into a function of the package moves the talk
to that function's module, and each return from it moves the talk back to the caller's module
(`--calls-only`: calls alone); steps within one module are one stop. A return is a stop at a
module the route had already left. Works on any layout (it finds `Pipeline.run` by name).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path
from types import FrameType
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent


class Route:
    """The modules of the package that `Pipeline.run` calls into, in order."""

    def __init__(self, package_dir: Path, *, calls_only: bool = False) -> None:
        self.package_dir = str(package_dir) + os.sep
        self.calls_only = calls_only
        self.stops: list[str] = []
        self.run_frame: FrameType | None = None

    def __call__(self, frame: FrameType, event: str, arg: Any) -> None:
        if event == "return" and frame is self.run_frame:
            self.run_frame = None
            return
        code = frame.f_code
        if event == "return" and self.run_frame is not None and not self.calls_only:
            caller = frame.f_back
            inside = code.co_filename.startswith(self.package_dir)
            if (
                inside
                and caller is not None
                and caller.f_code.co_filename.startswith(self.package_dir)
            ):
                self._stop(caller.f_code.co_filename)
            return
        if event != "call":
            return
        if self.run_frame is None:
            me = frame.f_locals.get("self") if code.co_name == "run" else None
            if type(me).__name__ == "Pipeline" and code.co_filename.startswith(self.package_dir):
                self.run_frame = frame
                self._stop(code.co_filename)
            return
        if code.co_filename.startswith(self.package_dir):
            self._stop(code.co_filename)

    def _stop(self, filename: str) -> None:
        module = filename[len(self.package_dir) :].removesuffix(".py").replace(os.sep, ".")
        if not self.stops or self.stops[-1] != module:
            self.stops.append(module)

    def returns(self) -> Counter[str]:
        """How many times the route comes back to each module after leaving it."""
        seen: set[str] = set()
        back: Counter[str] = Counter()
        for module in self.stops:
            if module in seen:
                back[module] += 1
            seen.add(module)
        return back


def site_with_one_talk(work: Path, talk: str) -> Path:
    site = work / "site-src"
    shutil.copytree(ROOT / "example-site", site, ignore=shutil.ignore_patterns("site"))
    talks_file = site / "talks.yml"
    data = yaml.safe_load(talks_file.read_text(encoding="utf-8"))
    data["talks"] = [t for t in data["talks"] if talk in str(t.get("url", ""))]
    if len(data["talks"]) != 1:
        raise SystemExit(f"route: no single talk matches {talk!r} in example-site/talks.yml")
    talks_file.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return site / "mkdocs.yml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--talk", default="bicycles", help="a part of the talk's url")
    parser.add_argument("--show", action="store_true", help="print the route, stop by stop")
    parser.add_argument("--calls-only", action="store_true", help="count calls, not returns")
    args = parser.parse_args()
    os.environ["YT2DOC_TRANSCRIBE"] = "never"
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")

    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    import mkdocs_yt2doc

    route = Route(Path(mkdocs_yt2doc.__file__).resolve().parent, calls_only=args.calls_only)
    with tempfile.TemporaryDirectory(prefix="yt2doc-route-") as tmp:
        config = load_config(str(site_with_one_talk(Path(tmp), args.talk)))
        config["site_dir"] = str(Path(tmp) / "site")
        sys.setprofile(route)
        try:
            build(config)
        finally:
            sys.setprofile(None)
    if not route.stops:
        raise SystemExit("route: Pipeline.run was never called")
    back = route.returns()
    if args.show:
        print(" -> ".join(route.stops))
    print(f"modules passed through: {len(set(route.stops))}")
    print(f"returns to a module it had left: {sum(back.values())}")
    for module, n in back.most_common():
        print(f"  {module}: {n}")


if __name__ == "__main__":
    main()
