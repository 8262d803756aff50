"""Names made from outside text: slugs, and unique names (page slugs, chapter ids, paragraph
anchors), all from a safe alphabet."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable


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
