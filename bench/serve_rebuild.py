"""`mkdocs serve` on a big archive: how long is the rebuild after adding one cached talk?

    python bench/serve_rebuild.py [--talks 300]

Does what `mkdocs serve` does on a change, in one process: loads the config again (MkDocs
keeps plugin objects that have `on_startup`, so the plugin and its parsed cache survive) and
rebuilds. Prints the first build, a rebuild with nothing changed, and the rebuild after one
already-cached talk is added to talks.yml.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from build_scale import make_archive  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--talks", type=int, default=300)
    args = parser.parse_args()
    os.environ["NO_MKDOCS_2_WARNING"] = "1"
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    work = Path(tempfile.mkdtemp(prefix="yt2doc-serve-"))
    make_archive(work, args.talks + 1)
    talks = work / "talks.yml"
    lines = talks.read_text().split("\n- ")
    talks.write_text("\n- ".join(lines[:-1]) + "\n")  # the last talk: cached, not listed yet

    def rebuild() -> tuple[float, object]:
        started = time.perf_counter()
        config = load_config(str(work / "mkdocs.yml"))
        build(config, dirty=False)
        return time.perf_counter() - started, config.plugins["yt2doc"]

    first, plugin = rebuild()
    again, same = rebuild()
    talks.write_text(talks.read_text() + "- " + lines[-1])
    added, kept = rebuild()
    print(f"talks: {args.talks} cached, then one more")
    print(f"first build                         {first:6.2f} s")
    print(f"rebuild, nothing changed            {again:6.2f} s")
    print(f"rebuild after adding a cached talk  {added:6.2f} s")
    print(f"plugin object kept across rebuilds: {plugin is same is kept}")


if __name__ == "__main__":
    main()
