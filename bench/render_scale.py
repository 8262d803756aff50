"""`render` and the generators at archive scale: N cached talks (shaped as in build_scale.py)

    python bench/render_scale.py [--talks 300]

1. `mkdocs-yt2doc render` of the archive (first render, then an idle re-render), against
   the plugin's own `mkdocs build` of the same archive;
2. the rendered files built by MkDocs + Material (no plugin) and by Zensical, side by side.
Each run is a fresh process; wall and CPU time, peak memory (max RSS, children included for
the generators' own processes) and the built site's size are printed.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.build_scale import make_archive, size_mib  # noqa: E402

ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}


_PEAK = (
    "import json, resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, "
    "capture_output=True); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def timed(command: list[str], cwd: Path) -> dict[str, float]:
    """Wall and CPU seconds and peak MiB of one command, run under a fresh wrapper process
    (whose children's peak is that command's own)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", _PEAK, *command],
        cwd=cwd, env=ENV, check=True, capture_output=True, text=True,
    )  # fmt: skip
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": wall, "cpu": cpu, "peak_mib": int(result.stdout.split()[-1]) / 1024}


def row(name: str, figures: dict[str, float], site: Path | None = None) -> str:
    size = f"{size_mib(site):8.1f}" if site and site.exists() else f"{'':>8}"
    return (
        f"{name:34} {figures['wall']:7.1f} {figures['cpu']:7.1f} {figures['peak_mib']:8.0f} {size}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--talks", type=int, default=300)
    args = parser.parse_args()
    python = sys.executable
    with tempfile.TemporaryDirectory(prefix="yt2doc-render-") as tmp:
        project = Path(tmp) / "archive"
        make_archive(project, args.talks)
        print(f"{args.talks} cached talks; figures: wall s, CPU s, peak MiB, site MiB")
        print(f"{'':34} {'wall':>7} {'cpu':>7} {'peak':>8} {'site':>8}")
        plugin = timed([python, "-m", "mkdocs", "build", "-q", "-d", "site-plugin"], project)
        print(row("plugin: mkdocs build", plugin, project / "site-plugin"))
        first = timed([python, "-m", "mkdocs_yt2doc.cli", "render"], project)
        print(row("render (first)", first, project / "docs"))
        again = timed([python, "-m", "mkdocs_yt2doc.cli", "render"], project)
        print(row("render (unchanged archive)", again))
        # the rendered site, without the plugin entry (Zensical ignores it; MkDocs must not run it)
        config = (project / "mkdocs.yml").read_text().split("  - yt2doc:")[0]
        (project / "plain.yml").write_text(config.replace("site_name: Scale", "site_name: Plain"))
        material = timed(
            [python, "-m", "mkdocs", "build", "-q", "-f", "plain.yml", "-d", "site-material"],
            project,
        )
        print(row("rendered: mkdocs build (Material)", material, project / "site-material"))
        # with the nav snippet render writes (automatic nav makes each talk its own section)
        snippet = (project / "docs" / "talks" / ".yt2doc-nav.yml").read_text()
        nav = "nav:\n  - index.md\n" + "".join(f"  {line}\n" for line in snippet.splitlines()
                                             if not line.startswith("#"))  # fmt: skip
        (project / "plain-nav.yml").write_text((project / "plain.yml").read_text() + nav)
        with_nav = timed(
            [python, "-m", "mkdocs", "build", "-q", "-f", "plain-nav.yml", "-d", "site-nav"],
            project,
        )
        print(row("rendered + nav snippet: mkdocs build", with_nav, project / "site-nav"))
        zensical_bin = shutil.which("zensical", path=str(Path(python).parent))
        if zensical_bin is None:
            print("zensical is not installed: pip install zensical (the [test] extra has it)")
            return
        shutil.copy(project / "plain.yml", project / "mkdocs.yml")
        zensical = timed([zensical_bin, "build"], project)
        print(row("rendered: zensical build", zensical, project / "site"))
        summary = {
            "talks": args.talks,
            "render_vs_plugin": round(first["wall"] / plugin["wall"], 2),
            "zensical_vs_material": round(zensical["wall"] / material["wall"], 2),
        }
        print(json.dumps(summary))


if __name__ == "__main__":
    main()
