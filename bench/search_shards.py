"""The Pagefind index in 1, 2, 4 and 8 shards against one index, on the same real build:
what each costs to build (time, the largest binary's peak) and a reader (a first query's
bytes and time, merged by the search page), and whether the merged shards give the same top
hit as one index.

    python bench/search_shards.py [--talks 4000] [--shards 1 2 4 8] [--repeat 2] [--json F]
                                  [--site SITE_DIR]

The archive is build_scale.py's (about 7,000 words a talk, in English-like text), built by
`mkdocs build` with the plugin; then the index alone is built again for each shard count
(`build_index`, a fresh process, the shards one after the other) and searched in chromium,
each visit cold, with search_scale.py's queries.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.search_browser import PAGEFIND_FILES, browse, pagefind_visit, summarize  # noqa: E402
from bench.search_sites import KIB, MIB, index_alone, queries_for, real_build  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--talks", type=int, default=4000)
    parser.add_argument("--shards", type=int, nargs="+", default=[1, 2, 4, 8])
    parser.add_argument("--repeat", type=int, default=2, help="cold visits per shard count")
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    parser.add_argument("--site", type=Path, help="a site search_scale.py built (--keep) of "
                        "--talks talks, indexed again here, instead of a new build")  # fmt: skip
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="yt2doc-shards-"))
    rows = []
    try:
        root = args.site or real_build(work, args.talks, False, compare=False).root
        asked = queries_for(args.talks, args.repeat)
        for shards in args.shards:
            per_shard = 0 if shards == 1 else math.ceil(args.talks / shards)
            alone = index_alone(root, per_shard)
            files = [f for f in (root / "pagefind").rglob("*") if f.is_file()]
            visits = browse(root, asked, PAGEFIND_FILES, pagefind_visit)
            figures = summarize(f"{shards} shard(s)", visits, asked)
            tops = [v.top.get(phase, "") for v in visits for phase in ("first", "second")]
            rows.append({"shards": shards, "per_shard": per_shard, **alone,
                         "index_bytes": sum(f.stat().st_size for f in files), "tops": tops,
                         **figures})  # fmt: skip
            print(f"  {shards} shard(s) of {per_shard or args.talks} talks: index "
                  f"{alone['seconds']:.0f} s, largest binary {alone['peak_mib']:.0f} MiB",
                  flush=True)  # fmt: skip
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"\nN={args.talks}, the same build indexed in shards, one after the other:")
    print(f"{'shards':>6} {'talks/shard':>11} {'index s':>7} {'peak MiB':>8} {'index MiB':>9} "
          f"{'start KiB':>9} {'1st KiB':>7} {'1st ms':>6} {'2nd KiB':>7} {'2nd ms':>6} "
          "same top hit")  # fmt: skip
    for row in rows:
        same = "yes" if row["tops"] == rows[0]["tops"] else f"NO: {row['tops']}"
        print(f"{row['shards']:>6} {row['per_shard'] or args.talks:>11} {row['seconds']:>7.0f} "
              f"{row['peak_mib']:>8.0f} {row['index_bytes'] / MIB:>9.1f} "
              f"{row['startup'] / KIB:>9.0f} {row['first_query'] / KIB:>7.0f} "
              f"{row['first_ms']:>6.0f} {row['second_query'] / KIB:>7.0f} "
              f"{row['second_ms']:>6.0f} {same}")  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
