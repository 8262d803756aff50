"""What the plugin costs a build whose talks are all cached: import time, added build time, and
which heavy modules get loaded (goal: none of them, and at most 0.3 s added).

    python bench/startup.py [--repeat 5]

Builds the example site (its cached talks) with the plugin, and the same pages written out
as plain Markdown without it, each in a fresh Python process.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ["faster_whisper", "ctranslate2", "wtpsplit", "transformers", "torch", "yt_dlp", "av"]

_BUILD = """
import json, sys, time
started = time.perf_counter()
from mkdocs.commands.build import build
from mkdocs.config import load_config
build(load_config(sys.argv[1]))
taken = time.perf_counter() - started
heavy = sorted({m.split(".")[0] for m in sys.modules} & set(json.loads(sys.argv[2])))
print(json.dumps({"seconds": taken, "heavy": heavy}))
"""

_IMPORT = """
import time
started = time.perf_counter()
import mkdocs_yt2doc.plugin
print(time.perf_counter() - started)
"""


def run(code: str, *args: str) -> str:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "YT2DOC_TRANSCRIBE": "never"}
    result = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, check=True
    )
    return result.stdout.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="yt2doc-startup-"))
    with_plugin = work / "with"
    shutil.copytree(ROOT / "example-site", with_plugin, ignore=shutil.ignore_patterns("site"))
    config = with_plugin / "mkdocs.yml"
    json.loads(run(_BUILD, str(config), json.dumps(HEAVY)))  # warm the file cache

    # The same pages as plain Markdown, without the plugin.
    plain = work / "plain"
    shutil.copytree(with_plugin / "docs", plain / "docs")
    from mkdocs.config import load_config

    from mkdocs_yt2doc.archive.files import archive_files
    from mkdocs_yt2doc.archive.views import views
    from mkdocs_yt2doc.catalog.load import load_catalog
    from mkdocs_yt2doc.config import archive_options, settings_from_config
    from mkdocs_yt2doc.pipeline.run import Pipeline

    mkdocs_config = load_config(str(config))
    options = mkdocs_config.plugins["yt2doc"].config
    settings = settings_from_config(options, str(config))
    pipeline = Pipeline(settings)
    jobs = pipeline.run(load_catalog(with_plugin / "talks.yml"))
    shape = archive_options(
        options, output_dir="talks", site_url=None, use_directory_urls=True, attr_list=True
    )
    for item in archive_files(views(jobs, pipeline.store), shape):  # what `render` writes
        target = plain / "docs" / "talks" / item.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(item.data())
    (plain / "mkdocs.yml").write_text(
        "site_name: Example talk archive\ntheme:\n  name: material\nplugins:\n  - search\n"
        "markdown_extensions:\n  - attr_list\n"
    )

    plugin_runs = [
        json.loads(run(_BUILD, str(config), json.dumps(HEAVY))) for _ in range(args.repeat)
    ]
    plain_runs = [
        json.loads(run(_BUILD, str(plain / "mkdocs.yml"), "[]")) for _ in range(args.repeat)
    ]
    imports = [float(run(_IMPORT)) for _ in range(args.repeat)]
    t_plugin = statistics.median(r["seconds"] for r in plugin_runs)
    t_plain = statistics.median(r["seconds"] for r in plain_runs)
    heavy = sorted({m for r in plugin_runs for m in r["heavy"]})
    print(f"talks: {len(jobs)} cached; runs: {args.repeat} each, fresh processes")
    print(f"build with plugin    median {t_plugin:.3f} s")
    print(f"build plain Markdown median {t_plain:.3f} s")
    print(f"import mkdocs_yt2doc.plugin median {statistics.median(imports) * 1000:.0f} ms")
    print(f"heavy modules loaded: {heavy or 'none'}")
    print(f"added by the plugin = {t_plugin - t_plain:+.3f} s   (goal <= 0.3 s)")
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
