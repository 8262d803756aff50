"""Names made from outside text: slugs, and unique names (page slugs, chapter ids, paragraph
anchors), all from a safe alphabet; `assign_slugs` gives each talk its page's name."""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable

from ..records.job import Job

log = logging.getLogger("mkdocs.plugins.yt2doc")
# the archive's own pages and folders beside the talks
RESERVED_SLUGS = {"index", "assets", "search", "404", "events", "speakers", "tags", "years"}


def slugify(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80].strip("-")


class Taken(set[str]):
    """Names in use, and for each base the next suffix worth trying: thousands of equal
    titles take linear time, not quadratic."""

    def __init__(self, names: Iterable[str] = ()) -> None:
        super().__init__(names)
        self.next: dict[str, int] = {}


def unique(base: str, taken: Taken) -> str:
    """`base`, or `base-2`, `base-3`, ... whichever is free first; taken from then on. Names
    are only ever added, so a suffix found taken once stays taken and is not tried again."""
    name, n = base, taken.next.get(base, 2)
    if base in taken:
        name = f"{base}-{n}"
        while name in taken:
            n += 1
            name = f"{base}-{n}"
        taken.next[base] = n + 1
    taken.add(name)
    return name


def assign_slugs(jobs: list[Job]) -> None:
    """Unique, safe slugs: talks.yml `slug:` wins, else the title; stable for a stable list."""
    taken = Taken(RESERVED_SLUGS)
    for job in jobs:
        base = (
            (job.talk.slug and slugify(job.talk.slug))
            or slugify(job.title)
            or slugify(job.key or "")
        )
        job.slug = unique(base or "talk", taken)
        problem = _slug_problem(job.talk.slug, job.slug)
        if problem:
            log.warning(
                "yt2doc: %s: slug '%s' %s; the page is '%s' (set another slug: to choose)",
                job.label, job.talk.slug, problem, job.slug,
            )  # fmt: skip


def _slug_problem(wanted: str | None, slug: str) -> str | None:
    """Why talks.yml's `slug:` was not used as it is (case and spaces need no word)."""
    if not wanted:
        return None
    if re.search(r"[/\\]|\.\.", wanted) or not slugify(wanted):
        return "is not a plain name"
    return "is reserved or already taken" if slug != slugify(wanted) else None
