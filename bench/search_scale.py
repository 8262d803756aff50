"""Pagefind search at archive scale: the index's cost to build, and what a reader's browser
fetches and waits for, at 1,000 and 10,000 talks (each one real `mkdocs build`).

    python bench/search_scale.py [--sizes 1000 10000] [--build-size 10000] [--repeat 3]
                                 [--compare-up-to 1000] [--material-repeat 2] [--no-material]
                                 [--max-index-gib G]
                                 [--keep DIR] [--json FILE]

Talks are shaped as in build_scale.py (about 7,000 words in 60 paragraphs, 10 chapters), in
English-like text (`english_talk`: words drawn by their frequency in English, each talk with
its own topic words) and with events, dates, speakers and tags (`talk_metadata`).

- N <= --build-size (every size, by default): the cached archive (written by two processes)
  is built by one `mkdocs build` with the plugin (`search: pagefind`, Material) in a fresh
  process, timed with its process tree's peak memory (MkDocs and Pagefind together). Up to
  --compare-up-to talks, the index alone is then built again (`build_index`, the real
  Pagefind binary) for its time and peak memory, the archive built without the index and
  once more with `search: material`, side by side; above it, the index's time and the
  Pagefind binary's peak come from the build's own log.
- N > --build-size (only when asked): the N talk pages are written straight into a site
  folder: each talk's page is made by the plugin's own code (`archive_files`) and Markdown,
  put in the theme's page taken from the real build (checked: the page made for one of its
  talks is the real one), whose other pages and assets are copied, Material's
  search_index.json made again by Material's own indexer; then the site is indexed.
  Pagefind's memory grows with the pages (about 2.2 MiB a page): a size that does not fit in
  --max-index-gib is measured at the largest size that does, and extrapolated from the sizes
  measured (labelled so).
- Each site is served over loopback and its search page opened in headless chromium, once
  per --repeat, each time in a fresh context (cold cache) with its own queries: a phrase
  said in one talk, then a phrase from another, then a common word. Bytes of each response
  (headers and body, as served: Pagefind's index files are gzipped already; also what a
  server that gzips text would send) and the time from the input event to the first result
  in the DOM. Material's search the same way, on the site built with `search: material`.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.search_browser import (  # noqa: E402
    MATERIAL_FILES,
    PAGEFIND_FILES,
    browse,
    debounce_ms,
    material_visit,
    page_weights,
    pagefind_visit,
    sampled_hits,
    summarize,
)
from bench.search_sites import (  # noqa: E402
    COMPARE_UP_TO,
    KIB,
    MIB,
    Site,
    generated_site,
    queries_for,
    real_build,
    talk_slug,
)

# -- the run --------------------------------------------------------------------------------


def mem_available_mib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) / 1024
    return float("inf")


def fits(count: int, real: Site, max_gib: float) -> int:
    """`count`, or the largest size (a multiple of 500) whose index Pagefind can build within
    the memory allowed, by its peak per page at the real build (it grows linearly)."""
    from mkdocs_yt2doc.archive.search_shards import SHARD_TALKS

    per_page = real.figures["index_peak_mib"] / real.figures["index_pages"]
    allowed = max_gib * 1024 if max_gib else 0.4 * mem_available_mib()
    if per_page * min(count, SHARD_TALKS or count) <= allowed:  # a shard at a time
        return count
    here = int(allowed / per_page) // 500 * 500
    print(
        f"  Pagefind would need ~{per_page * count / 1024:.0f} GiB to index {count} pages "
        f"({per_page:.2f} MiB a page at N={real.count}); {allowed / 1024:.1f} GiB may be used "
        f"here (--max-index-gib): measured at N={here}, and N={count} extrapolated",
        flush=True,
    )
    return here


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--build-size", type=int, default=10000,
                        help="sizes up to this one go through a real build")  # fmt: skip
    parser.add_argument(
        "--compare-up-to", type=int, default=COMPARE_UP_TO,
        help="sizes up to this one are also built without the index, indexed again alone and "
        "built with Material's search (larger: the index's figures from the build's log)",
    )  # fmt: skip
    parser.add_argument("--repeat", type=int, default=3, help="cold visits per site")
    parser.add_argument("--sample-talks", type=int, default=50,
                        help="talks whose every chapter is searched (0: none)")  # fmt: skip
    parser.add_argument("--material-repeat", type=int, default=2, help="visits, Material")
    parser.add_argument("--no-material", action="store_true", help="skip Material's search")
    parser.add_argument("--keep", type=Path, help="keep the sites in this folder")
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    parser.add_argument(
        "--max-index-gib", type=float, default=0.0,
        help="most memory Pagefind may take (default: 40%% of the memory available now, the "
        "machine being shared); a larger size is measured at the size that fits, and "
        "extrapolated",
    )  # fmt: skip
    args = parser.parse_args()
    sizes = sorted(set(args.sizes))
    started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="yt2doc-search-", dir=args.keep))
    results: list[Site] = []
    real: Site | None = None
    try:
        for count in sizes:
            print(f"N={count}", flush=True)
            if count <= args.build_size:
                compare = count <= args.compare_up_to
                site = real = real_build(work, count, compare and not args.no_material, compare)
            else:
                if real is None:  # a small real build to take the theme's page from
                    print(f"  (a real build of {min(50, args.build_size)} talks for the template)")
                    real = real_build(work, min(50, args.build_size), False)
                here = fits(count, real, args.max_index_gib)
                if here <= real.count:
                    print(f"  N={count} not measured: not even {real.count + 500} pages fit")
                    continue
                measured = next((s for s in results if s.count == here), None)
                if measured is not None:  # measured already: extrapolated from it
                    measured.requested = count
                    continue
                site = generated_site(work, here, real)
                site.requested = count if here < count else 0
                count = here
            asked = queries_for(count, args.repeat)
            site.figures["queries"] = asked
            site.figures["pagefind"] = summarize(
                "Pagefind", browse(site.root, asked, PAGEFIND_FILES, pagefind_visit), asked
            )
            if site.material is not None and args.material_repeat:
                some = asked[: args.material_repeat]
                visits = browse(site.material, some, MATERIAL_FILES, material_visit)
                site.figures["material"].update(summarize("Material", visits, some))
            if site.real and args.sample_talks:  # no hit lost (the project is the site's parent)
                site.figures["sampled"] = sampled_hits(
                    site.root, site.root.parent, count, args.sample_talks
                )
            slug = talk_slug(min(37, count - 1))
            paths = ["", "talks/", f"talks/{slug}/", "talks/speakers/", "talks/events/"]
            packed: dict[str, int] = {}
            site.figures["page_weights"] = page_weights(site.root, paths, packed)
            site.figures["page_weights_gzip"] = packed
            print("  bytes before typing, a whole page's load: " + ", ".join(
                f"/{p} {b / KIB:.0f} KiB (gzip server {packed[p] / KIB:.0f})"
                for p, b in site.figures["page_weights"].items()
            ), flush=True)  # fmt: skip
            results.append(site)
            if site is not real and args.keep is None:  # 377 KiB a page: make room
                shutil.rmtree(site.root, ignore_errors=True)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    report(results, time.perf_counter() - started)
    if args.json:
        figures = {
            s.count: {**s.figures, "real": s.real, "requested": s.requested} for s in results
        }
        args.json.write_text(json.dumps(figures, indent=1))


def estimate(measured: list[Site], count: int) -> dict[str, float]:
    """Figures at `count` on the least-squares line through the measured sizes (EXTRAPOLATED:
    each figure grows about linearly with the number of pages)."""
    xs = [float(s.count) for s in measured]
    mean_x = statistics.fmean(xs)

    def line(get: Any) -> float:
        ys = [float(get(s)) for s in measured]
        mean_y = statistics.fmean(ys)
        slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sum(
            (x - mean_x) ** 2 for x in xs
        )
        return mean_y + slope * (count - mean_x)

    names = ("index_bytes", "index_s", "index_peak_mib")
    figures = {name: line(lambda s, name=name: s.figures[name]) for name in names}
    for name in ("first_query", "first_ms", "second_query", "second_ms", "broad_query",
                 "broad_ms", "page"):  # fmt: skip
        figures[name] = line(lambda s, name=name: s.figures["pagefind"][name])
    return figures


def key_line(count: int, f: dict[str, Any], note: str = "") -> str:
    line = (
        f"N={count} first query: {f['first_query'] / KIB:.0f} KiB, {f['first_ms']:.0f} ms "
        f"(excerpts {f.get('first_full_ms', 0):.0f} ms); "
        f"second {f['second_query'] / KIB:.0f} KiB, {f['second_ms']:.0f} ms; common word "
        f"{f['broad_query'] / KIB:.0f} KiB, {f['broad_ms']:.0f} ms; "
    )
    if "startup" in f:
        line += f"start-up {f['startup'] / KIB:.0f} KiB; "
    if "page_weights" in f:
        line += f"a page before typing <= {max(f['page_weights'].values()) / KIB:.0f} KiB; "
    line += (
        f"index {f['index_bytes'] / MIB:.0f} MiB built in {f['index_s']:.0f} s, Pagefind's "
        f"peak {f['index_peak_mib']:.0f} MiB"
    )
    if "build_wall" in f:
        line += f"; whole build {f['build_wall']:.0f} s, peak {f['build_tree_peak_mib']:.0f} MiB"
    return line + note


def report(results: list[Site], seconds: float) -> None:
    print(f"\nwhole run: {seconds / 60:.1f} min")
    print(
        f"{'N':>6} {'how':>9} {'index MiB':>9} {'files':>6} {'index s':>7} {'peak MiB':>8} "
        f"{'page KiB':>8} {'load KiB':>8} {'1st KiB':>7} {'1st ms':>6} {'2nd KiB':>7} "
        f"{'2nd ms':>6} {'broad KiB':>9} {'broad ms':>8}"
    )
    for site in results:
        f, p = site.figures, site.figures["pagefind"]
        print(
            f"{site.count:>6} {'build' if site.real else 'generated':>9} "
            f"{f['index_bytes'] / MIB:>9.1f} {f['index_files']:>6} {f['index_s']:>7.1f} "
            f"{f['index_peak_mib']:>8.0f} {f['page_bytes'] / KIB:>8.0f} {p['page'] / KIB:>8.0f} "
            f"{p['first_query'] / KIB:>7.0f} {p['first_ms']:>6.0f} "
            f"{p['second_query'] / KIB:>7.0f} {p['second_ms']:>6.0f} "
            f"{p['broad_query'] / KIB:>9.0f} {p['broad_ms']:>8.0f}"
        )
    estimates: dict[int, dict[str, float]] = {}
    sizes = ", ".join(str(s.count) for s in results)
    if len(results) >= 2:
        for site in results:
            if site.requested:
                estimates[site.requested] = estimate(results, site.requested)
    for count, e in estimates.items():
        print(
            f"N={count} EXTRAPOLATED (not measured) on the least-squares line through "
            f"N={sizes}: index ~{e['index_bytes'] / MIB:.0f} MiB built in "
            f"~{e['index_s']:.0f} s, Pagefind's peak ~{e['index_peak_mib'] / 1024:.1f} GiB; a "
            f"first query ~{e['first_query'] / KIB:.0f} KiB, ~{e['first_ms']:.0f} ms; a second "
            f"~{e['second_query'] / KIB:.0f} KiB, ~{e['second_ms']:.0f} ms; a broad one "
            f"~{e['broad_query'] / KIB:.0f} KiB, ~{e['broad_ms']:.0f} ms; the page itself "
            f"~{e['page'] / KIB:.0f} KiB"
        )
    largest = max([s.count for s in results] + list(estimates))
    for site in results:
        material = site.figures.get("material")
        if not (material and "first_ms" in material):
            continue
        print(
            f"Material at N={site.count}: search_index.json {material['index_bytes'] / MIB:.1f} "
            f"MiB (gzip {material['index_gzip'] / MIB:.1f} MiB); a first query "
            f"{material['first_query'] / MIB:.1f} MiB (gzip server "
            f"{material['first_query_gzip'] / MIB:.1f} MiB), typed "
            f"{material['typed_ms'] / 1000:.1f} s after navigation start: "
            f"{material['first_ms'] / 1000:.1f} s to first results; a second query "
            f"{material['second_ms']:.0f} ms, a broad one {material['broad_ms']:.0f} ms"
        )
        with_material = [s.count for s in results if "first_ms" in s.figures.get("material", {})]
        if largest > site.count and site.count == max(with_material):
            scale = largest / site.count
            print(
                f"Material at N={largest} EXTRAPOLATED (not measured), in proportion to "
                f"N={site.count}: search_index.json ~{material['index_bytes'] * scale / MIB:.0f} "
                f"MiB (gzip ~{material['index_gzip'] * scale / MIB:.0f} MiB), all fetched "
                "before a first query"
            )
    for site in results:
        f = site.figures
        if site.real and "index_in_build_s" in f:
            share = f["index_in_build_s"] / f["build_wall"]
            print(
                f"N={site.count}: Pagefind took {f['index_in_build_s']:.1f} s of a "
                f"{f['build_wall']:.1f} s build: {share:.0%} (goal <= 25%); site "
                f"{f['site_bytes'] / MIB:.0f} MiB, a talk page {f['page_bytes'] / KIB:.0f} KiB"
            )
    goals = [(s.count, s.figures["pagefind"], "") for s in results if s.count >= 10_000]
    goals += [(n, e, " EXTRAPOLATED") for n, e in estimates.items() if n >= 10_000]
    for count, g, note in goals:
        print(
            f"N={count}{note}: first query {g['first_query'] / MIB:.2f} MiB (goal <= 1 MiB), "
            f"{g['first_ms']:.0f} ms to first results (goal <= 300 ms)"
        )
    print(
        "(Each time to first results counts from the input event; the query is filled in "
        "at once, as a paste, which the search page searches at once; a typed query waits "
        f"{debounce_ms()} ms after its last keystroke besides.)"
    )
    for site in results:
        weights = site.figures.get("page_weights", {})
        if weights:
            print(
                f"N={site.count} bytes before typing (whole load, cold): largest page "
                f"{max(weights.values()) / KIB:.0f} KiB; the search page's Pagefind start-up "
                f"{site.figures['pagefind']['startup'] / KIB:.0f} KiB (gzip server "
                f"{site.figures['pagefind']['startup_gzip'] / KIB:.0f} KiB; at the page's load "
                f"{site.figures['pagefind']['search_at_load'] / KIB:.0f} KiB); a result "
                f"{site.figures['fragment_bytes'] / KIB:.1f} KiB (its talk's fragment and the "
                "part of its text it is in, medians, gzip); "
                f"whole build's process tree peak "
                f"{site.figures.get('build_tree_peak_mib', 0):.0f} MiB"
            )
    for site in results:
        if "sampled" in site.figures:
            f = site.figures["sampled"]
            print(
                f"N={site.count}: a phrase from every chapter of {f['talks']} sampled talks: "
                f"{f['found']} of {f['asked']} found on their paragraph"
            )
    for site in results:
        print(key_line(site.count, {**site.figures, **site.figures["pagefind"]}))
    for count, e in estimates.items():
        print(key_line(count, e, f" (EXTRAPOLATED from N={sizes})"))


if __name__ == "__main__":
    main()
