"""A talk's stage files read in one go into a `Cached` record: each file at most once per run
of the stages, from the talk's folder or, for the media and the transcript, its recording's."""

from __future__ import annotations

from collections.abc import Iterable

from ..records.cached import Cached
from .store import MEDIA, TRANSCRIPT, Store, StoreError

RECORDING_FILES = (MEDIA, TRANSCRIPT)  # shared by the talks cut from one recording


def read_talk(
    store: Store, cached: Cached, names: Iterable[str], label: str, *, skip: Iterable[str] = ()
) -> Cached:
    """Read the files `names` that `cached` has not read yet (those in `skip` count as absent);
    `StoreError` as `Store.read_stage` says. A media.json that names another talk is refused."""
    skipped = set(skip)
    for name in names:
        if name in cached.files:
            continue
        if name in skipped:
            cached.drop(name, "a refresh was asked for")
            continue
        key = cached.recording if name in RECORDING_FILES else cached.key
        value = store.read_stage(key, name, label)
        if name == MEDIA and value and value["key"] != key:
            raise StoreError(
                f"cache file {store.root / key / MEDIA} names another talk ({value['key']!r})"
            )
        cached.files[name] = value
        if value is None:
            cached.stale[name] = "not in the cache"
    return cached
